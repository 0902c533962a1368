"""Batch rescan: forget a workspace's signals and detector memory, and judge its whole event history again.

The history is read in log order in large batches and goes through the very follower that streams events, so a
rescan says what streaming says (detectors are functions of the events, not of their order or batching). Afterwards
the follower's cursor stands at the end of the history, and everything held is judged as at the end of an import.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from omotenashi.core.clock import to_epoch_ms
from omotenashi.core.heap import collector_paused
from omotenashi.friction.consumer import FrictionConsumer
from omotenashi.store import cursors
from omotenashi.store import signals as repo
from omotenashi.store.engine import Engines
from omotenashi.store.writer import Writer

CHUNK = 20_000


def rescan(
    engines: Engines,
    writer: Writer,
    consumer: FrictionConsumer,
    workspace_id: str,
    *,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Rebuild the workspace's signals from its event log; counts of events read and signals found."""

    def forget(conn: Connection) -> None:
        consumer.start_over(conn, workspace_id)

    writer.call(forget)
    position = 0
    events = 0
    while True:
        with engines.read.connect() as conn:
            rows = cursors.events_after(conn, workspace_id, position, chunk)
        if not rows:
            break

        def apply(conn: Connection, rows: list[cursors.EventRow] = rows) -> None:
            with collector_paused():  # as the follower applies its batches
                consumer.apply(conn, workspace_id, rows)

        writer.call(apply, rows=len(rows))
        position = rows[-1].seq
        events += len(rows)
        if progress is not None:
            progress(len(rows))

    def finish(conn: Connection) -> int:
        consumer.tick(conn, workspace_id, flush=True)
        wall = to_epoch_ms(consumer.clock())
        if position > cursors.position(conn, workspace_id, consumer.name):
            cursors.advance(conn, workspace_id, consumer.name, position, wall)
        return sum(repo.counts(conn, workspace_id).values())

    signals: int = writer.call(finish)
    return {"events": events, "signals": signals}
