"""Traits with provenance and history, and preferences with their origin."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Connection, and_, select

from omotenashi.store.schema import preferences, trait_values
from omotenashi.store.sql import execute_many


@dataclass(frozen=True)
class TraitValue:
    """One value a trait took, where it came from and when."""

    id: int
    customer_id: str
    name: str
    value: Any
    origin: str
    source_id: str | None
    seq: int | None
    staff_id: str | None
    reason: str | None
    purposes: tuple[str, ...]
    at: int


@dataclass(frozen=True)
class PreferenceValue:
    """One value a preference took, who set it and when."""

    id: int
    customer_id: str
    name: str
    value: Any
    origin: str
    source_id: str | None
    seq: int | None
    staff_id: str | None
    reason: str | None
    at: int


_decode = msgspec.json.decode  # values are JSON text; msgspec reads them several times faster than json
_PROVENANCE = ("customer_id", "name", "value", "origin", "source_id", "seq", "staff_id", "reason")


def _append(
    conn: Connection, table: str, workspace_id: str, rows: Sequence[dict[str, Any]], extra: tuple[str, ...]
) -> None:
    """Append values with their provenance; `value` is stored as JSON."""
    columns = ("workspace_id", *_PROVENANCE, *extra, "at")
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    execute_many(
        conn,
        sql,
        [
            (
                workspace_id,
                *(json.dumps(r["value"], ensure_ascii=False) if c == "value" else r.get(c) for c in _PROVENANCE),
                *(r[c] for c in extra),
                r["at"],
            )
            for r in rows
        ],
    )


def add_traits(conn: Connection, workspace_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """Append trait values (customer_id, name, value, origin, source_id, seq, staff_id, reason, purposes, at)."""
    _append(conn, "trait_values", workspace_id, rows, ("purposes",))


def traits_of(
    conn: Connection, workspace_id: str, customer_ids: Sequence[str], names: Sequence[str] | None = None
) -> list[TraitValue]:
    """Every trait value of these base customers (only the traits `names` names, if given), oldest first."""
    cond = and_(trait_values.c.workspace_id == workspace_id, trait_values.c.customer_id.in_(customer_ids))
    if names is not None:
        cond = and_(cond, trait_values.c.name.in_(list(names)))
    stmt = select(trait_values).where(cond).order_by(trait_values.c.at, trait_values.c.id)
    return [
        TraitValue(
            r.id,
            r.customer_id,
            r.name,
            _decode(r.value),
            r.origin,
            r.source_id,
            r.seq,
            r.staff_id,
            r.reason,
            tuple(p for p in r.purposes.split(",") if p),
            r.at,
        )
        for r in conn.execute(stmt)
    ]


def add_preferences(conn: Connection, workspace_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """Append preference values (customer_id, name, value, origin, source_id, seq, staff_id, reason, at)."""
    _append(conn, "preferences", workspace_id, rows, ())


def preferences_of(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> list[PreferenceValue]:
    """Every preference value of these base customers, oldest first."""
    stmt = (
        select(preferences)
        .where(and_(preferences.c.workspace_id == workspace_id, preferences.c.customer_id.in_(customer_ids)))
        .order_by(preferences.c.at, preferences.c.id)
    )
    return [
        PreferenceValue(
            r.id, r.customer_id, r.name, _decode(r.value), r.origin, r.source_id, r.seq, r.staff_id, r.reason, r.at
        )
        for r in conn.execute(stmt)
    ]
