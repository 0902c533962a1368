"""What the care engine reads of other capabilities' tables: friction signals and anticipations changed since a
watermark, whether a customer sent an event (an outcome), and the customers to check in with."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from omotenashi.store.sql import driver_sql, fetch_in


@dataclass(frozen=True)
class SignalChange:
    """A friction signal as the care engine reads it."""

    id: str
    customer_id: str
    kind: str
    severity: int
    status: str
    first_seen: int
    last_seen: int
    resolved_at: int | None
    details: dict[str, Any]
    journey: str | None
    step: str | None
    updated_at: int


def signals_since(
    conn: Connection, workspace_id: str, after: tuple[int, str], limit: int = 5_000
) -> list[SignalChange]:
    """Signals changed after a watermark (updated_at, id), in that order."""
    sql = (
        "SELECT id, customer_id, kind, severity, status, first_seen, last_seen, resolved_at, details, journey, step, "
        "updated_at FROM signals WHERE workspace_id = ? AND (updated_at > ? OR (updated_at = ? AND id > ?)) "
        "ORDER BY updated_at, id LIMIT ?"
    )
    rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, after[0], after[0], after[1], limit))
    out = []
    for r in rows:
        try:
            details = json.loads(r[8] or "{}")
        except ValueError:
            details = {}
        out.append(
            SignalChange(
                r[0],
                r[1],
                r[2],
                int(r[3]),
                r[4],
                int(r[5]),
                int(r[6]),
                None if r[7] is None else int(r[7]),
                details if isinstance(details, dict) else {},
                r[9],
                r[10],
                int(r[11]),
            )  # fmt: skip
        )
    return out


def signal_states(conn: Connection, workspace_id: str, ids: Sequence[str]) -> dict[str, tuple[str, int | None]]:
    """id → (status, resolved_at) of signals that still exist."""
    sql = "SELECT id, status, resolved_at FROM signals WHERE workspace_id = ? AND id IN ({marks})"
    return {r[0]: (r[1], None if r[2] is None else int(r[2])) for r in fetch_in(conn, sql, (workspace_id,), ids)}


@dataclass(frozen=True)
class AnticipationChange:
    customer_id: str
    kind: str
    score: float
    as_of: int
    computed_at: int
    model_id: str
    reasons: list[dict[str, str]]


def anticipations_since(
    conn: Connection, workspace_id: str, kinds: Sequence[str], after: int
) -> list[AnticipationChange]:
    """Anticipations of these kinds computed after `after` (epoch ms)."""
    sql = (
        "SELECT customer_id, kind, score, as_of, computed_at, model_id, reasons FROM anticipations "
        "WHERE workspace_id = ? AND computed_at > ? AND kind IN ({marks})"
    )
    out = []
    for r in fetch_in(conn, sql, (workspace_id, after), kinds):
        try:
            reasons = json.loads(r[6] or "[]")
        except ValueError:
            reasons = []
        out.append(
            AnticipationChange(
                r[0], r[1], float(r[2]), int(r[3]), int(r[4]), r[5], reasons if isinstance(reasons, list) else []
            )
        )
    return out


def event_happened(
    conn: Connection, workspace_id: str, customer_ids: Sequence[str], event: str, after: int, upto: int
) -> bool:
    """Whether one of these customer records sent the `track` event `event` in (after, upto]."""
    marks = ",".join("?" * len(customer_ids))
    sql = (
        "SELECT 1 FROM event_customers ec JOIN events e ON e.seq = ec.seq "  # noqa: S608 - placeholders only
        f"WHERE ec.workspace_id = ? AND ec.customer_id IN ({marks}) AND ec.ts > ? AND ec.ts <= ? "
        "AND e.workspace_id = ? AND e.type = 'track' AND e.event = ? LIMIT 1"
    )
    params = (workspace_id, *customer_ids, after, upto, workspace_id, event)
    return conn.exec_driver_sql(driver_sql(conn, sql), params).first() is not None


def root_customers(conn: Connection, workspace_id: str, after: str, limit: int) -> list[str]:
    """Customers that are their own root, in id order after `after` (for scheduled check-ins)."""
    sql = "SELECT id FROM customers WHERE workspace_id = ? AND merged_into IS NULL AND id > ? ORDER BY id LIMIT ?"
    return [r[0] for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, after, limit))]
