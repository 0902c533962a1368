"""Customers and their identities: the identity graph, merges and conflicts (what each customer's events add up to
is in `customer_events`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from omotenashi.store.schema import (
    customers,
    identity_conflicts,
    merges,
)
from omotenashi.store.sql import execute_many, fetch_in


@dataclass(frozen=True)
class Identity:
    kind: str
    value: str
    customer_id: str
    first_seq: int | None
    first_at: int
    source_id: str | None


@dataclass(frozen=True)
class Merge:
    id: int
    survivor_id: str
    absorbed_id: str
    rule: str
    evidence: dict[str, Any]
    at: int
    by_staff: str | None
    undone_at: int | None
    undone_by: str | None
    undo_reason: str | None


@dataclass(frozen=True)
class Conflict:
    id: int
    kind: str
    value: str
    customer_a: str
    customer_b: str
    rule: str
    detail: dict[str, Any]
    seq: int | None
    at: int
    resolved_at: int | None


# --- identities ---------------------------------------------------------------------------------------------------


def find_identities(conn: Connection, workspace_id: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The base customer of each known (kind, value)."""
    by_kind: dict[str, set[str]] = {}
    for kind, value in keys:
        by_kind.setdefault(kind, set()).add(value)
    out: dict[tuple[str, str], str] = {}
    sql = "SELECT value, customer_id FROM identities WHERE workspace_id = ? AND kind = ? AND value IN ({marks})"
    for kind, values in by_kind.items():
        for value, customer_id in fetch_in(conn, sql, (workspace_id, kind), values):
            out[(kind, value)] = customer_id
    return out


def add_identities(conn: Connection, workspace_id: str, rows: Sequence[Identity]) -> None:
    """Record identifiers first seen with a customer."""
    execute_many(
        conn,
        "INSERT INTO identities (workspace_id, kind, value, customer_id, first_seq, first_at, source_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(workspace_id, i.kind, i.value, i.customer_id, i.first_seq, i.first_at, i.source_id) for i in rows],
    )


def identities_of(conn: Connection, workspace_id: str, customer_ids: Iterable[str]) -> list[Identity]:
    """Every identifier of these base customers."""
    sql = (
        "SELECT kind, value, customer_id, first_seq, first_at, source_id FROM identities "
        "WHERE workspace_id = ? AND customer_id IN ({marks})"
    )
    return [Identity(*row) for row in fetch_in(conn, sql, (workspace_id,), set(customer_ids))]


def user_ids_of(conn: Connection, workspace_id: str, customer_ids: Iterable[str]) -> dict[str, set[str]]:
    """The userIds of each of these base customers."""
    sql = (
        "SELECT customer_id, value FROM identities WHERE workspace_id = ? AND kind = 'user_id' "
        "AND customer_id IN ({marks})"
    )
    out: dict[str, set[str]] = {}
    for customer_id, value in fetch_in(conn, sql, (workspace_id,), set(customer_ids)):
        out.setdefault(customer_id, set()).add(value)
    return out


# --- customers and merges -----------------------------------------------------------------------------------------


def add_customers(conn: Connection, workspace_id: str, rows: Sequence[tuple[str, int, int | None]]) -> None:
    """Create customers: (id, created_at, created_seq)."""
    execute_many(
        conn,
        "INSERT INTO customers (workspace_id, id, created_at, created_seq, merged_into) VALUES (?, ?, ?, ?, NULL)",
        [(workspace_id, cid, at, seq) for cid, at, seq in rows],
    )


def merged_into(conn: Connection, workspace_id: str, customer_ids: Iterable[str]) -> dict[str, str | None]:
    """For each existing customer, the customer it is merged into (None for a root)."""
    sql = "SELECT id, merged_into FROM customers WHERE workspace_id = ? AND id IN ({marks})"
    return dict(fetch_in(conn, sql, (workspace_id,), set(customer_ids)))


def exists(conn: Connection, workspace_id: str, customer_id: str) -> bool:
    stmt = select(customers.c.id).where(and_(customers.c.workspace_id == workspace_id, customers.c.id == customer_id))
    return conn.execute(stmt).first() is not None


def root_of(conn: Connection, workspace_id: str, customer_id: str) -> str:
    """The customer this one is (transitively) merged into, or itself."""
    seen = {customer_id}
    current = customer_id
    while True:
        parent = merged_into(conn, workspace_id, [current]).get(current)
        if parent is None or parent in seen:
            return current
        seen.add(parent)
        current = parent


def members_of(conn: Connection, workspace_id: str, root_id: str) -> list[str]:
    """The root and every customer merged into it, directly or not."""
    members = [root_id]
    frontier = [root_id]
    while frontier:
        sql = "SELECT id FROM customers WHERE workspace_id = ? AND merged_into IN ({marks})"
        children = [row[0] for row in fetch_in(conn, sql, (workspace_id,), frontier)]
        children = [c for c in children if c not in members]
        members.extend(children)
        frontier = children
    return members


def members_of_many(conn: Connection, workspace_id: str, root_ids: Sequence[str]) -> dict[str, list[str]]:
    """`members_of` for many roots at once: each root with every record merged into it."""
    out = {r: [r] for r in root_ids}
    owner = {r: r for r in root_ids}
    frontier = list(root_ids)
    while frontier:
        sql = "SELECT id, merged_into FROM customers WHERE workspace_id = ? AND merged_into IN ({marks})"
        children = []
        for child, parent in fetch_in(conn, sql, (workspace_id,), frontier):
            root = owner.get(parent)
            if root is None or child in owner:
                continue
            owner[child] = root
            out[root].append(child)
            children.append(child)
        frontier = children
    return out


def set_merged_into(conn: Connection, workspace_id: str, customer_id: str, parent: str | None) -> None:
    conn.execute(
        update(customers)
        .where(and_(customers.c.workspace_id == workspace_id, customers.c.id == customer_id))
        .values(merged_into=parent)
    )


def record_merge(
    conn: Connection,
    workspace_id: str,
    survivor_id: str,
    absorbed_id: str,
    rule: str,
    evidence: dict[str, Any],
    at: int,
    by_staff: str | None = None,
) -> int:
    """Append a merge to the ledger; its id."""
    result = conn.execute(
        insert(merges)
        .values(
            workspace_id=workspace_id,
            survivor_id=survivor_id,
            absorbed_id=absorbed_id,
            rule=rule,
            evidence=json.dumps(evidence, sort_keys=True),
            at=at,
            by_staff=by_staff,
        )
        .returning(merges.c.id)
    )
    return int(result.scalar_one())


def _merge(row: Any) -> Merge:
    return Merge(
        row.id,
        row.survivor_id,
        row.absorbed_id,
        row.rule,
        json.loads(row.evidence),
        row.at,
        row.by_staff,
        row.undone_at,
        row.undone_by,
        row.undo_reason,
    )


def get_merge(conn: Connection, workspace_id: str, merge_id: int) -> Merge | None:
    stmt = select(merges).where(and_(merges.c.workspace_id == workspace_id, merges.c.id == merge_id))
    row = conn.execute(stmt).first()
    return _merge(row) if row else None


def merges_touching(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> list[Merge]:
    """Every merge (live or undone) that involved one of these customers, newest first."""
    stmt = (
        select(merges)
        .where(
            and_(
                merges.c.workspace_id == workspace_id,
                or_(merges.c.survivor_id.in_(customer_ids), merges.c.absorbed_id.in_(customer_ids)),
            )
        )
        .order_by(merges.c.id.desc())
    )
    return [_merge(r) for r in conn.execute(stmt)]


def mark_undone(conn: Connection, workspace_id: str, merge_id: int, at: int, by: str, reason: str) -> None:
    conn.execute(
        update(merges)
        .where(and_(merges.c.workspace_id == workspace_id, merges.c.id == merge_id))
        .values(undone_at=at, undone_by=by, undo_reason=reason)
    )


def undone_pairs(conn: Connection, workspace_id: str) -> set[frozenset[str]]:
    """Pairs of customers staff separated: evidence must not merge them again."""
    stmt = select(merges.c.survivor_id, merges.c.absorbed_id).where(
        and_(merges.c.workspace_id == workspace_id, merges.c.undone_at.is_not(None))
    )
    return {frozenset(row) for row in conn.execute(stmt)}


# --- conflicts ----------------------------------------------------------------------------------------------------


def add_conflicts(conn: Connection, workspace_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """Record evidence too weak to merge on, for staff to see."""
    execute_many(
        conn,
        "INSERT INTO identity_conflicts (workspace_id, kind, value, customer_a, customer_b, rule, detail, seq, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                workspace_id,
                r["kind"],
                r["value"],
                r["customer_a"],
                r["customer_b"],
                r["rule"],
                json.dumps(r["detail"], sort_keys=True),
                r.get("seq"),
                r["at"],
            )
            for r in rows
        ],
    )


def open_conflict_keys(conn: Connection, workspace_id: str) -> set[tuple[str, str, str, str]]:
    """(kind, value, a, b) of unresolved conflicts, so the same one is not recorded twice."""
    stmt = select(
        identity_conflicts.c.kind,
        identity_conflicts.c.value,
        identity_conflicts.c.customer_a,
        identity_conflicts.c.customer_b,
    ).where(and_(identity_conflicts.c.workspace_id == workspace_id, identity_conflicts.c.resolved_at.is_(None)))
    return {tuple(r) for r in conn.execute(stmt)}


def conflicts_touching(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> list[Conflict]:
    stmt = (
        select(identity_conflicts)
        .where(
            and_(
                identity_conflicts.c.workspace_id == workspace_id,
                or_(
                    identity_conflicts.c.customer_a.in_(customer_ids),
                    identity_conflicts.c.customer_b.in_(customer_ids),
                ),
            )
        )
        .order_by(identity_conflicts.c.id.desc())
    )
    return [
        Conflict(
            r.id, r.kind, r.value, r.customer_a, r.customer_b, r.rule, json.loads(r.detail), r.seq, r.at, r.resolved_at
        )
        for r in conn.execute(stmt)
    ]


def resolve_conflict(conn: Connection, workspace_id: str, conflict_id: int, at: int) -> None:
    conn.execute(
        update(identity_conflicts)
        .where(and_(identity_conflicts.c.workspace_id == workspace_id, identity_conflicts.c.id == conflict_id))
        .values(resolved_at=at)
    )
