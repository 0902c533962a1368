"""What is known of each customer's events: which customer record each event is attributed to, their counts and
first and last times, the terms they are found by, the seqs of their timeline and the summary the portal shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from omotenashi.store.schema import customer_stats, customers, event_customers, search_terms
from omotenashi.store.sql import driver_sql, execute_many


def attribute(conn: Connection, workspace_id: str, rows: Sequence[tuple[str, int, int]]) -> None:
    """Attribute events to base customers: (customer_id, seq, ts)."""
    execute_many(
        conn,
        "INSERT INTO event_customers (workspace_id, customer_id, seq, ts) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, customer_id, ts, seq) DO NOTHING",
        [(workspace_id, cid, seq, ts) for cid, seq, ts in rows],
    )


def bump_stats(conn: Connection, workspace_id: str, deltas: dict[str, tuple[int, int, int]]) -> None:
    """Add (events, first_ts, last_ts) to each base customer's stats."""
    execute_many(
        conn,
        "INSERT INTO customer_stats (workspace_id, customer_id, events, first_ts, last_ts) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, customer_id) DO UPDATE SET events = customer_stats.events + excluded.events, "
        "first_ts = CASE WHEN excluded.first_ts < customer_stats.first_ts THEN excluded.first_ts "
        "ELSE customer_stats.first_ts END, "
        "last_ts = CASE WHEN excluded.last_ts > customer_stats.last_ts THEN excluded.last_ts "
        "ELSE customer_stats.last_ts END",
        [(workspace_id, cid, n, first, last) for cid, (n, first, last) in deltas.items()],
    )


def stats_of(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> tuple[int, int | None, int | None]:
    """(events, first_ts, last_ts) summed over these base customers."""
    stmt = select(
        func.coalesce(func.sum(customer_stats.c.events), 0),
        func.min(customer_stats.c.first_ts),
        func.max(customer_stats.c.last_ts),
    ).where(and_(customer_stats.c.workspace_id == workspace_id, customer_stats.c.customer_id.in_(customer_ids)))
    events, first, last = conn.execute(stmt).one()
    return int(events), first, last


def add_search_terms(conn: Connection, workspace_id: str, rows: Iterable[tuple[str, str]]) -> None:
    """Index (term, customer_id) for staff search."""
    execute_many(
        conn,
        "INSERT INTO search_terms (workspace_id, term, customer_id) VALUES (?, ?, ?) "
        "ON CONFLICT (workspace_id, term, customer_id) DO NOTHING",
        [(workspace_id, term[:200], cid) for term, cid in set(rows)],
    )


def search(conn: Connection, workspace_id: str, term: str, limit: int = 50) -> list[str]:
    """Base customers with an indexed term equal to, or starting with, `term` (lower-cased)."""
    prefix = term.lower()[:200]
    stmt = (
        select(search_terms.c.customer_id)
        .where(
            and_(
                search_terms.c.workspace_id == workspace_id,
                search_terms.c.term >= prefix,
                search_terms.c.term < prefix + "\uffff",
            )
        )
        .distinct()
        .limit(limit)
    )
    return [r[0] for r in conn.execute(stmt)]


def seqs_of(
    conn: Connection, workspace_id: str, customer_ids: Sequence[str], before: tuple[int, int] | None, limit: int
) -> list[tuple[int, int]]:
    """(ts, seq) of the newest events of these base customers before a (ts, seq) cursor, newest first.

    One indexed, limited scan per base customer, so the cost does not grow with the length of the history.
    """
    found: list[tuple[int, int]] = []
    for cid in customer_ids:
        stmt = select(event_customers.c.ts, event_customers.c.seq).where(
            and_(event_customers.c.workspace_id == workspace_id, event_customers.c.customer_id == cid)
        )
        if before is not None:
            ts, seq = before
            stmt = stmt.where(
                or_(event_customers.c.ts < ts, and_(event_customers.c.ts == ts, event_customers.c.seq < seq))
            )
        stmt = stmt.order_by(event_customers.c.ts.desc(), event_customers.c.seq.desc()).limit(limit)
        found.extend((int(ts), int(seq)) for ts, seq in conn.execute(stmt))
    found.sort(reverse=True)
    return found[:limit]


def count_customers(conn: Connection, workspace_id: str) -> int:
    """Customers as people: roots only."""
    stmt = select(func.count()).where(and_(customers.c.workspace_id == workspace_id, customers.c.merged_into.is_(None)))
    return int(conn.execute(stmt).scalar_one())


def event_summary(conn: Connection, workspace_id: str, members: Sequence[str]) -> list[dict[str, Any]]:
    """A person's events grouped by kind, source and purposes: how many, first and last."""
    marks = ",".join("?" * len(members))
    sql = (
        "SELECT e.type, e.event, e.source_id, e.purposes, COUNT(*), MIN(e.ts), MAX(e.ts) "
        "FROM event_customers ec JOIN events e ON e.seq = ec.seq AND e.workspace_id = ec.workspace_id "
        f"WHERE ec.workspace_id = ? AND ec.customer_id IN ({marks}) "
        "GROUP BY e.type, e.event, e.source_id, e.purposes ORDER BY COUNT(*) DESC"
    )
    rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *members)).fetchall()
    return [
        {"type": r[0], "event": r[1], "source": r[2], "purposes": r[3], "count": int(r[4]), "first": r[5], "last": r[6]}
        for r in rows
    ]
