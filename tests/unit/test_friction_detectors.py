"""Each friction detector on small, hand-written event lists: what it must notice, and the look-alikes of
docs/events.md it must leave alone. Pure: no store."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Any

import pytest

from omotenashi.config.friction import (
    BotLoopSettings,
    DeadClickSettings,
    ErrorClickSettings,
    FormAbandonmentSettings,
    FrictionEventNames,
    HelpLoopSettings,
    QuestionSettings,
    QuietDeclineSettings,
    RageClickSettings,
)
from omotenashi.friction.asked_twice import AskedTwice
from omotenashi.friction.base import DAY, HOUR, MINUTE, Finding, Observation
from omotenashi.friction.bot_loop import BotLoop
from omotenashi.friction.dead_click import DeadClick
from omotenashi.friction.error_click import ErrorClick
from omotenashi.friction.events import Event
from omotenashi.friction.form_abandonment import FormAbandonment
from omotenashi.friction.help_loop import HelpLoop
from omotenashi.friction.quiet_decline import QuietDecline, fewer_by_chance
from omotenashi.friction.rage_click import RageClick
from omotenashi.friction.repeated_question import RepeatedQuestion

NAMES = FrictionEventNames()
T0 = 1_780_000_000_000
CARE = frozenset({"service", "care"})


class Stream:
    """Events of one customer, made in order, each a few hundred milliseconds after the last unless told."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.t = T0

    def at(self, ms: int) -> Stream:
        self.t = T0 + ms
        return self

    def after(self, ms: int) -> Stream:
        self.t += ms
        return self

    def track(self, name: str, device: str | None = "web-1", **props: Any) -> Event:
        e = Event(len(self.events) + 1, self.t, "track", name, device, CARE, json.dumps(props))
        self.events.append(e)
        return e

    def page(self, path: str, device: str | None = "web-1", **props: Any) -> Event:
        e = Event(len(self.events) + 1, self.t, "page", path, device, CARE, json.dumps({"path": path, **props}))
        self.events.append(e)
        return e

    def click(self, selector: str = "button.export", x: int = 100, y: int = 100, text: str = "Export") -> Event:
        return self.track(NAMES.click, selector=selector, x=x, y=y, text=text, page="/app/reports")


def seen(detector: Any, events: Sequence[Event], now: int | None = None) -> list[Finding]:
    """What a detector says about these events as of `now` (default: a day after the last)."""
    obs: Observation = detector.observe(None, list(events), now if now is not None else events[-1].ts + DAY)
    return obs.upserts


def seen_in_pieces(detector: Any, events: Sequence[Event], pieces: int, seed: int) -> dict[str, Finding]:
    """The same events fed in shuffled pieces, each judged as of its newest event: what is finally said."""
    order = list(events)
    random.Random(seed).shuffle(order)
    state: dict[str, Any] | None = None
    found: dict[str, Finding] = {}
    now = 0
    size = max(1, len(order) // pieces)
    for start in range(0, len(order), size):
        chunk = sorted(order[start : start + size], key=lambda e: (e.ts, e.seq))
        now = max(now, max(e.ts for e in chunk))
        obs = detector.observe(state, chunk, now)
        if obs.changed:
            state = obs.state
        found.update({f.key: f for f in obs.upserts})
        for key in obs.retractions:
            found.pop(key, None)
    obs = detector.observe(state, [], now + DAY)
    found.update({f.key: f for f in obs.upserts})
    for key in obs.retractions:
        found.pop(key, None)
    return found


# --- rage clicks -----------------------------------------------------------------------------------------------


def test_a_burst_on_a_broken_button_is_rage_seen_at_the_third_click() -> None:
    s = Stream()
    s.page("/app/reports")
    first = s.after(5_000).click()
    for _ in range(4):
        s.after(200).click(x=104)
    s.after(1_500).page("/app")
    [f] = seen(RageClick(RageClickSettings(), NAMES), s.events)
    assert f.key == str(first.seq) and f.details["clicks"] == 5 and f.details["variant"] == "no_response"
    assert f.first_seen == first.ts + 400 and f.resolved_at is None


def test_rage_that_finally_gets_an_answer_is_resolved() -> None:
    s = Stream()
    for _ in range(3):
        s.after(250).click()
    answer = s.after(900).track("Report Exported", format="csv")
    [f] = seen(RageClick(RageClickSettings(), NAMES), s.events)
    assert f.resolved_at == answer.ts and answer.seq in f.evidence


@pytest.mark.parametrize(
    "look_alike",
    ["double_click", "select_text", "checklist", "slow_paging"],
)
def test_rage_look_alikes_are_left_alone(look_alike: str) -> None:
    s = Stream()
    if look_alike == "double_click":
        s.click("div.task-card")
        s.after(180).click("div.task-card")
        s.after(400).page("/app/task/1")
    elif look_alike == "select_text":
        for _ in range(3):
            s.after(150).click("p.task-description", text="Description")
    elif look_alike == "checklist":
        for k in range(5):
            s.after(200).click("input.checklist-item", y=420 + 44 * k)
            s.after(100).track("Task Updated", change="checklist")
    else:
        for _ in range(5):
            s.after(1_500).click("button.pager-next")
            s.after(300).page("/app/reports")
    assert seen(RageClick(RageClickSettings(), NAMES), s.events) == []


# --- dead and error clicks -------------------------------------------------------------------------------------


def test_a_click_followed_by_silence_is_dead_once_the_wait_has_passed() -> None:
    s = Stream()
    c = s.click("a.invoice-download")
    s.after(12_000).page("/app")
    [f] = seen(DeadClick(DeadClickSettings(), NAMES), s.events)
    assert f.first_seen == c.ts + 5_000 and f.evidence == (c.seq,)
    lone = Stream()
    lone.click("a.invoice-download")
    d = DeadClick(DeadClickSettings(), NAMES)
    early = d.observe(None, lone.events, lone.t + 2_000)
    assert early.upserts == [] and early.due == lone.t + 5_000  # not known yet: look again then
    assert len(d.observe(early.state, [], lone.t + 6_000).upserts) == 1


def test_slow_working_clicks_text_selection_and_clicks_from_other_devices_are_not_dead() -> None:
    s = Stream()
    s.click("button.save")
    s.after(3_400).track("Profile Updated")
    s.after(2_000).click("p.task-description")  # selecting text: nothing follows, and nothing should
    s.after(20_000).track("Task Created")
    assert seen(DeadClick(DeadClickSettings(), NAMES), s.events) == []


def test_clicks_and_form_events_whose_properties_were_stripped_are_not_judged() -> None:
    # A data map that strips undeclared properties leaves clicks that name no element and form events that name no
    # form: nothing can be said of them, so the click and form detectors say nothing (not "Clicked “?” on ?").
    s = Stream()
    s.page("/app/reports")
    for _ in range(4):
        s.after(200).track(NAMES.click)
    s.after(60_000).track(NAMES.click)
    s.after(500).track(NAMES.error)
    for _ in range(3):
        s.after(1_000).track(NAMES.field_focused)
        s.after(1_000).track(NAMES.field_changed)
    s.after(30_000).page("/app")
    for detector in (
        RageClick(RageClickSettings(), NAMES),
        DeadClick(DeadClickSettings(), NAMES),
        ErrorClick(ErrorClickSettings(), NAMES),
        FormAbandonment(FormAbandonmentSettings(), NAMES),
    ):
        assert seen(detector, s.events) == [], detector.name
    # The same clicks naming their element are judged: the stripped ones were left alone for that reason alone.
    named = Stream()
    named.page("/app/reports")
    for _ in range(4):
        named.after(200).click()
    named.after(30_000).page("/app")
    assert len(seen(RageClick(RageClickSettings(), NAMES), named.events)) == 1


def test_an_answer_that_arrives_before_its_click_takes_the_dead_click_back() -> None:
    s = Stream()
    c = s.click("button.export")
    s.after(900).track("Report Exported")
    s.after(30_000).page("/app")
    d = DeadClick(DeadClickSettings(), NAMES)
    first = d.observe(None, [c, s.events[2]], s.t)
    assert [f.key for f in first.upserts] == [str(c.seq)]
    late = d.observe(first.state, [s.events[1]], s.t)
    assert late.retractions == [str(c.seq)] and late.upserts == []


def test_a_click_answered_by_an_error_is_an_error_click_resolved_by_a_later_working_retry() -> None:
    s = Stream()
    c = s.click("button.connect-slack", text="Connect Slack")
    err = s.after(400).track(NAMES.error, message="Slack authorisation failed: invalid_state.", page="/app")
    s.after(20_000).click("button.connect-slack", text="Connect Slack")
    ok = s.after(600).track("Integration Connected", integration="slack")
    [f] = seen(ErrorClick(ErrorClickSettings(), NAMES), s.events)
    assert f.first_seen == err.ts and (c.seq, err.seq) == f.evidence[:2]
    assert f.resolved_at == ok.ts and f.details["message"].startswith("Slack")


def _fixed_after(days: int) -> tuple[Stream, list[Event]]:
    """An error click, other clicks elsewhere the same day, and the element working `days` later."""
    s = Stream()
    s.click("button.connect-slack", text="Connect Slack")
    s.after(400).track(NAMES.error, message="Slack authorisation failed: invalid_state.", page="/app")
    s.after(3 * HOUR).click("a.docs", text="Docs")
    s.after(500).page("/docs")
    s.after(days * DAY).click("button.connect-slack", text="Connect Slack")
    s.after(600).track("Integration Connected", integration="slack")
    return s, s.events


def _in_two_looks_with_a_tick(detector: ErrorClick, events: list[Event], split: int) -> Finding:
    """The events in two looks, with a look at no event between them a day after the first (a tick)."""
    first = detector.observe(None, events[:split], events[split - 1].ts)
    tick = detector.observe(first.state, [], events[split - 1].ts + DAY)
    state = tick.state if tick.changed else first.state
    last = detector.observe(state, events[split:], events[-1].ts)
    [f] = last.upserts or first.upserts
    return f


def test_an_error_click_fixed_days_later_is_resolved_however_the_events_were_batched() -> None:
    detector = ErrorClick(ErrorClickSettings(), NAMES)
    _, events = _fixed_after(9)
    [whole] = seen(detector, events)
    apart = _in_two_looks_with_a_tick(detector, events, 4)
    assert whole.resolved_at == events[-1].ts and apart.resolved_at == events[-1].ts
    assert whole == apart


def test_an_error_click_fixed_after_the_watch_stays_open_however_the_events_were_batched() -> None:
    detector = ErrorClick(ErrorClickSettings(fixed_within_days=7), NAMES)
    _, events = _fixed_after(9)
    [whole] = seen(detector, events)
    first = detector.observe(None, events[:4], events[3].ts)
    assert whole.resolved_at is None and [f.resolved_at for f in first.upserts] == [None]
    assert first.state is not None and [r[0] for r in first.state["r"]][:2] == [1, 2]  # the error waits for its fix
    last = detector.observe(first.state, events[4:], events[-1].ts)
    assert last.upserts == [] and last.retractions == []
    assert last.state is None or 1 not in [r[0] for r in last.state["r"]]  # and is let go once it cannot come


def test_validation_errors_after_a_submit_and_errors_no_click_caused_are_not_error_clicks() -> None:
    s = Stream()
    s.track(NAMES.field_changed, form="billing", field="card_number")
    s.after(2_000).track(NAMES.form_submitted, form="billing")
    s.after(300).track(NAMES.error, message="Your card number is incomplete.")
    s.after(2_000).click("div.task-card")
    s.after(40_000).track(NAMES.error, message="Connection lost. Reconnecting…")
    assert seen(ErrorClick(ErrorClickSettings(), NAMES), s.events) == []


# --- forms -----------------------------------------------------------------------------------------------------


def _fill(s: Stream, form: str, fields: Sequence[str]) -> None:
    for name in fields:
        s.after(1_000).track(NAMES.field_focused, form=form, field=name)
        s.after(4_000).track(NAMES.field_changed, form=form, field=name)


def test_a_form_started_and_left_is_abandoned_when_the_page_changes() -> None:
    s = Stream()
    s.page("/app/settings/billing")
    _fill(s, "billing", ["card_name", "card_number"])
    left = s.after(30_000).page("/app")
    [f] = seen(FormAbandonment(FormAbandonmentSettings(), NAMES), s.events)
    assert f.first_seen == left.ts and f.details["variant"] == "abandoned" and f.details["form"] == "billing"


def test_a_form_whose_visit_just_ended_is_abandoned_after_the_idle_time() -> None:
    s = Stream()
    _fill(s, "invite", ["email"])
    last = s.events[-1]
    d = FormAbandonment(FormAbandonmentSettings(), NAMES)
    obs = d.observe(None, s.events, last.ts + 10 * MINUTE)
    assert obs.upserts == [] and obs.due == last.ts + 30 * MINUTE
    [f] = d.observe(obs.state, [], last.ts + 31 * MINUTE).upserts
    assert f.first_seen == last.ts + 30 * MINUTE


def test_hesitating_over_a_field_is_seen_at_its_third_change_and_resolved_by_the_submit() -> None:
    s = Stream()
    _fill(s, "billing", ["card_name"])
    changes = []
    for _ in range(4):
        s.after(1_000).track(NAMES.field_focused, form="billing", field="vat_id")
        changes.append(s.after(20_000).track(NAMES.field_changed, form="billing", field="vat_id"))
    sent = s.after(5_000).track(NAMES.form_submitted, form="billing")
    [f] = seen(FormAbandonment(FormAbandonmentSettings(), NAMES), s.events)
    assert f.details["variant"] == "hesitated" and f.details["field"] == "vat_id" and f.details["changes"] == 4
    assert f.first_seen == changes[2].ts and f.resolved_at == sent.ts


def test_forms_filled_and_submitted_or_only_focused_are_not_friction() -> None:
    s = Stream()
    _fill(s, "profile", ["full_name", "role", "timezone"])
    s.after(2_000).track(NAMES.form_submitted, form="profile")
    s.after(300).track(NAMES.error, message="Please enter a valid email address.")
    _fill(s, "profile", ["full_name"])  # corrected and sent again
    s.after(2_000).track(NAMES.form_submitted, form="profile")
    s.after(60_000).track(NAMES.field_focused, form="invite", field="email")
    s.after(10_000).page("/app")
    assert seen(FormAbandonment(FormAbandonmentSettings(), NAMES), s.events) == []


# --- help loops ------------------------------------------------------------------------------------------------


def _article(s: Stream, n: int) -> Event:
    return s.page(f"/articles/article-{n}", article_id=f"kb-{n}", title=f"Article {n}")


def test_going_back_to_the_same_article_is_a_help_loop_and_back_and_forth_is_said_so() -> None:
    s = Stream()
    views = []
    for _ in range(3):
        s.after(40_000).page("/app/settings/billing/invoices")
        views.append(s.after(30_000).page("/articles/download", article_id="kb-111", title="Download invoices"))
    [f] = seen(HelpLoop(HelpLoopSettings(), NAMES), s.events)
    assert f.first_seen == views[2].ts and f.details["variant"] == "back_and_forth"
    assert f.details["page"] == "/app/settings/billing/invoices"


def test_reading_several_different_articles_once_each_is_not_a_loop() -> None:
    s = Stream()
    for n in range(6):
        _article(s.after(60_000), n)
    assert seen(HelpLoop(HelpLoopSettings(), NAMES), s.events) == []


def test_searches_without_a_click_loop_and_a_clicked_result_ends_the_loop() -> None:
    s = Stream()
    searches = [s.after(30_000).track(NAMES.help_searched, query=q, results=0) for q in ("invoce", "invoice", "bill")]
    clicked = s.after(20_000).track(NAMES.search_result_clicked, query="bill", article_id="kb-111")
    [f] = seen(HelpLoop(HelpLoopSettings(), NAMES), s.events)
    assert f.first_seen == searches[2].ts and f.resolved_at == clicked.ts


def test_a_search_whose_result_is_clicked_and_one_search_alone_are_not_loops() -> None:
    s = Stream()
    s.track(NAMES.help_searched, query="export csv", results=4)
    s.after(5_000).track(NAMES.search_result_clicked, query="export csv", article_id="kb-131")
    s.after(3 * HOUR).track(NAMES.help_searched, query="invite", results=2)
    assert seen(HelpLoop(HelpLoopSettings(), NAMES), s.events) == []


# --- bot loops -------------------------------------------------------------------------------------------------


def _chat(s: Stream, conversation: str = "C-1") -> None:
    s.track(NAMES.chat_started, conversation_id=conversation, with_="bot")
    s.after(5_000).track(NAMES.chat_message, conversation_id=conversation, text="export fails", **{"from": "customer"})


def test_a_bot_that_deflects_three_times_with_no_person_is_a_loop() -> None:
    s = Stream()
    _chat(s)
    third = None
    for n in range(4):
        e = s.after(20_000).track(NAMES.bot_suggested, device=None, conversation_id="C-1", title=f"Article {n}")
        third = e if n == 2 else third
    s.after(60_000).track(NAMES.chat_ended, device=None, conversation_id="C-1", resolved=False)
    [f] = seen(BotLoop(BotLoopSettings(), NAMES), s.events)
    assert third is not None and f.first_seen == third.ts and f.details["variant"] == "deflection"


def test_a_person_asked_for_who_never_comes_and_a_failed_handoff_are_loops() -> None:
    s = Stream()
    _chat(s, "C-1")
    s.after(5_000).track(NAMES.human_requested, conversation_id="C-1")
    ended = s.after(3 * MINUTE).track(NAMES.chat_ended, device=None, conversation_id="C-1", resolved=False)
    _chat(s.after(HOUR), "C-2")
    failed = s.after(60_000).track(NAMES.handoff_failed, device=None, conversation_id="C-2", reason="queue_timeout")
    found = {f.key: f for f in seen(BotLoop(BotLoopSettings(), NAMES), s.events)}
    assert found["C-1"].details["variant"] == "human_denied" and found["C-1"].first_seen == ended.ts
    assert found["C-2"].details["variant"] == "handoff_failed" and found["C-2"].first_seen == failed.ts


def test_two_articles_then_a_person_who_joins_within_minutes_is_not_a_loop() -> None:
    s = Stream()
    _chat(s)
    for n in range(2):
        s.after(20_000).track(NAMES.bot_suggested, device=None, conversation_id="C-1", title=f"Article {n}")
    s.after(5_000).track(NAMES.human_requested, conversation_id="C-1")
    s.after(4 * MINUTE).track(NAMES.agent_joined, device=None, conversation_id="C-1", agent="Mika")
    s.after(10 * MINUTE).track(NAMES.chat_ended, device=None, conversation_id="C-1", resolved=True)
    assert seen(BotLoop(BotLoopSettings(), NAMES), s.events) == []


# --- repeated questions and asking twice ---------------------------------------------------------------------


def _ticket(s: Stream, ticket: str, subject: str, body: str, device: str | None = "web-1") -> Event:
    return s.track(NAMES.ticket_created, device=device, ticket_id=ticket, subject=subject, body=body, channel="web")


def test_the_same_question_through_another_channel_is_repeated_and_after_a_resolution_asked_twice() -> None:
    s = Stream()
    first = _ticket(s, "T-1", "Can't download my invoice", "The invoice download button does nothing.")
    resolved = s.after(5 * HOUR).track(NAMES.ticket_resolved, device=None, ticket_id="T-1")
    s.after(2 * DAY).track(NAMES.chat_started, conversation_id="C-1")
    again = s.after(5_000).track(
        NAMES.chat_message, conversation_id="C-1", text="Second time I'm asking: invoice download not working"
    )
    [rq] = seen(RepeatedQuestion(QuestionSettings(), NAMES), s.events)
    assert rq.evidence == (first.seq, again.seq) and rq.first_seen == again.ts
    assert rq.details["variant"] == "after_resolved"
    [twice] = seen(AskedTwice(QuestionSettings(), NAMES), s.events)
    assert twice.evidence == (first.seq, resolved.seq, again.seq)


def test_another_topic_within_days_and_the_same_topic_weeks_later_are_not_repeats() -> None:
    s = Stream()
    _ticket(s, "T-1", "Can't download my invoice", "The invoice download button does nothing.")
    s.after(4 * HOUR).track(NAMES.ticket_resolved, device=None, ticket_id="T-1")
    _ticket(s.after(2 * DAY), "T-2", "Teammate never got the invite", "I invited a colleague, no email came.")
    s.after(4 * HOUR).track(NAMES.ticket_resolved, device=None, ticket_id="T-2")
    _ticket(s.after(30 * DAY), "T-3", "Invoice download broken", "I cannot download the invoice PDF.")
    assert seen(RepeatedQuestion(QuestionSettings(), NAMES), s.events) == []
    assert seen(AskedTwice(QuestionSettings(), NAMES), s.events) == []


def test_answering_a_resolved_ticket_is_asking_twice_whatever_the_words() -> None:
    s = Stream()
    _ticket(s, "T-1", "SSO setup question", "Our SAML login keeps failing.", device=None)
    s.after(HOUR).track(NAMES.ticket_resolved, device=None, ticket_id="T-1")
    s.after(DAY).track(NAMES.ticket_reopened, device=None, ticket_id="T-1", body="Nope.")
    assert len(seen(AskedTwice(QuestionSettings(), NAMES), s.events)) == 1


# --- quiet decline ---------------------------------------------------------------------------------------------


def _visits(s: Stream, days: Sequence[int]) -> None:
    for day in days:
        s.at(day * DAY + 10 * HOUR).page("/app")
        s.after(5 * MINUTE).track("Task Created")


def test_use_falling_against_the_customers_own_habit_is_a_quiet_decline() -> None:
    s = Stream()
    _visits(s, [d for d in range(0, 60) if d % 7 in (0, 2, 4)])  # three visits a week for two months
    _visits(s, [66, 80])  # then almost nothing
    d = QuietDecline(QuietDeclineSettings(), NAMES)
    found = seen(d, s.events, T0 + 95 * DAY)
    assert len(found) == 1 and found[0].details["ratio"] <= 0.35
    assert T0 + 80 * DAY < found[0].first_seen < T0 + 95 * DAY  # a month of it is not yet beyond chance


def test_a_holiday_and_a_light_customers_steady_low_use_are_not_declines() -> None:
    holiday = Stream()
    _visits(holiday, [d for d in range(0, 90) if d % 7 in (0, 2, 4) and not 40 <= d < 50])
    steady_light = Stream()
    _visits(steady_light, list(range(3, 90, 12)))
    d = QuietDecline(QuietDeclineSettings(), NAMES)
    assert seen(d, holiday.events, T0 + 90 * DAY) == []
    assert seen(d, steady_light.events, T0 + 90 * DAY) == []


def test_stopping_after_a_cancellation_is_the_expected_end_not_a_quiet_decline() -> None:
    s = Stream()
    _visits(s, [d for d in range(0, 56) if d % 7 in (0, 2, 4)])
    s.at(55 * DAY).track("Subscription Cancelled", device=None, reason="too_expensive")
    assert seen(QuietDecline(QuietDeclineSettings(), NAMES), s.events, T0 + 90 * DAY) == []


def test_a_customer_known_from_before_is_their_own_baseline_from_the_first_day_but_a_new_one_settles_in_first() -> None:
    known = Stream()
    _visits(known, [d for d in range(0, 35) if d % 7 in (0, 1, 2, 4)])  # four days a week, then nothing
    signed_up = Stream()
    signed_up.at(0).track("Signed Up", plan="free")
    _visits(signed_up, [d for d in range(0, 35) if d % 7 in (0, 1, 2, 4)])
    d = QuietDecline(QuietDeclineSettings(), NAMES)
    known_found = seen(d, known.events, T0 + 70 * DAY)
    new_found = seen(d, signed_up.events, T0 + 70 * DAY)
    assert len(known_found) == 1 and known_found[0].details["ratio"] <= 0.35
    assert known_found[0].started >= T0 + 21 * DAY and known_found[0].details["baseline_days"] >= 21
    # The new customer's first two weeks are no habit: their baseline starts later, and so does the judgement.
    assert len(new_found) == 1 and new_found[0].first_seen > known_found[0].first_seen
    assert new_found[0].details["baseline_days"] <= 21


def test_a_decline_ends_when_use_is_back_to_the_customers_habit() -> None:
    s = Stream()
    _visits(s, [d for d in range(0, 42) if d % 7 in (0, 1, 2, 4)])
    _visits(s, [d for d in range(70, 100) if d % 7 in (0, 1, 2, 4)])
    found = seen(QuietDecline(QuietDeclineSettings(), NAMES), s.events, T0 + 100 * DAY)
    assert len(found) == 1 and found[0].resolved_at is not None
    assert T0 + 70 * DAY < found[0].resolved_at <= T0 + 85 * DAY


def test_several_visits_on_one_day_are_one_day_of_use() -> None:
    s = Stream()
    for day in [d for d in range(0, 42) if d % 7 in (0, 2, 4)]:
        for hour in (9, 11, 14, 16):  # four visits, each in its own hour
            s.at(day * DAY + hour * HOUR).page("/app")
    _visits(s, [49, 70])
    found = seen(QuietDecline(QuietDeclineSettings(), NAMES), s.events, T0 + 75 * DAY)
    assert found and found[0].details["baseline_active_days"] <= 18  # days, not the 4 × as many hours


def test_the_chance_of_so_few_active_days_is_the_hypergeometric_tail() -> None:
    from math import comb

    for days, active, drawn, k in [(84, 30, 28, 3), (63, 12, 21, 0), (70, 70, 14, 13), (49, 20, 21, 9), (30, 5, 7, 5)]:
        exact = sum(comb(active, i) * comb(days - active, drawn - i) for i in range(k + 1)) / comb(days, drawn)
        assert abs(fewer_by_chance(k, days, active, drawn) - exact) < 1e-9 * max(1.0, exact) + 1e-15


def test_a_state_kept_in_active_hours_is_judged_again_in_active_days() -> None:
    s = Stream()
    _visits(s, [d for d in range(0, 60) if d % 7 in (0, 2, 4)])
    _visits(s, [66, 80])
    d = QuietDecline(QuietDeclineSettings(), NAMES)
    hours = sorted({(e.ts // HOUR): e.seq for e in reversed(s.events)}.items())
    old = {"h": [[h, q] for h, q in hours], "e": (T0 + 95 * DAY) // DAY, "p": [], "k": {"5": "gone"}}
    obs = d.observe(old, [], T0 + 95 * DAY)
    fresh = seen(d, s.events, T0 + 95 * DAY)
    assert obs.changed and obs.state is not None and "h" not in obs.state
    assert [f.key for f in obs.upserts] == [f.key for f in fresh] and obs.retractions == []


# --- order does not matter -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_events_fed_in_shuffled_pieces_give_what_ordered_events_give(seed: int) -> None:
    s = Stream()
    for _ in range(3):
        s.after(250).click()
    s.after(1_500).page("/app/reports")
    s.after(2_000).click("a.invoice-download")
    s.after(10_000).page("/app")
    _fill(s, "billing", ["card_name", "card_number"])
    s.after(30_000).page("/app")
    for _ in range(3):
        s.after(40_000).track(NAMES.help_searched, query="invoice", results=0)
    for make in (
        lambda: RageClick(RageClickSettings(), NAMES),
        lambda: DeadClick(DeadClickSettings(), NAMES),
        lambda: FormAbandonment(FormAbandonmentSettings(), NAMES),
        lambda: HelpLoop(HelpLoopSettings(), NAMES),
    ):
        ordered = {f.key: f for f in seen(make(), s.events)}
        assert ordered, make
        # Browser events may swap within a couple of seconds: pieces are judged as of their newest event.
        assert seen_in_pieces(make(), s.events, 1, seed) == ordered
