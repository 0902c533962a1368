"""Care's channels against real servers, on SQLite and PostgreSQL: e-mail over SMTP (aiosmtpd) in the customer's
language and tone, signed webhooks retried with backoff and dead-lettered, a Slack-compatible note with the item's
link, an SMTP server that is down; and the customer's own choices checked again at the moment a message would leave
(quiet hours where they are, the frequency cap across playbooks, "don't contact me first", withdrawn consent, a
preferred channel other than e-mail)."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from omotenashi.bootstrap import Runtime
from omotenashi.core.clock import to_epoch_ms
from omotenashi.core.purposes import ConsentMethod
from omotenashi.store import care as repo
from omotenashi.store import care_actions as actions_repo
from omotenashi.store import staff as staff_repo
from omotenashi.store.care_actions import Action
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
from tests.staff_support import add_staff, customer_of
from tests.support import free_port

SECRET_ENV = "CARE_TEST_WEBHOOK_SECRET"
BASE = "http://127.0.0.1:8000"  # the runtime's address when none is configured: links in notes point there

TEMPLATES: dict[str, Any] = {
    "stuck": {
        "subject": {"en": "Can we help, {{ first_name }}?", "ja": "{{ name }}様、お手伝いできることはありますか"},
        "body": {
            "en": "Hello {{ first_name }},\nit looked like the export button did not answer.\n{{ company }}",
            "ja": "{{ name }}様\nエクスポートのボタンが反応しなかったようです。\n{{ company }}",
        },
        "tones": {
            "casual": {
                "subject": {"en": "Hey {{ first_name }}, stuck on exports?"},
                "body": {"en": "Hey {{ first_name }}! That button was being stubborn. Want a hand?"},
            }
        },
    }
}


def auto(channel: str = "email", **then: Any) -> dict[str, Any]:
    """A rage-click playbook whose message is sent automatically through `channel`."""
    spec = {"message": {"template": "stuck", "channel": channel, "send": "auto"}, "owner": {"team": "support"}}
    return rage_playbook(then={**spec, **then})


def notify_only(**then: Any) -> dict[str, Any]:
    """A rage-click playbook that sends no message, only what `then` says (a webhook, a note)."""
    return rage_playbook(then={"owner": {"team": "support"}, **then})


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(T0 + HOUR)


@pytest.fixture
def make(tmp_path: Path, store_url: str, clock: MovingClock) -> Iterator[Any]:
    """Build the care runtime with these `care:` changes (templates above unless given); closed after the test."""
    made: list[Runtime] = []

    def build(**care: Any) -> Runtime:
        care.setdefault("templates", TEMPLATES)
        runtime = care_runtime(tmp_path, store_url, clock, **care)
        made.append(runtime)
        return runtime

    yield build
    for runtime in made:
        runtime.close()


def smtp(port: int) -> dict[str, Any]:
    return {"type": "smtp", "host": "127.0.0.1", "port": port, "sender": "Care <care@shop.example>"}


def item_of(runtime: Runtime, user: str) -> repo.CareItem:
    with runtime.engines.read.connect() as conn:
        found = repo.of_customers(conn, "shop", [customer_of(runtime, "user_id", user)])
    assert len(found) == 1, found
    return found[0]


def items_of(runtime: Runtime, user: str) -> list[repo.CareItem]:
    with runtime.engines.read.connect() as conn:
        return repo.of_customers(conn, "shop", [customer_of(runtime, "user_id", user)])


def actions(runtime: Runtime, item_id: str) -> list[Action]:
    with runtime.engines.read.connect() as conn:
        return actions_repo.of_item(conn, "shop", item_id)


def history(runtime: Runtime, item_id: str) -> list[repo.LogEntry]:
    with runtime.engines.read.connect() as conn:
        return repo.log_of(conn, "shop", item_id)


def whats(runtime: Runtime, item_id: str) -> list[str]:
    return [e.what for e in history(runtime, item_id)]


def lead(runtime: Runtime) -> StaffMember:
    add_staff(runtime, "lee@example.com", role="lead", name="Lee Lead")
    with runtime.engines.read.connect() as conn:
        found = staff_repo.by_email(conn, "shop", "lee@example.com")
    assert found is not None
    return found


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # SMTP carries lines ended by CRLF


# --- e-mail over SMTP -----------------------------------------------------------------------------------------------


def test_a_message_arrives_over_smtp_in_the_customers_language_and_tone(make: Any) -> None:
    with smtp_server() as inbox:
        runtime = make(channels={"email": smtp(inbox.port)}, playbooks={"rage_help": auto()})
        send(
            runtime,
            [
                who("hanako", name="田中 花子", email="hanako@example.jp", language="ja"),
                who("sam", name="Sam Reed", email="sam@example.com", tone="casual"),
                who("ada", name="Ada Lane", email="ada@example.com"),
                *rage("hanako", 1_000),
                *rage("sam", 20_000),
                *rage("ada", 40_000),
            ],
        )
        done = runtime.care.dispatch()
        assert (done.sent, done.failed, done.dead, done.waiting, done.cancelled) == (3, 0, 0, 0, 0)
        got = {str(m["To"]): m for m in inbox.wait_for(3)}
    assert set(got) == {"hanako@example.jp", "sam@example.com", "ada@example.com"}

    ja = got["hanako@example.jp"]
    assert ja["Subject"] == "田中 花子様、お手伝いできることはありますか"
    assert body_of(ja) == "田中 花子様\nエクスポートのボタンが反応しなかったようです。\nTest shop\n"
    assert ja["Content-Language"] == "ja" and ja["From"] == "Care <care@shop.example>"
    casual = got["sam@example.com"]
    assert casual["Subject"] == "Hey Sam, stuck on exports?"
    assert body_of(casual) == "Hey Sam! That button was being stubborn. Want a hand?\n"
    plain = got["ada@example.com"]
    assert plain["Subject"] == "Can we help, Ada?" and body_of(plain).startswith("Hello Ada,\n")

    item = item_of(runtime, "hanako")
    [sent] = actions(runtime, item.id)
    assert (sent.kind, sent.status, sent.attempts, sent.payload["language"]) == ("message", "sent", 1, "ja")
    assert sent.id in str(ja["Message-ID"]) and ja["Auto-Submitted"] == "auto-generated"  # no person sent it
    assert whats(runtime, item.id)[-2:] == ["queued", "sent"]


class _Keep:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.inbox.arrived:
            self.inbox.messages.append(parsed)  # type: ignore[arg-type]
            self.inbox.arrived.notify_all()
        return "250 OK"


@contextmanager
def smtp_on(port: int) -> Iterator[Inbox]:
    """A real SMTP server on a port chosen before it starts (the one the house file names)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox("127.0.0.1", port)
    controller = Controller(_Keep(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.mark.slow
def test_an_smtp_server_that_is_down_is_retried_with_backoff_then_dead_lettered_and_nothing_is_lost(
    make: Any, clock: MovingClock
) -> None:
    port = free_port()  # nothing listens here yet
    runtime = make(channels={"email": smtp(port)}, playbooks={"rage_help": auto()})
    send(runtime, [who("u1", name="Aiko Tanaka"), *rage("u1", 1_000)])
    item = item_of(runtime, "u1")
    [queued] = actions(runtime, item.id)

    waits = []
    for attempt in range(1, 9):  # care messages: 8 attempts, 60 s doubling up to an hour
        done = runtime.care.dispatch()
        [now] = actions(runtime, item.id)
        assert now.attempts == attempt and "Connection refused" in (now.last_error or ""), now.last_error
        if attempt < 8:
            assert (done.failed, done.dead, now.status) == (1, 0, "queued")
            waits.append(now.next_at - clock.ms)
            assert runtime.care.dispatch().failed == 0  # not due again before its wait is over
            clock.ms = now.next_at
        else:
            assert (done.failed, done.dead, now.status) == (0, 1, "dead")
    assert waits == [s * 1000 for s in (60, 120, 240, 480, 960, 1920, 3600)]
    assert whats(runtime, item.id)[-8:] == ["failed"] * 7 + ["dead"]
    [dead] = runtime.care.dead_letters("shop")
    assert dead.id == queued.id and dead.payload == queued.payload  # the whole message is kept

    with smtp_on(port) as inbox:  # the server is back: send it again from the dead-letter list
        runtime.care.retry(lead(runtime), dead.id)
        assert runtime.care.dispatch().sent == 1
        [arrived] = inbox.wait_for(1)
    assert arrived["Subject"] == queued.payload["subject"] and body_of(arrived) == queued.payload["body"]
    assert runtime.care.dead_letters("shop") == []
    assert whats(runtime, item.id)[-2:] == ["queued", "sent"]


# --- signed webhooks and Slack-compatible notes ---------------------------------------------------------------------


def verify(secret: str, headers: dict[str, str], body: bytes) -> int:
    """Check a request's signature as a receiver would; its timestamp."""
    parts = dict(p.split("=", 1) for p in headers["x-omotenashi-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"]), "the signature does not verify"
    return int(parts["t"])


def test_a_signed_webhook_is_retried_with_backoff_until_it_is_delivered(
    make: Any, clock: MovingClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "whsec-test-1")
    with receiver(503, 503, 200) as hook:
        ops = {"type": "webhook", "url": hook.url, "secret_env": SECRET_ENV, "backoff_seconds": 30}
        runtime = make(channels={"ops": ops}, playbooks={"rage_help": notify_only(webhook="ops")})
        send(runtime, [who("u1"), *rage("u1", 1_000)])
        item = item_of(runtime, "u1")

        assert runtime.care.dispatch().failed == 1
        [first] = actions(runtime, item.id)
        assert (first.status, first.attempts, first.next_at) == ("queued", 1, clock.ms + 30_000)
        assert "503" in (first.last_error or "")
        clock.ms += 29_999
        assert runtime.care.dispatch().failed == 0 and len(hook.received) == 1  # still waiting
        clock.ms += 1
        assert runtime.care.dispatch().failed == 1
        [second] = actions(runtime, item.id)
        assert (second.attempts, second.next_at) == (2, clock.ms + 60_000)  # the wait doubled
        clock.ms = second.next_at
        assert runtime.care.dispatch().sent == 1
        received = list(hook.received)

    [done] = actions(runtime, item.id)
    assert (done.status, done.attempts, done.kind, done.channel) == ("sent", 3, "webhook", "ops")
    assert [e.what for e in history(runtime, item.id) if e.what in ("failed", "sent", "dead")] == [
        "failed",
        "failed",
        "sent",
    ]
    assert len(received) == 3
    assert {h["x-omotenashi-delivery"] for h, _ in received} == {done.id}  # one idempotency key for every attempt
    for headers, body in received:
        assert headers["content-type"] == "application/json"
        assert abs(verify("whsec-test-1", headers, body) - time.time()) < 120
    payload = json.loads(received[-1][1])
    assert payload["type"] == "care_item.created" and payload["id"] == item.id
    assert payload["customer_id"] == item.customer_id and payload["playbook"] == "rage_help"
    assert payload["url"] == f"{BASE}/staff/care/{item.id}" and payload["priority"] == 2  # normal
    assert payload["title"] == "Rage clicks: offer help" and payload["reason"]
    # A body changed on the way does not verify with the same signature.
    with pytest.raises(AssertionError, match="does not verify"):
        verify("whsec-test-1", received[0][0], received[0][1].replace(b"rage_help", b"rage_hulp"))


def test_a_webhook_answered_with_a_client_error_is_dead_lettered_at_once_and_sent_again_when_asked(
    make: Any, clock: MovingClock
) -> None:
    with receiver(400) as hook:
        ops = {"type": "webhook", "url": hook.url, "max_attempts": 8}
        runtime = make(channels={"ops": ops}, playbooks={"rage_help": notify_only(webhook="ops")})
        send(runtime, [who("u1"), *rage("u1", 1_000)])
        item = item_of(runtime, "u1")
        done = runtime.care.dispatch()
        assert (done.dead, done.failed, done.sent) == (1, 0, 0)  # a 400 will not get better: no retries
        [dead] = runtime.care.dead_letters("shop")
        assert (dead.item_id, dead.status, dead.attempts, dead.channel) == (item.id, "dead", 1, "ops")
        assert "answered 400" in (dead.last_error or "")
        assert whats(runtime, item.id)[-1] == "dead"
        clock.ms += 2 * DAY
        assert runtime.care.dispatch().sent == 0 and len(hook.received) == 1  # a dead letter waits for a person

        runtime.care.retry(lead(runtime), dead.id)  # the receiver was fixed: it answers 200 from now on
        assert runtime.care.dead_letters("shop") == []
        assert runtime.care.dispatch().sent == 1
        received = list(hook.received)
    assert [h["x-omotenashi-delivery"] for h, _ in received] == [dead.id, dead.id]
    assert "x-omotenashi-signature" not in received[0][0]  # no secret configured: unsigned
    [sent] = actions(runtime, item.id)
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert whats(runtime, item.id)[-3:] == ["dead", "queued", "sent"]


def test_a_webhook_whose_secret_is_missing_is_not_sent_unsigned(make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with receiver() as hook:
        ops = {"type": "webhook", "url": hook.url, "secret_env": SECRET_ENV}
        runtime = make(channels={"ops": ops}, playbooks={"rage_help": notify_only(webhook="ops")})
        send(runtime, [who("u1"), *rage("u1", 1_000)])
        assert runtime.care.dispatch().failed == 1
        assert hook.received == []
    [waiting] = actions(runtime, item_of(runtime, "u1").id)
    assert waiting.status == "queued" and SECRET_ENV in (waiting.last_error or "")


def test_a_slack_compatible_channel_receives_a_text_with_the_items_link(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiver() as chat:
        monkeypatch.setenv("CARE_TEST_SLACK_URL", chat.url)
        channels = {"team_chat": {"type": "slack", "url_env": "CARE_TEST_SLACK_URL"}}
        runtime = make(channels=channels, playbooks={"rage_help": notify_only(notify="team_chat")})
        send(runtime, [who("u1"), *rage("u1", 1_000)])
        assert runtime.care.dispatch().sent == 1
        [(headers, body)] = chat.received
    item = item_of(runtime, "u1")
    note = json.loads(body)
    assert set(note) == {"text"} and headers["content-type"] == "application/json"
    assert note["text"].startswith("Rage clicks: offer help: ")
    assert f"<{BASE}/staff/care/{item.id}|Open the care item>" in note["text"]


# --- the customer's choices, checked again when the message would leave ---------------------------------------------


def at(zone: str, *parts: int) -> int:
    return to_epoch_ms(datetime(*parts, tzinfo=ZoneInfo(zone)))  # type: ignore[misc]


def eml(folder: Path) -> dict[str, EmailMessage]:
    """What the folder channel wrote: `<action id>.eml` → the message."""
    out = {}
    for path in sorted((folder / "outbox").glob("*.eml")):
        out[path.stem] = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return out  # type: ignore[return-value]


def test_quiet_hours_where_the_customer_is_hold_the_message_until_they_end(
    make: Any, clock: MovingClock, tmp_path: Path
) -> None:
    runtime = make(
        caps={"max_contacts": 1, "per_days": 7, "quiet_hours": "21:00-08:00"}, playbooks={"rage_help": auto()}
    )
    # 21:26 UTC: 06:26 the next morning in Tokyo (quiet), 14:26 in Los Angeles (not).
    send(
        runtime,
        [
            who("tokyo", timezone="Asia/Tokyo"),
            who("la", timezone="America/Los_Angeles"),
            *rage("tokyo", 1_000),
            *rage("la", 20_000),
        ],
    )
    done = runtime.care.dispatch()
    assert (done.sent, done.waiting) == (1, 1)
    tokyo, la = item_of(runtime, "tokyo"), item_of(runtime, "la")
    [held], [gone] = actions(runtime, tokyo.id), actions(runtime, la.id)
    eight = at("Asia/Tokyo", 2026, 5, 29, 8, 0)
    assert (held.status, held.next_at, held.last_error) == ("queued", eight, "quiet_hours")
    assert gone.status == "sent" and list(eml(tmp_path)) == [gone.id]
    waiting = history(runtime, tokyo.id)[-1]
    assert (waiting.what, waiting.details["why"], waiting.details["until"]) == ("waiting", "quiet_hours", eight)

    clock.ms = eight - 60_000
    assert runtime.care.dispatch().sent == 0
    clock.ms = eight
    assert runtime.care.dispatch().sent == 1
    assert set(eml(tmp_path)) == {gone.id, held.id}
    assert [a.status for a in actions(runtime, tokyo.id)] == ["sent"]
    assert whats(runtime, tokyo.id).count("waiting") == 1  # held once, not logged again on every look


def test_the_frequency_cap_across_playbooks_holds_the_second_message_until_it_frees(
    make: Any, clock: MovingClock, tmp_path: Path
) -> None:
    second = auto()
    second["title"] = {"en": "Rage clicks: a second playbook", "ja": "連打：二つ目"}
    runtime = make(playbooks={"rage_help": auto(), "rage_again": second})
    send(runtime, [who("u1"), *rage("u1", 1_000)])
    made = items_of(runtime, "u1")
    assert sorted(i.playbook for i in made) == ["rage_again", "rage_help"]  # one item per playbook and reason

    done = runtime.care.dispatch()
    assert (done.sent, done.waiting) == (1, 1)
    every = [a for i in made for a in actions(runtime, i.id)]
    [first] = [a for a in every if a.status == "sent"]
    [held] = [a for a in every if a.status == "queued"]
    assert first.item_id != held.item_id
    assert first.sent_at is not None and (held.next_at, held.last_error) == (first.sent_at + 7 * DAY, "cap")
    assert list(eml(tmp_path)) == [first.id]

    clock.ms = held.next_at - 1
    assert runtime.care.dispatch().sent == 0
    clock.ms = held.next_at
    assert runtime.care.dispatch().sent == 1
    assert set(eml(tmp_path)) == {first.id, held.id}


def test_dont_contact_me_first_cancels_the_message_with_the_reason_in_the_history(make: Any, tmp_path: Path) -> None:
    runtime = make(playbooks={"rage_help": auto()})
    send(runtime, [who("u1", do_not_contact_first=True), *rage("u1", 1_000)])
    item = item_of(runtime, "u1")
    done = runtime.care.dispatch()
    assert (done.sent, done.cancelled) == (0, 1)
    [cancelled] = actions(runtime, item.id)
    assert (cancelled.status, cancelled.last_error) == ("cancelled", "no_first_contact")
    last = history(runtime, item.id)[-1]
    assert (last.what, last.details["why"], last.details["action"]) == ("not_sent", "no_first_contact", cancelled.id)
    assert eml(tmp_path) == {} and item_of(runtime, "u1").status == "open"  # a person can still help when asked


def test_a_preferred_channel_other_than_email_blocks_the_email(make: Any, tmp_path: Path) -> None:
    runtime = make(playbooks={"rage_help": auto()})
    send(runtime, [who("u1", preferred_channel="phone"), *rage("u1", 1_000)])
    item = item_of(runtime, "u1")
    assert runtime.care.dispatch().cancelled == 1
    assert [(a.status, a.last_error) for a in actions(runtime, item.id)] == [("cancelled", "not_email")]
    assert history(runtime, item.id)[-1].details["why"] == "not_email" and eml(tmp_path) == {}


def test_consent_withdrawn_in_the_privacy_center_after_the_item_was_made_stops_the_message(
    make: Any, tmp_path: Path
) -> None:
    runtime = make(playbooks={"rage_help": auto()})
    send(runtime, [who("u1"), who("u2"), *rage("u1", 1_000), *rage("u2", 20_000)])
    item = item_of(runtime, "u1")
    assert [a.status for a in actions(runtime, item.id)] == ["queued"]
    runtime.privacy.change_consent("shop", item.customer_id, "care", False, ConsentMethod.PORTAL, "portal")
    closed = item_of(runtime, "u1")
    assert (closed.status, closed.outcome) == ("closed", "consent_withdrawn")  # out of the queue at once

    done = runtime.care.dispatch()
    assert (done.sent, done.cancelled) == (1, 1)  # u2 still gets theirs
    [cancelled] = actions(runtime, item.id)
    assert (cancelled.status, cancelled.last_error) == ("cancelled", "item_closed")
    last = history(runtime, item.id)[-1]
    assert (last.what, last.details["why"]) == ("not_sent", "item_closed")
    assert list(eml(tmp_path)) == [actions(runtime, item_of(runtime, "u2").id)[0].id]


def test_consent_withdrawn_by_the_tracker_after_the_item_was_made_stops_the_message(make: Any, tmp_path: Path) -> None:
    runtime = make(playbooks={"rage_help": auto()})
    send(runtime, [who("u1"), *rage("u1", 1_000)])
    item = item_of(runtime, "u1")
    send(runtime, [message("u1", 30_000, event="Consent Withdrawn", properties={"purpose": "care"})])
    still = item_of(runtime, "u1")
    assert (
        still.status == "open"
    )  # the tracker's withdrawal does not close the item: the check at sending does the rest

    done = runtime.care.dispatch()
    assert (done.sent, done.cancelled) == (0, 1)
    [cancelled] = actions(runtime, item.id)
    assert (cancelled.status, cancelled.last_error) == ("cancelled", "consent")
    last = history(runtime, item.id)[-1]
    assert (last.what, last.details["why"]) == ("not_sent", "consent")
    assert eml(tmp_path) == {}


def test_erasing_a_customer_deletes_the_messages_the_folder_channel_wrote_them_and_no_one_elses(
    make: Any, tmp_path: Path
) -> None:
    runtime = make(playbooks={"rage_help": auto()})
    send(runtime, [who("u1"), who("u2"), *rage("u1", 1_000), *rage("u2", 20_000)])
    assert runtime.care.dispatch().sent == 2
    [mine], [theirs] = actions(runtime, item_of(runtime, "u1").id), actions(runtime, item_of(runtime, "u2").id)
    assert set(eml(tmp_path)) == {mine.id, theirs.id}
    receipt = runtime.privacy.erase("shop", customer_of(runtime, "user_id", "u1"), via="cli")
    assert receipt["removed"]["messages_in_folders"] == 1 and receipt["removed"]["care_actions"] == 1
    assert set(eml(tmp_path)) == {theirs.id}
