"""Intake counters (accepted, duplicates, refusals and rejections by reason) and the recent rejections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, select

from omotenashi.store.schema import intake_counters, rejections
from omotenashi.store.sql import execute_many


def bump(conn: Connection, workspace_id: str, deltas: Mapping[str, int]) -> None:
    """Add to the workspace's counters."""
    execute_many(
        conn,
        "INSERT INTO intake_counters (workspace_id, name, value) VALUES (?, ?, ?) "
        "ON CONFLICT (workspace_id, name) DO UPDATE SET value = intake_counters.value + excluded.value",
        [(workspace_id, name, n) for name, n in deltas.items() if n],
    )


def read(conn: Connection, workspace_id: str) -> dict[str, int]:
    """Every counter of the workspace."""
    rows = conn.execute(
        select(intake_counters.c.name, intake_counters.c.value).where(intake_counters.c.workspace_id == workspace_id)
    )
    return {name: int(value) for name, value in rows}


def log_rejections(conn: Connection, workspace_id: str, source_id: str, now_ms: int, items: Sequence[Any]) -> None:
    """Keep what was wrong with rejected messages (never the messages themselves)."""
    execute_many(
        conn,
        "INSERT INTO rejections (workspace_id, source_id, received_at, position, message_id, field, reason, hint) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                workspace_id,
                source_id,
                now_ms,
                r.line if r.line is not None else r.index,
                r.message_id,
                r.field,
                r.reason,
                r.hint,
            )
            for r in items
        ],
    )


def recent_rejections(conn: Connection, workspace_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """The newest rejections of the workspace."""
    stmt = (
        select(rejections)
        .where(rejections.c.workspace_id == workspace_id)
        .order_by(rejections.c.id.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


def prune_rejections(conn: Connection, before_ms: int) -> None:
    """Forget rejection details older than `before_ms`."""
    conn.execute(delete(rejections).where(rejections.c.received_at < before_ms))
