"""The care queue's pages over HTTP on a live server, on SQLite and PostgreSQL: the views, claiming, sending the
edited suggestion (the e-mail carries the edit), logging a call, reassigning with a reason and the ping-pong it
counts, resolving; who may act on whose item; dead letters sent again from their page; hostile text shown as text;
and the outcome report of a playbook with a random holdout, read once, matching a hand computation."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from omotenashi.bootstrap import Runtime
from omotenashi.store import care as repo
from omotenashi.store import care_actions as actions_repo
from omotenashi.store import goodwill as goodwill_repo
from omotenashi.store import signals as signals_repo
from omotenashi.store.staff import StaffMember
from tests.care_support import (
    DAY,
    HOUR,
    T0,
    MovingClock,
    care_runtime,
    message,
    rage,
    rage_playbook,
    receiver,
    send,
    who,
)
from tests.portal_support import Inbox, smtp_server
from tests.staff_support import add_staff, customer_of, form_csrf, signed_in
from tests.support import live_server

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(T0 + HOUR)


def item_of(runtime: Runtime, user: str, playbook: str | None = None) -> repo.CareItem:
    with runtime.engines.read.connect() as conn:
        found = repo.of_customers(conn, "shop", [customer_of(runtime, "user_id", user)])
    found = [i for i in found if playbook is None or i.playbook == playbook]
    assert len(found) == 1, found
    return found[0]


def get_item(runtime: Runtime, item_id: str) -> repo.CareItem:
    with runtime.engines.read.connect() as conn:
        found = repo.get(conn, "shop", item_id)
    assert found is not None
    return found


def log_of(runtime: Runtime, item_id: str) -> list[repo.LogEntry]:
    with runtime.engines.read.connect() as conn:
        return repo.log_of(conn, "shop", item_id)


def actions_of(runtime: Runtime, item_id: str) -> list[actions_repo.Action]:
    with runtime.engines.read.connect() as conn:
        return actions_repo.of_item(conn, "shop", item_id)


def grants_of(runtime: Runtime, item_id: str) -> list[goodwill_repo.Grant]:
    with runtime.engines.read.connect() as conn:
        return goodwill_repo.ledger(conn, "shop", item_id=item_id)


def listed(page: httpx.Response) -> set[str]:
    """The items a queue page lists."""
    assert page.status_code == 200, page.text[:500]
    return set(re.findall(r'<tr data-item="([^"]+)"', page.text))


def post(client: httpx.Client, csrf: str, path: str, **form: str) -> httpx.Response:
    return client.post(path, data={"csrf": csrf, **form})


def problem(page: httpx.Response) -> str:
    found = re.search(r'<p class="error" role="alert" id="problem">(.*?)</p>', page.text, flags=re.S)
    assert found, page.text[:2000]
    return html.unescape(found.group(1))


def draft(page: httpx.Response) -> tuple[str, str]:
    """The suggested message's subject and text, as the form offers them for editing."""
    subject = re.search(r'name="subject" value="([^"]*)"', page.text)
    body = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', page.text, flags=re.S)
    assert subject and body, page.text[:2000]
    return html.unescape(subject.group(1)), html.unescape(body.group(1))


DESK = rage_playbook(who={"traits": {"cohort": ["desk"]}})
WATCH: dict[str, Any] = {
    "title": {"en": "Rage clicks: watch only", "ja": "連打：見守り"},
    "when": {"signal": "rage_click"},
    "who": {"traits": {"cohort": ["watch"]}},
    "then": {"owner": {"team": "support"}},
    "outcome": {"recovered_when": "signal_resolved", "within_days": 7},
    "holdout_share": 0.5,
}


@dataclass
class Desk:
    runtime: Runtime
    url: str
    inbox: Inbox
    ann: StaffMember
    ben: StaffMember
    lee: StaffMember


@pytest.fixture
def desk(tmp_path: Path, store_url: str, clock: MovingClock) -> Iterator[Desk]:
    """Items made before anyone could own them (unassigned; some held out), then staff, then items they own."""
    with smtp_server() as inbox:
        channels = {"email": {"type": "smtp", "host": "127.0.0.1", "port": inbox.port, "sender": "care@shop.example"}}
        runtime = care_runtime(
            tmp_path, store_url, clock, channels=channels, playbooks={"rage_help": DESK, "watch": WATCH}
        )
        try:
            watchers = [f"w{n:02d}" for n in range(16)]  # at a 50 % holdout, all 16 treated has odds of 1 in 65,536
            send(
                runtime,
                [who("early", cohort="desk"), *rage("early", 1_000)]
                + [who(w, cohort="watch") for w in watchers]
                + [line for n, w in enumerate(watchers) for line in rage(w, 10_000 * (n + 1))],
            )
            ann = add_staff(runtime, "ann@example.com", name="Ann Abe")
            ben = add_staff(runtime, "ben@example.com", name="Ben Baba")
            lee = add_staff(runtime, "lee@example.com", role="lead", name="Lee Lead")
            send(runtime, [who("u1", name="Umi Sato", cohort="desk"), *rage("u1", 300_000)])  # round robin: Ann
            send(runtime, [who("u2", name="Jo Kim", cohort="desk"), *rage("u2", 400_000)])  # then Ben
            from tests.support import live_server

            with live_server(runtime) as url:
                yield Desk(runtime, url, inbox, ann, ben, lee)
        finally:
            runtime.close()


def test_the_home_page_starts_a_shift_with_ones_own_items_and_the_friction_open_now(
    desk: Desk, clock: MovingClock
) -> None:
    runtime = desk.runtime
    mine, bens = item_of(runtime, "u1"), item_of(runtime, "u2")
    assert (mine.owner_id, bens.owner_id) == (desk.ann.id, desk.ben.id)
    with runtime.engines.read.connect() as conn:
        rage_open = signals_repo.counts(conn, "shop").get(("rage_click", "open"), 0)
    figures = runtime.care.counts("shop")
    assert rage_open > 0 and figures["open"] >= 2 and figures["unassigned"] >= 1

    c, _ = signed_in(desk.url, "ann@example.com")
    home = c.get("/staff/")
    assert home.status_code == 200
    assert re.findall(r'<li data-item="([^"]+)"', home.text) == [mine.id]  # hers only, not Ben's
    assert bens.id not in home.text and 'class="overdue"' not in home.text
    for n, label in (
        (1, "yours"),
        (figures["open"], "to do in the queue"),
        (figures["overdue"], "overdue"),
        (figures["unassigned"], "unassigned"),
    ):
        assert re.search(rf"<li><b(?: class=\"error\")?>{n}</b> {label}</li>", home.text), label
    link = '<li data-kind="rage_click"><a href="/staff/friction?kind=rage_click">Rage clicks</a>'
    assert f"{link} <b>{rage_open}</b>" in home.text
    assert "will appear here" not in home.text

    clock.ms += 5 * HOUR  # four hours were given: her item is late now, and says so first thing
    late = c.get("/staff/")
    assert f'<li data-item="{mine.id}" class="overdue">' in late.text
    assert re.search(r'<li><b class="error">\d+</b> overdue</li>', late.text)

    # More of her own than the page lists: the five most urgent, and a link to all of them with their number.
    users = [f"m{n:02d}" for n in range(12)]
    send(
        runtime,
        [who(u, cohort="desk") for u in users]
        + [line for n, u in enumerate(users) for line in rage(u, 500_000 + 10_000 * n)],
    )
    with runtime.engines.read.connect() as conn:
        hers = repo.queue(conn, "shop", repo.QueueFilter(owner_id=desk.ann.id))
    assert len(hers) > 5
    full = c.get("/staff/")
    assert re.findall(r'<li data-item="([^"]+)"', full.text) == [i.id for i in hers[:5]]
    assert f'<a href="/staff/care?view=mine">All {len(hers)} of yours</a>' in full.text
    assert f"<li><b>{len(hers)}</b> yours</li>" in full.text
    c.close()

    add_staff(runtime, "pat@example.com", role="privacy_officer", name="Pat Privacy")
    p, _ = signed_in(desk.url, "pat@example.com")
    theirs = p.get("/staff/")
    assert theirs.status_code == 200 and 'id="my-care"' not in theirs.text  # nobody's care items to work
    assert 'id="friction-now"' in theirs.text  # every role may see customers, and so their friction
    p.close()


@pytest.mark.slow
def test_a_frontline_day_in_the_care_queue(desk: Desk, clock: MovingClock) -> None:
    runtime, ann, ben = desk.runtime, desk.ann, desk.ben
    early, mine, bens = item_of(runtime, "early"), item_of(runtime, "u1"), item_of(runtime, "u2")
    assert (early.owner_id, mine.owner_id, bens.owner_id) == (None, ann.id, ben.id)
    with runtime.engines.read.connect() as conn:
        held = {i.id for i in repo.queue(conn, "shop", repo.QueueFilter(statuses=(repo.HELD_OUT,)))}
    assert held, "a 50 % holdout of 16 customers kept nobody out"

    c, csrf = signed_in(desk.url, "ann@example.com")
    assert listed(c.get("/staff/care")) == {mine.id}  # my items by default
    unassigned = listed(c.get("/staff/care?view=unassigned"))
    assert early.id in unassigned and mine.id not in unassigned and not held & unassigned
    assert listed(c.get("/staff/care?view=held_out")) == held
    assert listed(c.get("/staff/care?view=overdue")) == set()
    clock.ms += 5 * HOUR  # four hours were given: now they are late
    overdue = c.get("/staff/care?view=overdue")
    assert {early.id, mine.id, bens.id} <= listed(overdue) and 'class="priority-1 overdue"' in overdue.text

    # Claim the unassigned item.
    r = post(c, csrf, f"/staff/care/{early.id}/claim")
    assert r.headers["location"] == f"/staff/care/{early.id}?done=claimed"
    assert "The item is yours now." in c.get(r.headers["location"]).text
    assert (get_item(runtime, early.id).owner_id, get_item(runtime, early.id).status) == (ann.id, "claimed")
    assert listed(c.get("/staff/care")) == {mine.id, early.id}

    # Edit the suggested message and send it: the e-mail carries the edited text.
    page = c.get(f"/staff/care/{mine.id}")
    subject, body = draft(page)
    assert subject == "Can we help with ?"  # a rage click happens at no journey step: `step` is empty
    # ... and the page says so before anyone sends it.
    [warning] = re.findall(r'<p class="small error" id="blanks">(.*?)</p>', page.text)
    assert html.unescape(warning).startswith("This message uses {{ step }}, which this item has no value for")
    assert body.startswith("Hello Umi,\nit looked like the button did not answer. Ann Abe")
    assert "It can go now, to u1@example.com." in page.text
    edited = body.strip() + "\nI exported the report for you: it is in your account now."
    r = post(c, csrf, f"/staff/care/{mine.id}/send", subject="Your export is ready, Umi", body=edited)
    assert r.headers["location"] == f"/staff/care/{mine.id}?done=sent"
    assert "The message is on its way." in c.get(r.headers["location"]).text
    assert runtime.care.dispatch().sent == 1
    [mail] = desk.inbox.wait_for(1)
    text = mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert (mail["Subject"], mail["To"], mail["Auto-Submitted"]) == (
        "Your export is ready, Umi",
        "u1@example.com",
        "no",
    )
    assert text == edited + "\n"
    [sent] = actions_of(runtime, mine.id)
    assert f'data-action="{sent.id}" data-status="sent"' in c.get(f"/staff/care/{mine.id}").text

    # Log a call (an empty one is refused).
    empty = post(c, csrf, f"/staff/care/{mine.id}/call", note="  ")
    assert empty.status_code == 400 and problem(empty) == "Say how the call went: a line is enough."
    r = post(c, csrf, f"/staff/care/{mine.id}/call", note="Called: the export works for her now.")
    assert r.headers["location"] == f"/staff/care/{mine.id}?done=call"
    assert "Call logged</strong> · Ann Abe — Called: the export works for her now." in c.get(r.headers["location"]).text

    # Reassign without a reason: refused, said on the page, nothing changed.
    before, history = get_item(runtime, mine.id), log_of(runtime, mine.id)
    r = post(c, csrf, f"/staff/care/{mine.id}/reassign", to=ben.id, reason="   ")
    said = "Say why it goes to someone else: the reason is kept in the item's history."
    assert r.status_code == 400 and problem(r) == said
    assert get_item(runtime, mine.id) == before and log_of(runtime, mine.id) == history

    # To Ben with a reason, and Ben hands it back: ping-pong, counted and shown.
    r = post(c, csrf, f"/staff/care/{mine.id}/reassign", to=ben.id, reason="Ben knows the export module")
    assert r.headers["location"] == f"/staff/care/{mine.id}?done=reassigned"
    moved = get_item(runtime, mine.id)
    assert (moved.owner_id, moved.reassignments, moved.ping_pong) == (ben.id, 1, 0)
    b, b_csrf = signed_in(desk.url, "ben@example.com")
    assert mine.id in listed(b.get("/staff/care"))
    r = post(b, b_csrf, f"/staff/care/{mine.id}/reassign", to=ann.id, reason="Ann already spoke to her")
    assert r.status_code == 303
    back = get_item(runtime, mine.id)
    assert (back.owner_id, back.reassignments, back.ping_pong) == (ann.id, 2, 1)
    item_page = c.get(f"/staff/care/{mine.id}").text
    assert "ping-pong ×1" in item_page and "reassigned 2 times" in item_page
    assert "Reassigned</strong> · Ben Baba — Ann already spoke to her" in item_page
    queue = c.get("/staff/care").text
    row = re.search(rf'<tr data-item="{mine.id}".*?</tr>', queue, flags=re.S)
    assert row and "ping-pong ×1" in row.group(0)
    assert "<li><b>1</b> passed back and forth</li>" in queue

    # Resolve with an outcome.
    r = post(c, csrf, f"/staff/care/{mine.id}/resolve", outcome="helped", note="She exported three reports since.")
    assert r.headers["location"] == f"/staff/care/{mine.id}?done=resolved"
    done = get_item(runtime, mine.id)
    assert (done.status, done.outcome, done.resolved_by, done.resolved_at) == ("resolved", "helped", ann.id, clock.ms)
    final = c.get(r.headers["location"]).text
    assert "The item is resolved. Thank you." in final and 'id="act"' not in final
    assert mine.id not in listed(c.get("/staff/care")) and mine.id in listed(c.get("/staff/care?view=done"))
    assert post(c, csrf, f"/staff/care/{mine.id}/call", note="again").status_code == 409  # it is over
    assert [e.what for e in log_of(runtime, mine.id)] == [
        "created", "assigned", "queued", "sent", "call", "reassigned", "reassigned", "resolved",
    ]  # fmt: skip
    for client in (c, b):
        client.close()


@pytest.mark.slow
def test_frontline_staff_cannot_act_on_someone_elses_item_but_a_lead_can(desk: Desk) -> None:
    runtime, ann, ben, lee = desk.runtime, desk.ann, desk.ben, desk.lee
    bens = item_of(runtime, "u2")
    assert bens.owner_id == ben.id
    c, csrf = signed_in(desk.url, "ann@example.com")
    before, history = get_item(runtime, bens.id), log_of(runtime, bens.id)
    attempts = {
        "claim": {},
        "send": {"subject": "Hi", "body": "Hello"},
        "call": {"note": "I called"},
        "reassign": {"to": ann.id, "reason": "mine now"},
        "resolve": {"outcome": "helped", "note": ""},
        "goodwill": {"kind": "credit", "value": "5", "reason": "service_failure", "note": ""},
    }
    for step, form in attempts.items():
        r = post(c, csrf, f"/staff/care/{bens.id}/{step}", **form)
        assert r.status_code == 403, (step, r.status_code)
        assert problem(r) == "This item belongs to someone else: ask them or a lead.", step
    assert get_item(runtime, bens.id) == before and log_of(runtime, bens.id) == history
    assert actions_of(runtime, bens.id) == [] and grants_of(runtime, bens.id) == []
    assert c.get(f"/staff/care/{bens.id}").status_code == 200  # reading it is fine

    lead, lead_csrf = signed_in(desk.url, "lee@example.com")
    r = post(lead, lead_csrf, f"/staff/care/{bens.id}/goodwill", kind="credit", value="5", reason="delay", note="")
    assert r.status_code == 303 and [g.staff_id for g in grants_of(runtime, bens.id)] == [lee.id]
    r = post(lead, lead_csrf, f"/staff/care/{bens.id}/reassign", to=ann.id, reason="Ben is away this week")
    assert r.status_code == 303 and get_item(runtime, bens.id).owner_id == ann.id
    r = post(c, csrf, f"/staff/care/{bens.id}/claim")  # now Ann's: she may act
    assert r.status_code == 303 and get_item(runtime, bens.id).status == "claimed"
    # A held-out customer's item is never worked, not even by a lead.
    with runtime.engines.read.connect() as conn:
        [held, *_] = repo.queue(conn, "shop", repo.QueueFilter(statuses=(repo.HELD_OUT,)))
    r = post(lead, lead_csrf, f"/staff/care/{held.id}/goodwill", kind="credit", value="5", reason="delay", note="")
    assert r.status_code == 409 and "holdout" in problem(r) and grants_of(runtime, held.id) == []
    for client in (c, lead):
        client.close()


def test_hostile_text_is_shown_as_text_and_dead_letters_are_sent_again_from_their_page(
    tmp_path: Path, store_url: str, clock: MovingClock
) -> None:
    from tests.support import live_server

    with receiver(400) as hook:
        ops = {"type": "webhook", "url": hook.url}
        playbook = rage_playbook(then={"owner": {"team": "support"}, "webhook": "ops", **DESK["then"]})
        runtime = care_runtime(
            tmp_path,
            store_url,
            clock,
            channels={"ops": ops, "email": {"type": "folder", "path": "outbox"}},
            playbooks={"rage_help": playbook},
        )
        try:
            add_staff(runtime, "ann@example.com", name="Ann Abe")
            send(runtime, [who("evil", name=f"{SCRIPT} Eve"), *rage("evil", 1_000)])
            item = item_of(runtime, "evil")
            assert runtime.care.dispatch().dead == 1
            [dead] = runtime.care.dead_letters("shop")
            with live_server(runtime) as url:
                c, csrf = signed_in(url, "ann@example.com")
                assert post(c, csrf, f"/staff/care/{item.id}/call", note=f"Note {IMG}").status_code == 303
                pages = [c.get("/staff/care").text, c.get(f"/staff/care/{item.id}").text]
                for text in pages:
                    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt; Eve" in text
                    assert "<script>window.__pwned" not in text
                assert "&lt;img src=x onerror=" in pages[1] and "<img src=x" not in pages[1]

                outbox = c.get("/staff/care/outbox")
                assert f'<tr data-action="{dead.id}">' in outbox.text and "answered 400" in outbox.text
                r = post(c, form_csrf(outbox.text), f"/staff/care/actions/{dead.id}/retry")
                assert r.headers["location"] == "/staff/care/outbox?done=retried"
                after = c.get(r.headers["location"]).text
                assert "The delivery is back in the queue." in after and f'data-action="{dead.id}"' not in after
                again = post(c, csrf, f"/staff/care/actions/{dead.id}/retry")
                assert again.status_code == 409  # not a dead letter any more
                assert runtime.care.dispatch().sent == 1  # the receiver answers 200 now
                assert "No failed deliveries." in c.get("/staff/care/outbox").text
                c.close()
            assert len(hook.received) == 2 and {h["x-omotenashi-delivery"] for h, _ in hook.received} == {dead.id}
        finally:
            runtime.close()


# --- did it help? ---------------------------------------------------------------------------------------------------

ORDERS = {
    "title": {"en": "Rage clicks: does help bring orders?", "ja": "連打：お手伝いで注文が増えるか"},
    "when": {"signal": "rage_click"},
    "then": {"owner": {"team": "support"}},
    "outcome": {"recovered_when": "event", "event": "Order Completed", "within_days": 7},
    "holdout_share": 0.5,
}
Z = 1.959963984540054


def by_hand(r1: int, n1: int, r2: int, n2: int) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 − p2, from Wilson's interval of each rate, written out again."""

    def wilson(r: int, n: int) -> tuple[float, float]:
        p = r / n
        centre = (2 * n * p + Z**2) / (2 * (n + Z**2))
        half = Z * math.sqrt(Z**2 + 4 * n * p * (1 - p)) / (2 * (n + Z**2))
        return centre - half, centre + half

    (l1, u1), (l2, u2) = wilson(r1, n1), wilson(r2, n2)
    p1, p2 = r1 / n1, r2 / n2
    return p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


@pytest.mark.slow
def test_the_outcome_report_counts_what_was_planted_and_reads_each_item_once(
    tmp_path: Path, store_url: str, clock: MovingClock
) -> None:
    from tests.support import live_server

    runtime = care_runtime(tmp_path, store_url, clock, playbooks={"orders": ORDERS})
    try:
        people = [f"p{n:02d}" for n in range(60)]
        send(runtime, [who(p) for p in people] + [line for n, p in enumerate(people) for line in rage(p, 10_000 * n)])
        items = {p: item_of(runtime, p) for p in people}
        treated = sorted(p for p in people if items[p].arm == "treated")
        held = sorted(p for p in people if items[p].arm == "holdout")
        assert len(treated) + len(held) == 60 and len(treated) >= 10 and len(held) >= 10, (len(treated), len(held))
        # Orders within the week: most of the helped customers, few of the held-out ones.
        bought = [p for k, p in enumerate(treated) if k % 4 != 0] + [p for k, p in enumerate(held) if k % 4 == 0]
        clock.ms = T0 + 2 * DAY
        send(runtime, [message(p, DAY + 1_000 * n, event="Order Completed") for n, p in enumerate(bought)])
        [early] = runtime.care.outcomes("shop")
        assert early.verdict == "too_early" and early.treated.read == early.holdout.read == 0  # the week is not over

        clock.ms = T0 + 9 * DAY
        send(runtime, [message("someone-else", 8 * DAY + HOUR, event="Signed In")])  # event time moves on
        [o] = runtime.care.outcomes("shop")
        t_rec, h_rec = sum(p in bought for p in treated), sum(p in bought for p in held)
        assert (o.treated.items, o.treated.read, o.treated.recovered) == (len(treated), len(treated), t_rec)
        assert (o.holdout.items, o.holdout.read, o.holdout.recovered) == (len(held), len(held), h_rec)
        assert o.difference == pytest.approx(t_rec / len(treated) - h_rec / len(held)) and o.difference > 0
        low, high = by_hand(t_rec, len(treated), h_rec, len(held))
        assert o.interval is not None
        assert (o.interval.low, o.interval.high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
        assert low > 0 and o.verdict == "helped"
        assert {item_of(runtime, p).status for p in held} == {"closed"}  # compared: out of the holdout list

        # Read once: an order arriving late for a held-out customer, inside their week, changes nothing.
        read_at = {p: (item_of(runtime, p).recovered, item_of(runtime, p).recovered_at) for p in people}
        late = next(p for p in held if p not in bought)
        clock.ms += DAY
        send(runtime, [message(late, 2 * DAY, event="Order Completed")])
        assert {p: (item_of(runtime, p).recovered, item_of(runtime, p).recovered_at) for p in people} == read_at
        assert runtime.care.outcomes("shop") == [o]

        add_staff(runtime, "ann@example.com", name="Ann Abe")
        add_staff(runtime, "hana@example.com", name="山田 花", language="ja")
        with live_server(runtime) as url:
            en, _ = signed_in(url, "ann@example.com")
            ja, _ = signed_in(url, "hana@example.com")
            page_en, page_ja = en.get("/staff/care/outcomes"), ja.get("/staff/care/outcomes")
            en.close()
            ja.close()
        assert page_en.status_code == page_ja.status_code == 200
        assert 'data-playbook="orders" data-verdict="helped"' in page_en.text
        assert f"({t_rec}/{len(treated)})" in page_en.text and f"({h_rec}/{len(held)})" in page_en.text
        assert f"{100 * low:+.1f} … {100 * high:+.1f} pp" in page_en.text
        assert "Did it help?" in page_en.text and "Rage clicks: does help bring orders?" in page_en.text
        assert (
            "お役に立てたか" in page_ja.text
            and "効果あり" in page_ja.text
            and "連打：お手伝いで注文が増えるか" in page_ja.text
        )
        assert "Did it help?" not in page_ja.text
        assert "The interval is 95 % (Newcombe)" in page_en.text and "95 %（Newcombe法）" in page_ja.text  # not "%%"
    finally:
        runtime.close()


def test_the_care_api_gives_the_queue_an_item_and_the_outcomes_as_json(tmp_path: Path, store_url: str) -> None:
    clock = MovingClock(T0 + HOUR)
    runtime = care_runtime(tmp_path, store_url, clock)
    try:
        add_staff(runtime, "ann@example.com", name="Ann Abe", language="ja")
        add_staff(runtime, "ben@example.com", name="Ben Baba")
        send(runtime, [who("u1"), *rage("u1", 1_000)])
        with live_server(runtime) as server:
            assert httpx.get(f"{server}/api/care/items").status_code == 401
            c, _ = signed_in(server)
            mine = c.get("/api/care/items", params={"view": "mine"})
            assert mine.status_code == 200, mine.text
            body = mine.json()
            [row] = body["items"]
            assert body["lang"] == "ja" and row["playbook"] == "rage_help" and row["owner"] == "Ann Abe"
            assert row["title"] == "連打：お手伝いを申し出る" and "3" in row["reason"] and row["priority"] == 1
            one = c.get(f"/api/care/items/{row['id']}").json()
            assert one["id"] == row["id"] and one["status"] == "open" and one["arm"] == "treated"
            assert c.get("/api/care/items/ci_nothing").status_code == 404
            bad = c.get("/api/care/items", params={"view": "everything"})
            assert bad.status_code == 400 and bad.json()["code"] == "bad_request"
            [outcome] = c.get("/api/care/outcomes").json()
            assert outcome["playbook"] == "rage_help" and outcome["verdict"] == "too_early"
            assert outcome["treated"]["items"] == 1 and outcome["treated"]["read"] == 0
            spec = httpx.get(f"{server}/openapi.json").json()
            assert {"/api/care/items", "/api/care/items/{item_id}", "/api/care/outcomes"} <= set(spec["paths"])
            c.close()
    finally:
        runtime.close()
