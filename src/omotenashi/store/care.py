"""The SQL of care items: one open item per customer and reason, their history (the care log), the queue's listings,
outcomes, and the care engine's own state (watermarks, round-robin turns)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, or_, select, update

from omotenashi.store.schema import care_items, care_log, care_state

OPEN, CLAIMED, RESOLVED, HELD_OUT, CLOSED = "open", "claimed", "resolved", "held_out", "closed"
ACTIVE = (OPEN, CLAIMED)  # in somebody's queue
LIVE = (OPEN, CLAIMED, HELD_OUT)  # not over: new evidence updates it instead of making another
TREATED, HOLDOUT = "treated", "holdout"


@dataclass(frozen=True)
class CareItem:
    """A care item as stored."""

    workspace_id: str
    id: str
    customer_id: str
    playbook: str
    reason_key: str
    trigger: str
    trigger_ref: str | None
    trigger_at: int
    arm: str
    status: str
    priority: int
    team: str | None
    owner_id: str | None
    due_at: int
    created_at: int
    updated_at: int
    evidence: dict[str, Any]
    reassignments: int
    ping_pong: int
    resolved_at: int | None
    resolved_by: str | None
    outcome: str | None
    recovered: int | None
    recovered_at: int | None


_COLUMNS = [f.name for f in fields(CareItem)]


def _item(row: Any) -> CareItem:
    values = dict(row._mapping)
    try:
        values["evidence"] = json.loads(values["evidence"] or "{}")
    except ValueError:
        values["evidence"] = {}
    return CareItem(**{name: values[name] for name in _COLUMNS})


def _row(item: CareItem) -> dict[str, Any]:
    row = {name: getattr(item, name) for name in _COLUMNS}
    row["evidence"] = json.dumps(item.evidence, ensure_ascii=False, sort_keys=True)
    return row


def add_items(conn: Connection, items: Sequence[CareItem]) -> None:
    if items:
        conn.execute(insert(care_items), [_row(i) for i in items])


Key = tuple[str, str, str]  # (customer, playbook, reason)


def _keyed(conn: Connection, workspace_id: str, keys: Iterable[Key], statuses: Sequence[str]) -> Iterable[CareItem]:
    """Items in these statuses for the wanted keys."""
    wanted = set(keys)
    customers = sorted({k[0] for k in wanted})
    for start in range(0, len(customers), 500):
        rows = conn.execute(
            select(care_items).where(
                care_items.c.workspace_id == workspace_id,
                care_items.c.customer_id.in_(customers[start : start + 500]),
                care_items.c.status.in_(statuses),
            )
        )
        for r in rows:
            item = _item(r)
            if (item.customer_id, item.playbook, item.reason_key) in wanted:
                yield item


def live_items(conn: Connection, workspace_id: str, keys: Iterable[Key]) -> dict[Key, CareItem]:
    """The item not yet over for each (customer, playbook, reason), where one exists."""
    return {(i.customer_id, i.playbook, i.reason_key): i for i in _keyed(conn, workspace_id, keys, LIVE)}


def ended_items(conn: Connection, workspace_id: str, keys: Iterable[Key]) -> dict[Key, CareItem]:
    """For each (customer, playbook, reason) with items that are over, the one that changed last."""
    out: dict[Key, CareItem] = {}
    for item in _keyed(conn, workspace_id, keys, (RESOLVED, CLOSED)):
        key = (item.customer_id, item.playbook, item.reason_key)
        if key not in out or item.updated_at >= out[key].updated_at:
            out[key] = item
    return out


def get(conn: Connection, workspace_id: str, item_id: str) -> CareItem | None:
    row = conn.execute(
        select(care_items).where(care_items.c.workspace_id == workspace_id, care_items.c.id == item_id)
    ).first()
    return None if row is None else _item(row)


def change(conn: Connection, workspace_id: str, item_id: str, **values: Any) -> None:
    """Update columns of one item (`evidence` as a mapping)."""
    if "evidence" in values:
        values["evidence"] = json.dumps(values["evidence"], ensure_ascii=False, sort_keys=True)
    conn.execute(
        update(care_items).where(care_items.c.workspace_id == workspace_id, care_items.c.id == item_id).values(**values)
    )


def of_customers(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> list[CareItem]:
    """Every item of these customer records, newest first."""
    rows = conn.execute(
        select(care_items)
        .where(care_items.c.workspace_id == workspace_id, care_items.c.customer_id.in_(list(customer_ids)))
        .order_by(care_items.c.created_at.desc())
    )
    return [_item(r) for r in rows]


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[str, ...] = ACTIVE
    owner_id: str | None = None
    team: str | None = None
    unassigned: bool = False
    overdue_at: int | None = None  # due before this time
    playbook: str | None = None


def queue(conn: Connection, workspace_id: str, f: QueueFilter, limit: int = 100, offset: int = 0) -> list[CareItem]:
    """Items of the queue: most urgent first, then the soonest due."""
    conds = [care_items.c.workspace_id == workspace_id, care_items.c.status.in_(f.statuses)]
    if f.owner_id is not None:
        conds.append(care_items.c.owner_id == f.owner_id)
    if f.unassigned:
        conds.append(care_items.c.owner_id.is_(None))
    if f.team is not None:
        conds.append(care_items.c.team == f.team)
    if f.overdue_at is not None:
        conds.append(care_items.c.due_at < f.overdue_at)
    if f.playbook is not None:
        conds.append(care_items.c.playbook == f.playbook)
    rows = conn.execute(
        select(care_items)
        .where(and_(*conds))
        .order_by(care_items.c.priority, care_items.c.due_at, care_items.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [_item(r) for r in rows]


def open_load(conn: Connection, workspace_id: str, owner_ids: Sequence[str]) -> dict[str, int]:
    """How many items each staff member has in their queue."""
    rows = conn.execute(
        select(care_items.c.owner_id, func.count())
        .where(
            care_items.c.workspace_id == workspace_id,
            care_items.c.status.in_(ACTIVE),
            care_items.c.owner_id.in_(list(owner_ids)),
        )
        .group_by(care_items.c.owner_id)
    )
    found = {r[0]: int(r[1]) for r in rows}
    return {o: found.get(o, 0) for o in owner_ids}


def open_of(conn: Connection, workspace_id: str, owner_id: str) -> int:
    """How many items in somebody's queue this staff member owns."""
    c = care_items.c
    stmt = select(func.count()).where(c.workspace_id == workspace_id, c.owner_id == owner_id, c.status.in_(ACTIVE))
    return int(conn.execute(stmt).scalar() or 0)


def counts(conn: Connection, workspace_id: str, now: int) -> dict[str, int]:
    """Queue figures: open, overdue, unassigned, held out, resolved, ping-pong items."""
    c = care_items.c
    active = c.status.in_(ACTIVE)
    conditions = (
        active,
        and_(active, c.due_at < now),
        and_(active, c.owner_id.is_(None)),
        c.status == HELD_OUT,
        c.status == RESOLVED,
        c.ping_pong > 0,
    )
    row = conn.execute(
        select(*(func.sum(case((cond, 1), else_=0)) for cond in conditions)).where(c.workspace_id == workspace_id)
    ).one()
    names = ("open", "overdue", "unassigned", "held_out", "resolved", "ping_pong")
    return {n: int(v or 0) for n, v in zip(names, row, strict=True)}


# --- outcomes --------------------------------------------------------------------------------------------------------


def awaiting_outcome(conn: Connection, workspace_id: str, playbook: str, trigger_before: int) -> list[CareItem]:
    """Items of a playbook whose outcome window has passed but whose outcome is not read yet."""
    rows = conn.execute(
        select(care_items).where(
            care_items.c.workspace_id == workspace_id,
            care_items.c.playbook == playbook,
            care_items.c.recovered.is_(None),
            care_items.c.trigger_at <= trigger_before,
        )
    )
    return [_item(r) for r in rows]


def outcome_counts(conn: Connection, workspace_id: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(playbook, arm) → (items, outcomes read, recovered)."""
    c = care_items.c
    rows = conn.execute(
        select(c.playbook, c.arm, func.count(), func.count(c.recovered), func.coalesce(func.sum(c.recovered), 0))
        .where(c.workspace_id == workspace_id)
        .group_by(c.playbook, c.arm)
    )
    return {(r[0], r[1]): (int(r[2]), int(r[3]), int(r[4])) for r in rows}


# --- the care log ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    item_id: str
    customer_id: str
    at: int
    actor: str
    what: str
    details: dict[str, Any]


def log(conn: Connection, workspace_id: str, entries: Sequence[LogEntry]) -> None:
    if entries:
        conn.execute(
            insert(care_log),
            [
                {
                    "workspace_id": workspace_id,
                    "item_id": e.item_id,
                    "customer_id": e.customer_id,
                    "at": e.at,
                    "actor": e.actor,
                    "what": e.what,
                    "details": json.dumps(e.details, ensure_ascii=False, sort_keys=True),
                }
                for e in entries
            ],
        )


def log_of(conn: Connection, workspace_id: str, item_id: str) -> list[LogEntry]:
    rows = conn.execute(
        select(care_log)
        .where(care_log.c.workspace_id == workspace_id, care_log.c.item_id == item_id)
        .order_by(care_log.c.at, care_log.c.id)
    )
    return [LogEntry(r.item_id, r.customer_id, r.at, r.actor, r.what, json.loads(r.details or "{}")) for r in rows]


def owners_before(conn: Connection, workspace_id: str, item_id: str) -> list[str]:
    """Everyone who owned the item, in order."""
    return [
        str(e.details["owner_id"])
        for e in log_of(conn, workspace_id, item_id)
        if e.what in ("assigned", "reassigned", "claimed") and e.details.get("owner_id")
    ]


# --- the engine's state ----------------------------------------------------------------------------------------------


def get_state(conn: Connection, workspace_id: str, key: str, default: Any = None) -> Any:
    row = conn.execute(
        select(care_state.c.value).where(care_state.c.workspace_id == workspace_id, care_state.c.key == key)
    ).first()
    return default if row is None else json.loads(row[0])


def set_state(conn: Connection, workspace_id: str, key: str, value: Any, now: int) -> None:
    text = json.dumps(value, sort_keys=True)
    done = conn.execute(
        update(care_state)
        .where(care_state.c.workspace_id == workspace_id, care_state.c.key == key)
        .values(value=text, updated_at=now)
    ).rowcount
    if not done:
        conn.execute(insert(care_state).values(workspace_id=workspace_id, key=key, value=text, updated_at=now))


def forget_customers(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> None:
    """Close the queue items of customers who withdrew the purpose care needs (their history stays until erasure)."""
    if customer_ids:
        conn.execute(
            update(care_items)
            .where(
                care_items.c.workspace_id == workspace_id,
                care_items.c.customer_id.in_(list(customer_ids)),
                or_(*(care_items.c.status == s for s in LIVE)),
            )
            .values(status=CLOSED, outcome="consent_withdrawn")
        )
