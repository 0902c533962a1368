"""Playbooks end to end on real SQLite and PostgreSQL: friction becomes one owned care item per customer and reason,
holdouts receive nothing, a customer can always reach a person, and messages leave only when the customer's own
choices allow it — checked at the moment of sending."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from omotenashi.bootstrap import Runtime
from omotenashi.core.purposes import ConsentMethod
from omotenashi.store import care as repo
from omotenashi.store import staff as staff_repo
from omotenashi.store.staff import StaffMember
from tests.care_support import HOUR, T0, MovingClock, care_runtime, message, rage, rage_playbook, send, who
from tests.staff_support import add_staff, customer_of, rows


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(T0 + HOUR)


@pytest.fixture
def care(tmp_path: Path, store_url: str, clock: MovingClock, request: pytest.FixtureRequest) -> Iterator[Runtime]:
    changes: dict[str, Any] = getattr(request, "param", {})
    runtime = care_runtime(tmp_path, store_url, clock, **changes)
    add_staff(runtime, "ann@example.com", name="Ann Abe")
    add_staff(runtime, "ben@example.com", name="Ben Baba")
    add_staff(runtime, "lee@example.com", role="lead", name="Lee Lead")
    try:
        yield runtime
    finally:
        runtime.close()


def items(runtime: Runtime, user: str | None = None) -> list[repo.CareItem]:
    with runtime.engines.read.connect() as conn:
        if user is None:
            return repo.queue(
                conn, "shop", repo.QueueFilter(statuses=("open", "claimed", "held_out", "resolved", "closed"))
            )
        return repo.of_customers(conn, "shop", [customer_of(runtime, "user_id", user)])


def staff_repo_members(runtime: Runtime) -> list[StaffMember]:
    with runtime.engines.read.connect() as conn:
        return staff_repo.list_staff(conn, "shop")


def entries(runtime: Runtime, item_id: str) -> list[repo.LogEntry]:
    with runtime.engines.read.connect() as conn:
        return repo.log_of(conn, "shop", item_id)


def member(runtime: Runtime, email: str) -> StaffMember:
    with runtime.engines.read.connect() as conn:
        found = staff_repo.by_email(conn, "shop", email)
    assert found is not None
    return found


def log(runtime: Runtime, item_id: str) -> list[str]:
    with runtime.engines.read.connect() as conn:
        return [e.what for e in repo.log_of(conn, "shop", item_id)]


def test_a_signal_becomes_one_owned_item_and_new_evidence_updates_it(care: Runtime) -> None:
    send(care, [who("u1"), who("u2"), *rage("u1", 1_000)])
    [item] = items(care, "u1")
    assert (item.playbook, item.status, item.arm, item.priority) == ("rage_help", "open", "treated", 1)
    assert item.due_at == T0 + HOUR + 4 * HOUR and item.trigger == "signal" and item.evidence["details"]["clicks"] == 3
    ann = rows(care, "SELECT id FROM staff WHERE email = 'ann@example.com'")[0]["id"]
    assert item.owner_id == ann and item.team == "support"
    assert log(care, item.id) == ["created", "assigned"]

    send(care, rage("u1", 1_750, clicks=4))  # the same burst goes on: the signal grows
    [same] = items(care, "u1")
    assert same.id == item.id and same.evidence["details"]["clicks"] == 7 and log(care, item.id)[-1] == "updated"

    send(care, rage("u2", 60_000))  # round robin: the next customer's item goes to the next member
    [other] = items(care, "u2")
    ben = rows(care, "SELECT id FROM staff WHERE email = 'ben@example.com'")[0]["id"]
    assert other.owner_id == ben


def test_an_item_whose_friction_ended_before_anyone_acted_closes_by_itself(care: Runtime) -> None:
    send(care, [who("u1"), *rage("u1", 1_000)])
    [item] = items(care, "u1")
    send(care, [message("u1", 3_000, event="Report Exported", properties={"format": "csv"})])  # the click answered
    [closed] = items(care, "u1")
    assert closed.id == item.id and closed.status == "closed" and closed.outcome == "recovered_on_their_own"
    assert log(care, item.id)[-1] == "closed"


@pytest.mark.parametrize("care", [{"playbooks": {}}], indirect=True)
def test_a_bot_loop_is_an_urgent_task_for_a_person_even_without_a_playbook(care: Runtime, clock: MovingClock) -> None:
    chat = {"conversation_id": "c-1"}
    lines = [
        who("u7"),
        message("u7", 1_000, event="Chat Started", properties={**chat, "with": "bot"}),
        message("u7", 2_000, event="Chat Message Sent", properties={**chat, "from": "customer", "text": "refund?"}),
        message("u7", 3_000, event="Human Requested", properties=chat),
        message(
            "u7", 4_000, event="Bot Suggested Article", properties={**chat, "article_id": "a1", "title": "Refunds"}
        ),
        message("someone", 20 * 60_000, event="Task Created"),  # time goes on: nobody joined within 10 minutes
    ]
    send(care, lines)
    [item] = items(care, "u7")
    assert (item.playbook, item.priority, item.arm, item.status) == ("reach_a_person", 0, "treated", "open")
    assert item.due_at == clock.ms + 30 * 60_000 and item.owner_id is not None
    assert item.evidence["signal"] == "bot_loop"


AUTO = {"message": {"template": "help_now", "channel": "email", "send": "auto"}, "owner": {"team": "support"}}


@pytest.mark.parametrize(
    "care",
    [{"holdout_share": 0.5, "playbooks": {"rage_help": rage_playbook(holdout_share=None, then=AUTO)}}],
    indirect=True,
)
def test_a_holdout_customer_gets_an_item_nobody_works_and_nothing_is_sent(care: Runtime) -> None:
    users = [f"h{n}" for n in range(40)]
    send(care, [who(u) for u in users] + [line for n, u in enumerate(users) for line in rage(u, 10_000 * n)])
    made = items(care)
    held = [i for i in made if i.arm == "holdout"]
    assert len(made) == 40 and 8 <= len(held) <= 32, len(held)
    assert all(i.status == "held_out" and i.owner_id is None for i in held)
    treated = [i for i in made if i.arm == "treated"]
    assert all(i.status == "open" and i.owner_id for i in treated)
    sent_to = {r["item_id"] for r in rows(care, "SELECT item_id FROM care_actions WHERE kind = 'message'")}
    assert sent_to == {i.id for i in treated}  # the automatic message went to the treated only
    care.care.evaluate()  # the arm is stable: looking again changes nothing
    assert {i.id: i.arm for i in items(care)} == {i.id: i.arm for i in made}


@pytest.mark.parametrize(
    "care",
    [
        {
            "playbooks": {
                "rage_help": rage_playbook(then={**AUTO, "message": {**AUTO["message"], "template": "stuck"}}),
                "signed": rage_playbook(then=AUTO, when={"signal": "rage_click", "min_severity": 1}),
            }
        }
    ],
    indirect=True,
)
def test_an_automatic_message_with_an_empty_place_waits_for_a_person_and_one_without_goes_signed(
    care: Runtime,
) -> None:
    # "Can we help with {{ step }}?" for a rage click, which happens at no journey step, would read "Can we help
    # with ?": it is not sent by itself; the item says why. The other playbook's message has no such place.
    send(care, [who("u9", name="Umi Sato"), *rage("u9", 1_000)])
    held, signed = sorted(items(care, "u9"), key=lambda i: i.playbook)
    assert (held.playbook, signed.playbook) == ("rage_help", "signed")
    messages = rows(care, "SELECT item_id, payload FROM care_actions WHERE kind = 'message'")
    assert [m["item_id"] for m in messages] == [signed.id]
    owner = next(m for m in staff_repo_members(care) if m.id == signed.owner_id)
    assert f"{owner.name} here: it looked like the button did not answer." in str(messages[0]["payload"])
    [why] = [e for e in entries(care, held.id) if e.what == "not_sent"]
    assert why.details == {"why": "blank", "blanks": ["step"]}
    assert "not_sent" not in log(care, signed.id)
    # The item's history says why in words, in the reader's language.
    reader = next(m for m in staff_repo_members(care) if m.id == held.owner_id)
    said = [d.get("why") for _, what, _, d in care.care.item(reader, held.id).history if what == "Not sent"]
    assert said == ["The suggested message has empty places: it waits for a person to read it first."]


@pytest.mark.parametrize(
    "care",
    [
        {
            "playbooks": {
                "team_plan": {
                    "title": {"en": "Team plan help", "ja": "チームプランのお手伝い"},
                    "when": {"signal": "rage_click"},
                    "who": {"traits": {"plan": ["team"]}},
                    "then": {"owner": {"team": "support"}},
                    "outcome": {"recovered_when": "signal_resolved"},
                    "holdout_share": 0,
                }
            }
        }
    ],
    indirect=True,
)
def test_who_conditions_and_withdrawn_consent_decide_who_gets_an_item(care: Runtime) -> None:
    send(care, [who("t1", plan="team"), who("f1", plan="free"), who("w1", plan="team")])
    cid = customer_of(care, "user_id", "w1")
    care.privacy.change_consent("shop", cid, "care", False, ConsentMethod.PORTAL, "portal")
    send(care, [*rage("t1", 1_000), *rage("f1", 5_000), *rage("w1", 9_000)])
    assert [i.playbook for i in items(care, "t1")] == ["team_plan"]
    assert items(care, "f1") == [] and items(care, "w1") == []


def test_withdrawing_care_takes_open_items_out_of_the_queue_at_once(care: Runtime) -> None:
    send(care, [who("u1"), *rage("u1", 1_000)])
    [item] = items(care, "u1")
    care.privacy.change_consent("shop", item.customer_id, "care", False, ConsentMethod.PORTAL, "portal")
    [closed] = items(care, "u1")
    assert closed.status == "closed" and closed.outcome == "consent_withdrawn"


def test_staff_resolved_items_are_not_reopened_until_the_friction_changes(care: Runtime) -> None:
    send(care, [who("u1"), *rage("u1", 1_000)])
    [item] = items(care, "u1")
    care.care.resolve(member(care, "ann@example.com"), item.id, "helped", "Called and showed the export menu.")
    care.care.evaluate()
    assert [i.status for i in items(care, "u1")] == ["resolved"]
    send(care, rage("u1", 1_750, clicks=3))  # the same friction grows again after it was resolved: a new item
    assert sorted(i.status for i in items(care, "u1")) == ["open", "resolved"]
