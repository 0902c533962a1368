"""Care as the rest of the product uses it: playbooks evaluated as signals, anticipations and deadlines arrive (on the
log follower, on `serve`'s schedule, or at once with `omotenashi care run`), the outbox sent by the dispatcher, and
the care queue's work — claim, send, log a call, reassign, resolve, grant goodwill — for staff."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from omotenashi.care import contact, goodwill, outcomes, triggers, work
from omotenashi.care import queue as care_queue
from omotenashi.care.channels import Sender
from omotenashi.care.dispatcher import Dispatched, Dispatcher
from omotenashi.care.engine import Applied, Engine
from omotenashi.care.outbox import Outbox
from omotenashi.config.house import HouseFile
from omotenashi.core.clock import Clock, to_epoch_ms, utc_now
from omotenashi.core.errors import NotFound
from omotenashi.staff.permissions import Action, require
from omotenashi.store import care as repo
from omotenashi.store import care_actions as actions_repo
from omotenashi.store import care_inputs as inputs
from omotenashi.store import goodwill as goodwill_repo
from omotenashi.store import journeys as journeys_repo
from omotenashi.store import workspaces
from omotenashi.store.cursors import EventRow
from omotenashi.store.engine import Engines
from omotenashi.store.staff import StaffMember
from omotenashi.store.writer import Periodic, Writer

SIGNALS_WM = "wm:signals"
ANTICIPATIONS_WM = "wm:anticipations"
SLOW_WM = "slow:at"
PERIODS = "schedule:periods"
SLOW_EVERY_MS = 60_000  # deadlines and outcomes: once a minute is plenty
PAGE = 5_000
SIGNALS_SLACK_MS = 60_000


@dataclass(frozen=True)
class Workspace:
    house: HouseFile
    folder: Path


class CareConsumer:
    """The `care` log follower: right after friction has judged new events, the signals it changed become items."""

    name = "care"

    def __init__(self, care: Care, workspace_id: str) -> None:
        self.care = care
        self.workspace_id = workspace_id

    def apply(self, conn: Connection, workspace_id: str, rows: Sequence[EventRow]) -> None:
        self.care.follow_signals(conn, workspace_id)


class Care:
    """The care capability of a running omotenashi."""

    def __init__(
        self,
        workspaces_: dict[str, Workspace],
        engines: Engines,
        writer: Writer,
        clock: Clock = utc_now,
        *,
        base_url: str = "http://127.0.0.1:8000",
        senders: Callable[[str, str], Sender] | None = None,
    ) -> None:
        self.workspaces = {wid: w for wid, w in workspaces_.items() if w.house.care is not None}
        self.engines = engines
        self.writer = writer
        self.clock = clock
        self.outboxes = {wid: Outbox(w.house, base_url) for wid, w in self.workspaces.items()}
        with engines.read.connect() as conn:
            secrets = {wid: workspaces.workspace_secret(conn, wid) for wid in self.workspaces}
        self.engines_ = {
            wid: Engine(w.house, _bytes(secrets[wid]), self.outboxes[wid]) for wid, w in self.workspaces.items()
        }
        self.dispatcher = Dispatcher(
            {wid: (w.house, w.folder) for wid, w in self.workspaces.items()}, engines, writer, clock, senders
        )
        self._lock = threading.Lock()
        self._seen: dict[str, dict[str, tuple[int, ...]]] = {}  # workspace → signal id → the version handled

    def configured(self) -> list[str]:
        return list(self.workspaces)

    def house(self, workspace_id: str) -> HouseFile:
        return self.workspaces[workspace_id].house

    def now(self) -> int:
        return to_epoch_ms(self.clock())

    # --- the engine ------------------------------------------------------------------------------------------------

    def followers(self) -> dict[str, CareConsumer]:
        """The `care` log follower of each workspace with playbooks (it runs after friction)."""
        return {wid: CareConsumer(self, wid) for wid in self.workspaces}

    def follow_signals(self, conn: Connection, workspace_id: str) -> Applied:
        """Items for the signals changed since the last look (inside the caller's transaction)."""
        engine = self.engines_.get(workspace_id)
        done = Applied()
        if engine is None:
            return done
        now = self.now()
        stored = repo.get_state(conn, workspace_id, SIGNALS_WM, 0)
        mark = int(stored[0] if isinstance(stored, list) else stored or 0)
        # Read again what changed shortly before the mark: two changes within one millisecond, or a clock that stepped
        # back, are never missed. What was already handled at the same `updated_at` is skipped.
        seen = self._seen.setdefault(workspace_id, {})
        after, newest = (mark - SIGNALS_SLACK_MS, ""), mark
        while changes := inputs.signals_since(conn, workspace_id, after, PAGE):
            fresh = [c for c in changes if seen.get(c.id) != _version(c)]
            if fresh:
                done.add(engine.apply(conn, workspace_id, triggers.from_signals(engine.care, fresh), now))
            for c in fresh:
                seen[c.id] = _version(c)
            after = (changes[-1].updated_at, changes[-1].id)
            newest = max(newest, changes[-1].updated_at)
            if len(changes) < PAGE:
                break
        if newest != mark:
            repo.set_state(conn, workspace_id, SIGNALS_WM, newest, now)
            for sid in [sid for sid, version in seen.items() if version[0] < newest - SIGNALS_SLACK_MS]:
                del seen[sid]
        if done.actions:
            self.dispatcher.poke()
        return done

    def evaluate_in(self, conn: Connection, workspace_id: str, *, everything: bool = False) -> Applied:
        """One full look: signals, anticipations, deadlines, schedules, and the outcomes whose window passed."""
        engine = self.engines_[workspace_id]
        house = engine.house
        now = self.now()
        done = self.follow_signals(conn, workspace_id)
        found: list[triggers.Trigger] = []
        kinds = triggers.anticipation_kinds(engine.care)
        if kinds:
            seen = int(repo.get_state(conn, workspace_id, ANTICIPATIONS_WM, 0) or 0)
            changes = inputs.anticipations_since(conn, workspace_id, kinds, seen)
            if changes:
                found.extend(triggers.from_anticipations(engine.care, changes, now))
                repo.set_state(conn, workspace_id, ANTICIPATIONS_WM, max(a.computed_at for a in changes), now)
        slow = int(repo.get_state(conn, workspace_id, SLOW_WM, 0) or 0)
        event_now = None
        if everything or now - slow >= SLOW_EVERY_MS:
            event_now = min(journeys_repo.newest_activity(conn, workspace_id) or now, now)
            found.extend(triggers.deadlines(conn, workspace_id, house, event_now, now))
            periods = repo.get_state(conn, workspace_id, PERIODS, {}) or {}
            scheduled, periods_now = triggers.schedules(conn, workspace_id, engine.care, now, periods)
            found.extend(scheduled)
            if periods_now != periods:
                repo.set_state(conn, workspace_id, PERIODS, periods_now, now)
        if found:
            done.add(engine.apply(conn, workspace_id, found, now))  # one read of the customers' facts for all
        if event_now is not None:
            outcomes.read(conn, workspace_id, house, event_now, now)
            repo.set_state(conn, workspace_id, SLOW_WM, now, now)
        if done.actions:
            self.dispatcher.poke()
        return done

    def evaluate(self, workspace_id: str | None = None) -> Applied:
        """Evaluate now (`omotenashi care run`, tests, the demo): every configured workspace, or one."""
        ids = [workspace_id] if workspace_id is not None else self.configured()
        total = Applied()
        for wid in ids:
            total.add(self.writer.call(lambda conn, wid=wid: self.evaluate_in(conn, wid, everything=True)))  # type: ignore[misc]
        return total

    def periodic(self) -> Periodic | None:
        """`serve`'s schedule: anticipations, deadlines, schedules and outcomes (signals also come as they arrive)."""
        if not self.workspaces:
            return None
        every = min(w.house.care.evaluate_seconds for w in self.workspaces.values() if w.house.care is not None)

        def work(conn: Connection) -> None:
            for wid in self.workspaces:
                self.evaluate_in(conn, wid)

        return Periodic("care: playbooks, deadlines and outcomes", every, work)

    def dispatch(self) -> Dispatched:
        """Send what is due in the outbox now."""
        return self.dispatcher.run_due()

    def start(self) -> None:
        """Send the outbox continuously (serve)."""
        if self.workspaces:
            self.dispatcher.start()

    def close(self) -> None:
        self.dispatcher.stop()

    # --- the care queue (staff) ------------------------------------------------------------------------------------

    def queue(self, member: StaffMember, view: str, limit: int = 200) -> list[care_queue.Row]:
        """A view of the queue for a staff member (at most `limit` items, most urgent first)."""
        wid = member.workspace_id
        with self.engines.read.connect() as conn:
            return care_queue.rows(conn, wid, self.house(wid), member, view, member.language, self.now(), limit)

    def open_of(self, member: StaffMember) -> int:
        """How many items in somebody's queue the staff member owns."""
        with self.engines.read.connect() as conn:
            return repo.open_of(conn, member.workspace_id, member.id)

    def counts(self, workspace_id: str) -> dict[str, int]:
        with self.engines.read.connect() as conn:
            return repo.counts(conn, workspace_id, self.now())

    def item(self, member: StaffMember, item_id: str) -> care_queue.ItemView:
        """One item with everything needed to act on it."""
        wid = member.workspace_id
        with self.engines.read.connect() as conn:
            found = repo.get(conn, wid, item_id)
            if found is None:
                raise NotFound(f"no care item `{item_id}`", hint="it may have been erased with its customer")
            return care_queue.item_view(
                conn, wid, self.house(wid), self.outboxes[wid], member, found, member.language, self.now()
            )

    def of_customer(self, member: StaffMember, members: Sequence[str]) -> list[care_queue.Row]:
        """The care items of a person (all their records), newest first."""
        wid = member.workspace_id
        if wid not in self.workspaces:
            return []
        with self.engines.read.connect() as conn:
            items = repo.of_customers(conn, wid, members)
            return care_queue.words(conn, wid, self.house(wid), items, member.language, self.now())

    def claim(self, member: StaffMember, item_id: str) -> None:
        self.writer.call(lambda conn: work.claim(conn, member.workspace_id, member, item_id, self.now()))

    def reassign(self, member: StaffMember, item_id: str, to_id: str, reason: str) -> None:
        self.writer.call(
            lambda conn: work.reassign(conn, member.workspace_id, member, item_id, to_id, reason, self.now())
        )

    def resolve(self, member: StaffMember, item_id: str, outcome: str, note: str) -> None:
        self.writer.call(
            lambda conn: work.resolve(conn, member.workspace_id, member, item_id, outcome, note, self.now())
        )

    def log_call(self, member: StaffMember, item_id: str, note: str) -> None:
        self.writer.call(lambda conn: work.log_call(conn, member.workspace_id, member, item_id, note, self.now()))

    def send_message(self, member: StaffMember, item_id: str, subject: str, body: str) -> contact.Decision:
        """Queue the edited message; it goes now or when the customer's quiet hours and the cap allow."""
        wid = member.workspace_id
        house, outbox = self.house(wid), self.outboxes[wid]
        _, decision = self.writer.call(
            lambda conn: work.send_message(conn, wid, house, outbox, member, item_id, subject, body, self.now())
        )
        self.dispatcher.poke()
        return decision

    def retry(self, member: StaffMember, action_id: str) -> None:
        self.writer.call(lambda conn: work.retry(conn, member.workspace_id, member, action_id, self.now()))
        self.dispatcher.poke()

    def dead_letters(self, workspace_id: str) -> list[actions_repo.Action]:
        with self.engines.read.connect() as conn:
            return actions_repo.dead_letters(conn, workspace_id)

    def grant(
        self, member: StaffMember, *, item_id: str, kind: str, value: float, reason_code: str, note: str
    ) -> goodwill_repo.Grant:
        """Grant goodwill on an item's customer, within the budgets (or ask a lead above the threshold)."""
        require(member, Action.GRANT_GOODWILL)
        wid = member.workspace_id
        house = self.house(wid)

        def run(conn: Connection) -> goodwill_repo.Grant:
            work.workable(conn, wid, member, item_id)  # theirs or nobody's (a lead: anyone's), and still in the queue
            return goodwill.grant(
                conn,
                wid,
                house,
                member,
                customer_id="",
                kind=kind,
                value=value,
                reason_code=reason_code,
                note=note,
                item_id=item_id,
                now=self.now(),
            )  # fmt: skip

        return self.writer.call(run)

    def decide(self, member: StaffMember, grant_id: str, *, approve: bool, note: str) -> goodwill_repo.Grant:
        require(member, Action.APPROVE_GOODWILL)
        wid = member.workspace_id
        house = self.house(wid)
        return self.writer.call(
            lambda conn: goodwill.decide(conn, wid, house, member, grant_id, approve=approve, note=note, now=self.now())
        )

    def ledger(self, workspace_id: str, status: str | None = None) -> list[goodwill_repo.Grant]:
        with self.engines.read.connect() as conn:
            return goodwill_repo.ledger(conn, workspace_id, status=status)

    # --- reports ---------------------------------------------------------------------------------------------------

    def outcomes(self, workspace_id: str) -> list[outcomes.PlaybookOutcome]:
        with self.engines.read.connect() as conn:
            return outcomes.report(conn, workspace_id, self.house(workspace_id))

    def budget(self, workspace_id: str, member: Any) -> goodwill.Budget:
        with self.engines.read.connect() as conn:
            return goodwill.budget(conn, workspace_id, self.house(workspace_id), member, self.now())


def _version(change: inputs.SignalChange) -> tuple[int, ...]:
    """What tells two states of a signal apart (its update time alone may repeat within a millisecond)."""
    return (change.updated_at, change.last_seen, change.severity, change.resolved_at or 0, hash(str(change.details)))


def _bytes(secret: Any) -> bytes:
    return secret if isinstance(secret, bytes) else str(secret).encode()
