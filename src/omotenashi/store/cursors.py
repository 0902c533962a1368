"""Durable cursors: how far each log follower has applied the event log, per workspace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, select

from omotenashi.store.schema import cursors, events
from omotenashi.store.sql import driver_sql


@dataclass(frozen=True)
class EventRow:
    """One stored event, as followers read it."""

    seq: int
    workspace_id: str
    source_id: str
    message_id: str
    type: str
    event: str | None
    name: str | None
    user_id: str | None
    anonymous_id: str | None
    group_id: str | None
    previous_id: str | None
    ts: int
    purposes: str
    properties: str | None
    traits: str | None
    context: str | None


def position(conn: Connection, workspace_id: str, consumer: str) -> int:
    """The seq of the last event the consumer has applied (0 when it has applied none)."""
    stmt = select(cursors.c.position).where(
        and_(cursors.c.workspace_id == workspace_id, cursors.c.consumer == consumer)
    )
    value = conn.execute(stmt).scalar()
    return int(value) if value is not None else 0


def advance(conn: Connection, workspace_id: str, consumer: str, seq: int, now_ms: int) -> None:
    """Record that the consumer has applied every event up to `seq`."""
    conn.exec_driver_sql(
        driver_sql(
            conn,
            "INSERT INTO cursors (workspace_id, consumer, position, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (workspace_id, consumer) DO UPDATE SET position = excluded.position, "
            "updated_at = excluded.updated_at",
        ),
        (workspace_id, consumer, seq, now_ms),
    )


def events_after(conn: Connection, workspace_id: str, seq: int, limit: int) -> list[EventRow]:
    """The workspace's next events after `seq`, in log order."""
    cols = ", ".join(EventRow.__dataclass_fields__)
    sql = f"SELECT {cols} FROM events WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?"  # noqa: S608
    rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, seq, limit)).fetchall()
    return [EventRow(*row) for row in rows]


def last_seq(conn: Connection, workspace_id: str) -> int:
    """The newest event's seq in the workspace (0 when empty)."""
    stmt = select(events.c.seq).where(events.c.workspace_id == workspace_id).order_by(events.c.seq.desc()).limit(1)
    value: Any = conn.execute(stmt).scalar()
    return int(value or 0)


def events_by_seq(conn: Connection, workspace_id: str, seqs: list[int]) -> dict[int, EventRow]:
    """Stored events by seq (for timelines and evidence)."""
    from omotenashi.store.sql import fetch_in

    cols = ", ".join(EventRow.__dataclass_fields__)
    sql = f"SELECT {cols} FROM events WHERE workspace_id = ? AND seq IN ({{marks}})"  # noqa: S608 - constant columns
    return {row[0]: EventRow(*row) for row in fetch_in(conn, sql, (workspace_id,), seqs)}
