"""A workspace's purchase history, read from the event log: (customer, day, amount) rows for the models.

Only purchase events kept for one of the anticipation's purposes are read, and a customer who withdrew one of
those purposes is left out altogether. Events are attributed as client memory attributes them: by userId (else
anonymousId) to the customer record, then to the record it was merged into.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection

from omotenashi.anticipation.transactions import Row
from omotenashi.config.anticipation import AnticipationSection
from omotenashi.core.purposes import ConsentStatus
from omotenashi.store import consent
from omotenashi.store import customers as repo
from omotenashi.store.sql import driver_sql, fetch_in

BATCH = 20_000


@dataclass(frozen=True)
class History:
    """Purchase rows by customer, and how many purchase events were left out and why."""

    rows: list[Row]
    withdrawn_customers: int
    unattributed_events: int

    @property
    def last_day(self) -> date | None:
        return max((r[1] for r in self.rows), default=None)


def _purchase_events(
    conn: Connection, workspace_id: str, section: AnticipationSection
) -> Iterator[tuple[str, str, int, float]]:
    """(identifier kind, value, ts, amount) of every purchase event kept for a needed purpose."""
    needed = set(section.purposes)
    marks = ",".join("?" * len(section.purchase_events))
    sql = (
        "SELECT seq, user_id, anonymous_id, ts, purposes, properties FROM events WHERE workspace_id = ? "  # noqa: S608
        f"AND type = 'track' AND event IN ({marks}) AND seq > ? ORDER BY seq LIMIT {BATCH}"
    )
    after = 0
    while True:
        rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *section.purchase_events, after)).fetchall()
        if not rows:
            return
        after = rows[-1][0]
        for _, user_id, anonymous_id, ts, purposes, properties in rows:
            if not needed.intersection(purposes.split(",")):
                continue
            amount = _amount(properties, section.amount_property)
            if user_id is not None:
                yield "user_id", user_id, ts, amount
            elif anonymous_id is not None:
                yield "anonymous_id", anonymous_id, ts, amount


def _amount(properties: str | None, name: str) -> float:
    if not properties:
        return 0.0
    try:
        value = json.loads(properties).get(name)
    except (ValueError, AttributeError):
        return 0.0
    try:
        return float(value) if value is not None and not isinstance(value, bool) else 0.0
    except (TypeError, ValueError):
        return 0.0


def read_history(conn: Connection, workspace_id: str, section: AnticipationSection) -> History:
    """Every purchase the anticipation may read, as rows keyed by the customer's root record."""
    found = list(_purchase_events(conn, workspace_id, section))
    keys = {(kind, value) for kind, value, _, _ in found}
    bases = repo.find_identities(conn, workspace_id, keys)
    roots = _roots(conn, workspace_id, set(bases.values()))
    subjects: dict[str, set[str]] = defaultdict(set)
    rows: list[Row] = []
    unattributed = 0
    for kind, value, ts, amount in found:
        base = bases.get((kind, value))
        if base is None:
            unattributed += 1  # not yet read by client memory, or erased since
            continue
        root = roots.get(base, base)
        subjects[root].add(value)
        rows.append((root, datetime.fromtimestamp(ts / 1000, UTC).date(), amount))
    withdrawn = _withdrawn(conn, workspace_id, subjects, set(section.purposes))
    if withdrawn:
        rows = [r for r in rows if r[0] not in withdrawn]
    return History(rows, len(withdrawn), unattributed)


def _roots(conn: Connection, workspace_id: str, bases: set[str]) -> dict[str, str]:
    """base → the record it is (transitively) merged into, for the bases that are merged."""
    parent: dict[str, str] = {}
    looked = set(bases)
    frontier = set(bases)
    sql = "SELECT id, merged_into FROM customers WHERE workspace_id = ? AND merged_into IS NOT NULL AND id IN ({marks})"
    while frontier:
        step = {r[0]: r[1] for r in fetch_in(conn, sql, (workspace_id,), frontier)}
        parent.update(step)
        frontier = set(step.values()) - looked
        looked |= frontier
    out: dict[str, str] = {}
    for base in bases:
        seen = {base}
        current = base
        while current in parent and parent[current] not in seen:
            current = parent[current]
            seen.add(current)
        if current != base:
            out[base] = current
    return out


def _withdrawn(conn: Connection, workspace_id: str, subjects: dict[str, set[str]], needed: set[str]) -> set[str]:
    """Customers one of whose identifiers withdrew a needed purpose."""
    if not subjects or not consent.has_any_state(conn, workspace_id):
        return set()
    states = consent.states(conn, workspace_id, {s for subs in subjects.values() for s in subs})
    return {
        customer
        for customer, subs in subjects.items()
        if any(
            status == ConsentStatus.WITHDRAWN and purpose in needed
            for s in subs
            for purpose, status in states.get(s, {}).items()
        )
    }
