"""Traits with provenance and history, and preferences with their origin."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


def add_traits(conn: Connection, workspace_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """Append trait values (customer_id, name, value, origin, source_id, seq, staff_id, reason, purposes, at)."""
    execute_many(
        conn,
        "INSERT INTO trait_values (workspace_id, customer_id, name, value, origin, source_id, seq, staff_id, reason, "
        "purposes, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                workspace_id,
                r["customer_id"],
                r["name"],
                json.dumps(r["value"], ensure_ascii=False),
                r["origin"],
                r.get("source_id"),
                r.get("seq"),
                r.get("staff_id"),
                r.get("reason"),
                r["purposes"],
                r["at"],
            )
            for r in rows
        ],
    )


def traits_of(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> list[TraitValue]:
    """Every trait value of these base customers, oldest first."""
    stmt = (
        select(trait_values)
        .where(and_(trait_values.c.workspace_id == workspace_id, trait_values.c.customer_id.in_(customer_ids)))
        .order_by(trait_values.c.at, trait_values.c.id)
    )
    return [
        TraitValue(
            r.id,
            r.customer_id,
            r.name,
            json.loads(r.value),
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
    execute_many(
        conn,
        "INSERT INTO preferences (workspace_id, customer_id, name, value, origin, source_id, seq, staff_id, reason, "
        "at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                workspace_id,
                r["customer_id"],
                r["name"],
                json.dumps(r["value"], ensure_ascii=False),
                r["origin"],
                r.get("source_id"),
                r.get("seq"),
                r.get("staff_id"),
                r.get("reason"),
                r["at"],
            )
            for r in rows
        ],
    )


def preferences_of(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> list[PreferenceValue]:
    """Every preference value of these base customers, oldest first."""
    stmt = (
        select(preferences)
        .where(and_(preferences.c.workspace_id == workspace_id, preferences.c.customer_id.in_(customer_ids)))
        .order_by(preferences.c.at, preferences.c.id)
    )
    return [
        PreferenceValue(
            r.id, r.customer_id, r.name, json.loads(r.value), r.origin, r.source_id, r.seq, r.staff_id, r.reason, r.at
        )
        for r in conn.execute(stmt)
    ]
