"""The `friction` log follower: new events, per base customer, through every enabled detector.

It runs after memory and journeys. It reads events only under the purposes each detector needs (by default `care`):
an event not kept for them is invisible to that detector, and a customer who withdrew one of them has what was kept
about them for it forgotten, and gets no signal of its kind. Robots (by user agent) are never read.

Time is event time: the workspace's clock is the newest event time seen (never ahead of the wall clock), so
importing last year's events judges them as of then. Events are judged in time order once settled: when events
`SETTLE_MS` newer have come (browsers deliver within a minute), or when none came for that long. Until then they are
held (by seq, in `detector_state`), so an answer that arrives before the click it answers is still read after it.
Events later than that (a phone offline for hours) are judged when they come, in their place in each window.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from operator import attrgetter

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.core.clock import Clock, to_epoch_ms, utc_now
from omotenashi.core.heap import collector_paused
from omotenashi.core.purposes import ConsentStatus
from omotenashi.friction.events import Event, from_row, is_robot, user_agent
from omotenashi.friction.runner import Runner, Writes
from omotenashi.store import consent, cursors, detector_state
from omotenashi.store import customers as customers_repo
from omotenashi.store import signals as repo
from omotenashi.store.cursors import EventRow

# {"t": newest event time, "w": wall time it moved, "j": judged up to, "a": wall time j moved, "low": lowest held seq,
#  "n": how many batches were judged (what is held in memory belongs to batch n: otherwise it is read again)}
CLOCK = "clock"
SETTLE_MS = 90_000  # browsers deliver within a minute: events are judged once this much newer ones have come
AHEAD_MS = 60_000  # how far past the wall clock an event may move the clock
LIVE_LAG_MS = 3_600_000  # events that arrive within this of their time are live: the clock goes on when they stop
GATHER_EVENTS = 20_000  # settled events judged together, unless they have waited GATHER_MS (a busy import)
GATHER_MS = 1_000
MAX_KNOWN_IDS = 400_000
_TIME_ORDER = attrgetter("ts", "seq")


class _Held:
    """Events read but not judged yet (all newer than the judged time), with their times in order for counting."""

    __slots__ = ("low", "rows", "times")

    def __init__(self, rows: list[EventRow]) -> None:
        self.rows = rows
        self.times = sorted(r.ts for r in rows)
        self.low = min((r.seq for r in rows), default=None)

    def with_rows(self, rows: list[EventRow]) -> _Held:
        """These and `rows` (a new holding: this one stays as it was, should the batch fail)."""
        if not rows:
            return self
        more = _Held.__new__(_Held)
        more.rows = self.rows + rows
        more.times = self.times + [r.ts for r in rows]
        more.times.sort()
        low = min(r.seq for r in rows)
        more.low = low if self.low is None else min(self.low, low)
        return more


class FrictionConsumer:
    """Detects friction in a workspace's events as they arrive.

    Events too recent to be settled are held in memory; the clock row says from which seq on they may be, so a new
    process reads them back from the log (those newer than the judged time) before going on.
    """

    name = "friction"

    def __init__(self, house: HouseFile, clock: Clock = utc_now) -> None:
        self.house = house
        self.clock = clock
        self.runner = Runner(house)
        self.robots = tuple(w.lower() for w in house.friction.ignore_user_agents if w.strip())
        self.needed = self.runner.purposes()
        self._held: dict[str, _Held] = {}
        self._judged: dict[str, int] = {}  # workspace → the batch number what is in memory belongs to
        # Identifier → the base customer it was first seen with: that never changes, so it is remembered.
        self._bases: dict[tuple[str, str], str] = {}

    @property
    def active(self) -> bool:
        return bool(self.runner.detectors)

    def apply(self, conn: Connection, workspace_id: str, rows: Sequence[EventRow]) -> None:
        """Apply a batch of events (in log order, which need not be time order)."""
        if not self.active:
            return
        wall = to_epoch_ms(self.clock())
        clock = self._clock(conn, workspace_id)
        newest = max((r.ts for r in rows), default=None)
        if newest is not None and min(newest, wall + AHEAD_MS) > clock["t"]:
            clock["t"] = min(newest, wall + AHEAD_MS)
            clock["w"] = wall
        self._judge(conn, workspace_id, rows, clock, clock["t"] - SETTLE_MS, wall)

    def tick(self, conn: Connection, workspace_id: str, *, flush: bool = False) -> Writes:
        """Judge what is due without new events: held events once settled (at once with `flush`, or when no event
        came for a while), timers up to the clock, and customers to look at again."""
        wall = to_epoch_ms(self.clock())
        clock = self._clock(conn, workspace_id)
        idle = wall - clock["w"] >= SETTLE_MS
        settled = clock["t"] if flush or idle else clock["t"] - SETTLE_MS
        lag = clock["w"] - clock["t"]
        if idle and 0 <= lag <= LIVE_LAG_MS:
            # Events were arriving as they happened and none came since: time goes on with the wall clock.
            settled = max(settled, wall - lag)
        with collector_paused():
            return self._judge(conn, workspace_id, [], clock, settled, wall, sweep=True, final=flush)

    def start_over(self, conn: Connection, workspace_id: str) -> None:
        """Forget the workspace's signals, detector memory and clock, to judge the log again from its start (the
        events up to the cursor are not held: the rescan hands them over itself)."""
        repo.forget_workspace(conn, workspace_id, self.runner.names)
        position = cursors.position(conn, workspace_id, self.name)
        fresh = {"t": 0, "w": 0, "j": 0, "a": 0, "low": position + 1, "n": 0}
        detector_state.set_meta(conn, workspace_id, CLOCK, fresh, to_epoch_ms(self.clock()))
        self.forget()

    def forget(self) -> None:
        """Drop what is held in memory (before a rescan, or after a failed batch): it is read again from the store."""
        self._held.clear()
        self._judged.clear()
        self._bases.clear()
        self.runner.cache.clear()

    def _clock(self, conn: Connection, workspace_id: str) -> dict[str, int]:
        found = detector_state.get_meta(conn, workspace_id, CLOCK)
        if isinstance(found, dict) and {"t", "w", "j", "low"} <= found.keys():
            return {k: int(found.get(k, 0)) for k in ("t", "w", "j", "a", "low", "n")}
        return {"t": 0, "w": 0, "j": 0, "a": 0, "low": 0, "n": 0}

    def _judge(
        self,
        conn: Connection,
        workspace_id: str,
        rows: Sequence[EventRow],
        clock: dict[str, int],
        settled: int,
        wall: int,
        *,
        sweep: bool = False,
        final: bool = False,
    ) -> Writes:
        if self._judged.get(workspace_id) != clock["n"]:
            # A new process, or the last batch was rolled back (the writer may run a failed group's jobs again):
            # what is in memory never happened; read it again from the store.
            self.forget()
        held = self._held.get(workspace_id)
        if held is None:
            upto = cursors.position(conn, workspace_id, self.name)
            held = _Held(repo.unjudged_events(conn, workspace_id, clock["low"], upto, clock["j"]))
        now = max(settled, clock["j"])
        if now > clock["j"] and not sweep and wall - clock["a"] < GATHER_MS:
            # Held events are all newer than the judged time: how many are settled is where `now` falls among them.
            fresh = bisect_right(held.times, now) + sum(1 for r in rows if clock["j"] < r.ts <= now)
            if fresh < GATHER_EVENTS:
                now = clock["j"]  # gather a few more: judging many customers' events together costs less
        if now > clock["j"]:
            pool: Sequence[EventRow] = [*held.rows, *rows]
            ready = [r for r in pool if r.ts <= now]
            held = _Held([r for r in pool if r.ts > now])
            clock["a"] = wall
        else:
            # Nothing held is settled yet: only new events as old as the judged time (late ones) are ready.
            pool = rows
            ready = [r for r in rows if r.ts <= now]
            held = held.with_rows([r for r in rows if r.ts > now])
        clock["j"] = now
        # The lowest seq still held; with nothing held, the newest seq read (the log after it is all unread).
        clock["low"] = held.low if held.low is not None else max((r.seq for r in pool), default=clock["low"])
        clock["n"] += 1
        detector_state.set_meta(conn, workspace_id, CLOCK, clock, wall)
        try:
            self._held[workspace_id] = held
            self._judged[workspace_id] = clock["n"]
            # Whose consent to look at is gathered only when somebody has said anything about consent.
            subjects: dict[str, set[str]] | None = None
            if ready and consent.has_any_state(conn, workspace_id):
                subjects = defaultdict(set)
            batch = self._read(conn, workspace_id, ready, subjects)
            if subjects:
                self._respect_consent(conn, workspace_id, batch, subjects)
            return self.runner.run(conn, workspace_id, batch, now, wall, sweep=sweep, final=final)
        except BaseException:
            self.forget()  # the transaction will not commit: what was kept in memory from it never happened
            raise

    def _read(
        self,
        conn: Connection,
        workspace_id: str,
        rows: Sequence[EventRow],
        subjects: dict[str, set[str]] | None = None,
    ) -> dict[str, list[Event]]:
        """Base customer → their events, in time order (erased senders and robots left out); `subjects` collects
        each customer's userIds and anonymousIds of those events."""
        bases = self._bases
        ordered = sorted(rows, key=_TIME_ORDER)
        keys = [
            ("user_id", r.user_id) if r.user_id is not None else ("anonymous_id", r.anonymous_id or "") for r in ordered
        ]
        missing = {k for k in keys if k not in bases}
        if missing:
            bases.update(customers_repo.find_identities(conn, workspace_id, missing))
            if len(bases) > MAX_KNOWN_IDS:
                self._bases = bases = dict(list(bases.items())[-MAX_KNOWN_IDS // 2 :])
        batch: dict[str, list[Event]] = defaultdict(list)
        robots = self.robots
        for key, r in zip(keys, ordered, strict=True):
            cid = bases.get(key)
            if cid is None:
                continue  # memory runs first and attributes every event it keeps: this one was erased since
            if robots and r.type == "page" and (agent := user_agent(r)) is not None and is_robot(agent, robots):
                continue
            batch[cid].append(from_row(r))
            if subjects is not None:
                for subject in (r.user_id, r.anonymous_id):
                    if subject is not None:
                        subjects[cid].add(subject)
        return batch

    def _respect_consent(
        self, conn: Connection, workspace_id: str, batch: dict[str, list[Event]], subjects: dict[str, set[str]]
    ) -> None:
        """Forget, and stop reading, customers who withdrew a purpose some detector needs."""
        states = consent.states(conn, workspace_id, {s for subs in subjects.values() for s in subs})
        for cid, subs in subjects.items():
            withdrawn = {
                purpose
                for s in subs
                for purpose, status in states.get(s, {}).items()
                if status == ConsentStatus.WITHDRAWN and purpose in self.needed
            }
            if not withdrawn:
                continue
            kinds = [d.name for d in self.runner.detectors if d.purposes & withdrawn]
            repo.forget_customers(conn, workspace_id, [cid], kinds)
            self.runner.cache.drop([cid])
            for e in batch[cid]:
                e.purposes = e.purposes - withdrawn
