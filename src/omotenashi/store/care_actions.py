"""The SQL of the care outbox: actions queued for a channel (a message to the customer, a webhook, a Slack-compatible
notification), sent by the dispatcher with retries, and dead-lettered when every attempt failed — never lost."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from omotenashi.store.schema import care_actions
from omotenashi.store.sql import fetch_in

QUEUED, SENT, DEAD, CANCELLED = "queued", "sent", "dead", "cancelled"


@dataclass(frozen=True)
class Action:
    workspace_id: str
    id: str
    item_id: str
    customer_id: str
    kind: str
    channel: str
    proactive: int
    status: str
    payload: dict[str, Any]
    attempts: int
    next_at: int
    last_error: str | None
    created_at: int
    created_by: str
    sent_at: int | None


_COLUMNS = [f.name for f in fields(Action)]


def _action(row: Any) -> Action:
    values = dict(row._mapping)
    values["payload"] = json.loads(values["payload"] or "{}")
    return Action(**{n: values[n] for n in _COLUMNS})


def add(conn: Connection, actions: Sequence[Action]) -> None:
    if actions:
        rows = []
        for a in actions:
            row = {n: getattr(a, n) for n in _COLUMNS}
            row["payload"] = json.dumps(a.payload, ensure_ascii=False, sort_keys=True)
            rows.append(row)
        conn.execute(insert(care_actions), rows)


def get(conn: Connection, workspace_id: str, action_id: str) -> Action | None:
    row = conn.execute(
        select(care_actions).where(care_actions.c.workspace_id == workspace_id, care_actions.c.id == action_id)
    ).first()
    return None if row is None else _action(row)


def due(conn: Connection, now: int, limit: int = 100) -> list[Action]:
    """Queued actions of every workspace whose time has come, the longest waiting first."""
    rows = conn.execute(
        select(care_actions)
        .where(care_actions.c.status == QUEUED, care_actions.c.next_at <= now)
        .order_by(care_actions.c.next_at)
        .limit(limit)
    )
    return [_action(r) for r in rows]


def next_due(conn: Connection) -> int | None:
    """When the next queued action is due."""
    found = conn.execute(select(func.min(care_actions.c.next_at)).where(care_actions.c.status == QUEUED)).scalar()
    return None if found is None else int(found)


def settle(conn: Connection, workspace_id: str, action_id: str, **values: Any) -> bool:
    """Record what happened to a queued action; False when it was no longer queued (another process got it)."""
    done = conn.execute(
        update(care_actions)
        .where(
            care_actions.c.workspace_id == workspace_id,
            care_actions.c.id == action_id,
            care_actions.c.status == QUEUED,
        )
        .values(**values)
    ).rowcount
    return bool(done)


def requeue(conn: Connection, workspace_id: str, action_id: str, now: int) -> bool:
    """Put a dead-lettered action back in the queue, due now, with its attempts counted afresh."""
    done = conn.execute(
        update(care_actions)
        .where(
            care_actions.c.workspace_id == workspace_id,
            care_actions.c.id == action_id,
            care_actions.c.status == DEAD,
        )
        .values(status=QUEUED, next_at=now, attempts=0)
    ).rowcount
    return bool(done)


def of_item(conn: Connection, workspace_id: str, item_id: str) -> list[Action]:
    rows = conn.execute(
        select(care_actions)
        .where(care_actions.c.workspace_id == workspace_id, care_actions.c.item_id == item_id)
        .order_by(care_actions.c.created_at)
    )
    return [_action(r) for r in rows]


def dead_letters(conn: Connection, workspace_id: str, limit: int = 200) -> list[Action]:
    rows = conn.execute(
        select(care_actions)
        .where(care_actions.c.workspace_id == workspace_id, care_actions.c.status == DEAD)
        .order_by(care_actions.c.created_at.desc())
        .limit(limit)
    )
    return [_action(r) for r in rows]


def contacts_since(conn: Connection, workspace_id: str, customer_ids: Sequence[str], since: int) -> dict[str, int]:
    """Proactive contacts sent to each customer since a time (the frequency cap counts them)."""
    sql = (
        "SELECT customer_id, COUNT(*) FROM care_actions WHERE workspace_id = ? AND proactive = 1 AND status = 'sent' "
        "AND sent_at >= ? AND customer_id IN ({marks}) GROUP BY customer_id"
    )
    return {r[0]: int(r[1]) for r in fetch_in(conn, sql, (workspace_id, since), customer_ids)}


def last_contact(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> dict[str, list[int]]:
    """Send times of each customer's proactive contacts, newest first (for 'next possible on')."""
    sql = (
        "SELECT customer_id, sent_at FROM care_actions WHERE workspace_id = ? AND proactive = 1 AND status = 'sent' "
        "AND customer_id IN ({marks})"
    )
    out: dict[str, list[int]] = {}
    for r in fetch_in(conn, sql, (workspace_id,), customer_ids):
        out.setdefault(r[0], []).append(int(r[1]))
    return {k: sorted(v, reverse=True) for k, v in out.items()}


def status_counts(conn: Connection, workspace_id: str) -> dict[str, int]:
    rows = conn.execute(
        select(care_actions.c.status, func.count())
        .where(care_actions.c.workspace_id == workspace_id)
        .group_by(care_actions.c.status)
    )
    return {r[0]: int(r[1]) for r in rows}
