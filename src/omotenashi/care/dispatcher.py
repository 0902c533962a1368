"""The dispatcher: sends what is due in the care outbox, outside the writer (a slow SMTP server never holds up intake).

A message is checked again at the moment it would leave — the item is still open, consent for its purpose, "don't
contact me first", the preferred channel, the frequency cap, quiet hours — and waits, or is cancelled with the reason
in the item's history. A failed delivery is tried again with doubling waits, then dead-lettered, shown on a page and
retried from there; nothing is ever dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from omotenashi.care import contact
from omotenashi.care import facts as facts_mod
from omotenashi.care.channels import DeliveryFailed, Sender, build
from omotenashi.config.care import SlackChannel, WebhookChannel
from omotenashi.config.house import HouseFile
from omotenashi.core.clock import Clock, to_epoch_ms, utc_now
from omotenashi.store import care as repo
from omotenashi.store import care_actions as actions_repo
from omotenashi.store.care import LogEntry
from omotenashi.store.care_actions import CANCELLED, DEAD, SENT, Action
from omotenashi.store.engine import Engines
from omotenashi.store.writer import Writer

log = logging.getLogger(__name__)
MESSAGE_ATTEMPTS = 8
MESSAGE_BACKOFF_S = 60.0
MAX_BACKOFF_S = 3600.0


@dataclass
class Dispatched:
    sent: int = 0
    waiting: int = 0
    cancelled: int = 0
    failed: int = 0
    dead: int = 0


class Dispatcher:
    """Sends due actions of every workspace, once on `run_due`, or all the time in a thread."""

    def __init__(
        self,
        houses: dict[str, tuple[HouseFile, Path]],
        engines: Engines,
        writer: Writer,
        clock: Clock = utc_now,
        senders: Callable[[str, str], Sender] | None = None,
    ) -> None:
        self._houses = houses
        self._engines = engines
        self._writer = writer
        self._clock = clock
        self._senders: dict[tuple[str, str], Sender] = {}
        self._make = senders
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def poke(self) -> None:
        """Something was queued: look now."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="omotenashi-care-dispatcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._wake.set()
            self._thread.join()
            self._thread = None

    def run_due(self, limit: int = 200) -> Dispatched:
        """Send everything due now (one pass)."""
        with self._lock:
            done = Dispatched()
            now = self._now()
            with self._engines.read.connect() as conn:
                due = actions_repo.due(conn, now, limit)
            for action in due:
                if action.workspace_id in self._houses:
                    self._one(action, done)
            return done

    def _now(self) -> int:
        return to_epoch_ms(self._clock())

    def _sender(self, workspace_id: str, channel: str) -> Sender:
        key = (workspace_id, channel)
        if key not in self._senders:
            if self._make is not None:
                self._senders[key] = self._make(workspace_id, channel)
            else:
                house, folder = self._houses[workspace_id]
                assert house.care is not None
                config = house.care.channels.get(channel)
                if config is None:
                    raise DeliveryFailed(f"the channel `{channel}` is no longer in the house file", retry=True)
                self._senders[key] = build(config, folder)
        return self._senders[key]

    def _one(self, action: Action, done: Dispatched) -> None:
        wid = action.workspace_id
        house = self._houses[wid][0]
        now = self._now()
        if action.kind == "message":
            verdict = self._check(house, action, now)
            if verdict is not None:
                self._hold(action, verdict, now, done)
                return
        try:
            self._sender(wid, action.channel).send(action.id, action.payload)
        except DeliveryFailed as exc:
            self._failed(house, action, exc, now, done)
            return
        except Exception as exc:  # a channel's bug must not stop every other delivery
            log.exception("channel %s failed", action.channel)
            self._failed(house, action, DeliveryFailed(f"{type(exc).__name__}: {exc}"), now, done)
            return
        sent_at = self._now()

        def record(conn: Connection) -> None:
            if actions_repo.settle(conn, wid, action.id, status=SENT, sent_at=sent_at, attempts=action.attempts + 1):
                details: dict[str, Any] = {"action": action.id, "kind": action.kind, "channel": action.channel}
                repo.log(conn, wid, [LogEntry(action.item_id, action.customer_id, sent_at, "system", "sent", details)])

        self._writer.call(record)
        done.sent += 1

    def _check(self, house: HouseFile, action: Action, now: int) -> contact.Decision | None:
        """None when the message may go now; else why it waits or never goes."""
        assert house.care is not None
        wid = action.workspace_id
        with self._engines.read.connect() as conn:
            item = repo.get(conn, wid, action.item_id)
            if item is None or item.status not in repo.ACTIVE:
                return contact.Decision(blocked="item_closed")
            person = facts_mod.load(conn, wid, house, [item.customer_id]).get(item.customer_id)
            if person is None:
                return contact.Decision(blocked="item_closed")
            sent = actions_repo.last_contact(conn, wid, [item.customer_id]).get(item.customer_id, [])
        purpose = str(action.payload.get("purpose") or "care")
        decision = contact.decide(house, house.care.caps, person, purpose, now, sent, proactive=bool(action.proactive))
        if decision.now:
            if person.email and action.payload.get("to") != person.email:
                action.payload["to"] = person.email  # they changed their address since the draft
            return None
        return decision

    def _hold(self, action: Action, decision: contact.Decision, now: int, done: Dispatched) -> None:
        wid = action.workspace_id

        def record(conn: Connection) -> None:
            if decision.blocked is not None:
                if actions_repo.settle(conn, wid, action.id, status=CANCELLED, last_error=decision.blocked):
                    details: dict[str, Any] = {"action": action.id, "why": decision.blocked}
                    entry = LogEntry(action.item_id, action.customer_id, now, "system", "not_sent", details)
                    repo.log(conn, wid, [entry])
            elif decision.not_before is not None and decision.not_before != action.next_at:
                if actions_repo.settle(conn, wid, action.id, next_at=decision.not_before, last_error=decision.wait):
                    waiting = {"action": action.id, "why": decision.wait, "until": decision.not_before}
                    entry = LogEntry(action.item_id, action.customer_id, now, "system", "waiting", waiting)
                    repo.log(conn, wid, [entry])

        self._writer.call(record)
        if decision.blocked is not None:
            done.cancelled += 1
        else:
            done.waiting += 1

    def _failed(self, house: HouseFile, action: Action, exc: DeliveryFailed, now: int, done: Dispatched) -> None:
        assert house.care is not None
        wid = action.workspace_id
        config = house.care.channels.get(action.channel)
        attempts_allowed, backoff, longest = MESSAGE_ATTEMPTS, MESSAGE_BACKOFF_S, MAX_BACKOFF_S
        if isinstance(config, WebhookChannel | SlackChannel):
            attempts_allowed, backoff, longest = config.max_attempts, config.backoff_seconds, config.max_backoff_seconds
        attempts = action.attempts + 1
        give_up = not exc.retry or attempts >= attempts_allowed
        wait_s = min(backoff * 2 ** (attempts - 1), longest)
        error = str(exc)[:1000]

        def record(conn: Connection) -> None:
            if give_up:
                changed = actions_repo.settle(conn, wid, action.id, status=DEAD, attempts=attempts, last_error=error)
            else:
                changed = actions_repo.settle(
                    conn, wid, action.id, attempts=attempts, last_error=error, next_at=now + int(wait_s * 1000)
                )
            if changed:
                what = "dead" if give_up else "failed"
                details = {"action": action.id, "error": error, "attempts": attempts}
                repo.log(conn, wid, [LogEntry(action.item_id, action.customer_id, now, "system", what, details)])

        self._writer.call(record)
        if give_up:
            done.dead += 1
        else:
            done.failed += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_due()
                with self._engines.read.connect() as conn:
                    upcoming = actions_repo.next_due(conn)
            except Exception:
                log.exception("the care dispatcher failed; it tries again")
                upcoming = None
            wait = 5.0
            if upcoming is not None:
                wait = min(wait, max(0.05, (upcoming - self._now()) / 1000))
            self._wake.wait(wait)
            self._wake.clear()
