"""The SQL of goodwill: the audit ledger of grants, and the budgets they count against.

A budget row holds what is committed in a period (granted, approved, and pending grants, which hold their value
until decided). Committing is one conditional UPDATE (`committed + value <= limit`), so two grants made at the same
time — by two threads, two requests or two processes — can never overspend it, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, insert, select, update

from omotenashi.store.schema import goodwill_budgets, goodwill_grants
from omotenashi.store.sql import driver_sql

GRANTED, PENDING, APPROVED, REJECTED = "granted", "pending", "approved", "rejected"
COUNTED = (GRANTED, PENDING, APPROVED)


@dataclass(frozen=True)
class Grant:
    workspace_id: str
    id: str
    customer_id: str
    item_id: str | None
    staff_id: str
    team: str | None
    kind: str
    value: float
    currency: str
    reason_code: str
    note: str
    status: str
    period: str
    created_at: int
    decided_by: str | None
    decided_at: int | None
    decision_note: str | None


_COLUMNS = [f.name for f in fields(Grant)]


def _grant(row: Any) -> Grant:
    m = row._mapping
    return Grant(**{n: m[n] for n in _COLUMNS})


def add(conn: Connection, grant: Grant) -> None:
    conn.execute(insert(goodwill_grants).values(**{n: getattr(grant, n) for n in _COLUMNS}))


def get(conn: Connection, workspace_id: str, grant_id: str) -> Grant | None:
    row = conn.execute(
        select(goodwill_grants).where(goodwill_grants.c.workspace_id == workspace_id, goodwill_grants.c.id == grant_id)
    ).first()
    return None if row is None else _grant(row)


def decide(conn: Connection, workspace_id: str, grant_id: str, status: str, by: str, at: int, note: str) -> bool:
    """Approve or reject a pending grant; False when it was decided already."""
    done = conn.execute(
        update(goodwill_grants)
        .where(
            goodwill_grants.c.workspace_id == workspace_id,
            goodwill_grants.c.id == grant_id,
            goodwill_grants.c.status == PENDING,
        )
        .values(status=status, decided_by=by, decided_at=at, decision_note=note)
    ).rowcount
    return bool(done)


def ledger(
    conn: Connection,
    workspace_id: str,
    *,
    status: str | None = None,
    customer_ids: Sequence[str] | None = None,
    item_id: str | None = None,
    limit: int = 200,
) -> list[Grant]:
    """Grants, newest first."""
    conds = [goodwill_grants.c.workspace_id == workspace_id]
    if status is not None:
        conds.append(goodwill_grants.c.status == status)
    if customer_ids is not None:
        conds.append(goodwill_grants.c.customer_id.in_(list(customer_ids)))
    if item_id is not None:
        conds.append(goodwill_grants.c.item_id == item_id)
    rows = conn.execute(
        select(goodwill_grants).where(*conds).order_by(goodwill_grants.c.created_at.desc()).limit(limit)
    )
    return [_grant(r) for r in rows]


def commit(conn: Connection, workspace_id: str, scope: str, period: str, value: float, limit: float, now: int) -> bool:
    """Add `value` to what the scope committed in the period, only if it stays within `limit`."""
    conn.exec_driver_sql(
        driver_sql(
            conn,
            "INSERT INTO goodwill_budgets (workspace_id, scope, period, committed, updated_at) VALUES (?, ?, ?, 0, ?) "
            "ON CONFLICT (workspace_id, scope, period) DO NOTHING",
        ),
        (workspace_id, scope, period, now),
    )
    done = conn.execute(
        update(goodwill_budgets)
        .where(
            goodwill_budgets.c.workspace_id == workspace_id,
            goodwill_budgets.c.scope == scope,
            goodwill_budgets.c.period == period,
            goodwill_budgets.c.committed + value <= limit + 1e-9,
        )
        .values(committed=goodwill_budgets.c.committed + value, updated_at=now)
    ).rowcount
    return bool(done)


def release(conn: Connection, workspace_id: str, scope: str, period: str, value: float, now: int) -> None:
    """Give back what a rejected grant held."""
    conn.execute(
        update(goodwill_budgets)
        .where(
            goodwill_budgets.c.workspace_id == workspace_id,
            goodwill_budgets.c.scope == scope,
            goodwill_budgets.c.period == period,
        )
        .values(committed=goodwill_budgets.c.committed - value, updated_at=now)
    )


def committed(conn: Connection, workspace_id: str, scopes: Sequence[str], period: str) -> dict[str, float]:
    rows = conn.execute(
        select(goodwill_budgets.c.scope, goodwill_budgets.c.committed).where(
            goodwill_budgets.c.workspace_id == workspace_id,
            goodwill_budgets.c.scope.in_(list(scopes)),
            goodwill_budgets.c.period == period,
        )
    )
    found = {r[0]: float(r[1]) for r in rows}
    return {s: found.get(s, 0.0) for s in scopes}


def forget_customers(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> int:
    """Erasure: the ledger keeps every grant (budgets and audit need them) but no longer says whose it was."""
    if not customer_ids:
        return 0
    return int(
        conn.execute(
            update(goodwill_grants)
            .where(goodwill_grants.c.workspace_id == workspace_id, goodwill_grants.c.customer_id.in_(customer_ids))
            .values(customer_id="erased", note="", item_id=None)
        ).rowcount
    )
