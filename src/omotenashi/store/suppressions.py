"""Suppressions: keyed hashes of identifiers whose events are dropped at intake."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from omotenashi.store.sql import driver_sql, fetch_in, first_row


def has_any(conn: Connection, workspace_id: str) -> bool:
    """Whether the workspace suppresses anyone at all (lets intake skip the lookup). On the hot path: plain SQL."""
    sql = "SELECT 1 FROM suppressions WHERE workspace_id = ? LIMIT 1"
    return first_row(conn, sql, (workspace_id,)) is not None


def suppressed(conn: Connection, workspace_id: str, hashes: Iterable[str]) -> set[str]:
    """Which of these identity hashes are suppressed."""
    sql = "SELECT identity_hash FROM suppressions WHERE workspace_id = ? AND identity_hash IN ({marks})"
    return {row[0] for row in fetch_in(conn, sql, (workspace_id,), set(hashes))}


def add(conn: Connection, workspace_id: str, identity_hash: str, reason: str, now_ms: int) -> None:
    """Suppress an identity (idempotent)."""
    conn.exec_driver_sql(
        driver_sql(
            conn,
            "INSERT INTO suppressions (workspace_id, identity_hash, created_at, reason) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (workspace_id, identity_hash) DO NOTHING",
        ),
        (workspace_id, identity_hash, now_ms, reason),
    )
