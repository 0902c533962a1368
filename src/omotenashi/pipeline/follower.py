"""Follow the event log with durable cursors and hand new events to each consumer, in order.

Each batch is applied and its cursor advanced in one transaction on the single writer, so a consumer sees every
event exactly once even across restarts (delivery is at-least-once, and the cursor makes it idempotent).
"""

from __future__ import annotations

import logging
import threading
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection

from omotenashi.core.clock import Clock, to_epoch_ms, utc_now
from omotenashi.core.heap import collector_paused
from omotenashi.store import cursors
from omotenashi.store.cursors import EventRow
from omotenashi.store.engine import Engines
from omotenashi.store.writer import Writer

log = logging.getLogger(__name__)


class Consumer(Protocol):
    """Something that derives tables from the log."""

    name: str

    def apply(self, conn: Connection, workspace_id: str, rows: Sequence[EventRow]) -> None: ...


@dataclass(frozen=True)
class Lag:
    consumer: str
    workspace_id: str
    position: int
    newest: int


class Follower:
    """Runs consumers over new events: promptly after intake commits, and on a slow poll as a safety net."""

    def __init__(
        self,
        engines: Engines,
        writer: Writer,
        consumers: dict[str, list[Consumer]],
        *,
        batch: int = 5_000,
        poll_seconds: float = 1.0,
        gather_seconds: float = 0.2,
        clock: Clock = utc_now,
    ) -> None:
        self._engines = engines
        self._writer = writer
        self._consumers = consumers  # workspace id → consumers in the order they run
        self._batch = batch
        self._poll = poll_seconds
        self._gather = gather_seconds
        self._clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def poke(self) -> None:
        """New events were committed: follow them soon."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="omotenashi-follower", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._wake.set()
            self._thread.join()
            self._thread = None

    def drain(self) -> int:
        """Apply every event committed before the call, for every consumer; the number of events newly applied (an
        event counts once however many consumers applied it)."""
        with self._lock:
            total = 0
            for workspace_id, consumers in self._consumers.items():
                # Up to the newest event when the drain began: under a steady stream it still ends.
                with self._engines.read.connect() as conn:
                    upto = cursors.last_seq(conn, workspace_id)
                while (n := self._round(workspace_id, consumers, upto)) > 0:
                    total += n
            return total

    def _round(self, workspace_id: str, consumers: Sequence[Consumer], upto: int) -> int:
        """One batch for every consumer in turn: the log is read once and each consumer is handed what it has not
        applied yet, never past the consumer before it (journeys read memory's attribution, care reads friction's
        signals). Taking turns keeps the last consumer as current as the first under a steady stream of events."""
        with self._engines.read.connect() as conn:
            positions = [cursors.position(conn, workspace_id, c.name) for c in consumers]
            start = min(positions)
            rows = cursors.events_after(conn, workspace_id, start, self._batch) if start < upto else []
        rows = rows if not rows or rows[-1].seq <= upto else [r for r in rows if r.seq <= upto]
        if not rows:
            return 0
        seqs = [r.seq for r in rows]
        applied = 0
        reached = seqs[-1]
        for consumer, position in zip(consumers, positions, strict=True):
            mine = rows[bisect_right(seqs, position) : bisect_right(seqs, reached)]
            if mine:
                position = self._writer.call(self._apply(workspace_id, consumer, mine))
                applied = max(applied, len(mine))
            reached = position
        return applied

    def lag(self) -> list[Lag]:
        """How far each consumer is behind the log."""
        out = []
        with self._engines.read.connect() as conn:
            for workspace_id, consumers in self._consumers.items():
                newest = cursors.last_seq(conn, workspace_id)
                for consumer in consumers:
                    pos = cursors.position(conn, workspace_id, consumer.name)
                    out.append(Lag(consumer.name, workspace_id, pos, newest))
        return out

    def _apply(self, workspace_id: str, consumer: Consumer, rows: Sequence[EventRow]) -> Callable[[Connection], int]:
        def work(conn: Connection) -> int:
            # The cursor is read again inside the transaction: a rescan may have moved it since the round began.
            position = cursors.position(conn, workspace_id, consumer.name)
            fresh = rows if rows[0].seq > position else [r for r in rows if r.seq > position]
            if not fresh:
                return position
            with collector_paused():
                consumer.apply(conn, workspace_id, fresh)
            cursors.advance(conn, workspace_id, consumer.name, fresh[-1].seq, to_epoch_ms(self._clock()))
            return fresh[-1].seq

        return work

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._poll)
            # Let a burst of commits gather, so each batch the followers apply is large and cheap per event.
            self._stop.wait(self._gather)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.drain()
            except Exception:
                log.exception("a log follower failed; it will retry from its cursor")
                self._stop.wait(self._poll)
