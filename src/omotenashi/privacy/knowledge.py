""" "What we know about you": every trait, preference and visible note, consent, events by kind, and who on the
staff opened the record — each with where it came from, when, the purpose, what it does for the person, and how
long it is kept. The same for everyone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.config.types import Description
from omotenashi.memory.profile import load_profile
from omotenashi.privacy import consent as consent_view
from omotenashi.privacy.datamap import DataMap, Declared
from omotenashi.store import access, customer_events, notes
from omotenashi.store import staff as staff_store


@dataclass(frozen=True)
class Known:
    """One thing held, and why."""

    label: str
    value: Any
    source: str | None
    at: int | None
    purposes: tuple[str, ...]
    what_for: Description | None
    kept_days: int | None
    origin: str | None = None
    count: int | None = None
    last: int | None = None


@dataclass
class Knowledge:
    customer_id: str
    identifiers: list[Known]
    traits: list[Known]
    preferences: list[Known]
    notes: list[Known]
    events: list[Known]
    consent: list[consent_view.PurposeConsent]
    access: list[dict[str, Any]]
    kept_after_erasure: list[tuple[str, Description]] = field(default_factory=list)


def _declared_index(house: HouseFile) -> dict[str, Declared]:
    return {d.where: d for d in DataMap(house.data_map).declared()}


def gather(
    conn: Connection, workspace_id: str, customer_id: str, house: HouseFile, hashed_kinds: set[str]
) -> Knowledge:
    """Everything held about the person, in the words the portal shows."""
    p = load_profile(conn, workspace_id, customer_id)
    declared = _declared_index(house)

    def about(where: str) -> tuple[Description | None, int | None]:
        d = declared.get(where)
        return (d.description, d.retention_days) if d else (None, None)

    identifiers = [
        Known(i.kind, None if i.kind in hashed_kinds else i.value, i.source_id, i.first_at, ("service",), None, None)
        for i in p.identities
    ]
    traits = []
    for name, t in sorted(p.traits.items()):
        what, days = about(f"trait {name}")
        cur = t.current
        traits.append(Known(name, cur.value, cur.source_id, cur.at, cur.purposes, what, days, cur.origin))
    prefs = [
        Known(name, r.value, r.source_id, r.at, ("service",), None, None, r.origin)
        for name, r in sorted(p.preferences.items())
    ]
    visible = [
        Known("note", n.body, None, n.created_at, (n.purpose,), None, None, "staff")
        for n in notes.of_customers(conn, workspace_id, p.members)
        if n.visible_to_customer
    ]
    events = []
    for row in customer_events.event_summary(conn, workspace_id, p.members):
        kind = row["event"] or row["type"]
        where = f"event {kind}" if row["type"] == "track" else ("pages" if row["type"] == "page" else row["type"])
        what, days = about(where)
        events.append(
            Known(
                kind,
                None,
                row["source"],
                row["first"],
                tuple(x for x in row["purposes"].split(",") if x),
                what,
                days,
                count=row["count"],
                last=row["last"],
            )
        )
    names: dict[str, str] = {}
    seen_by = []
    for a in access.of_customers(conn, workspace_id, p.members, 500):
        if a.staff_id not in names:
            member = staff_store.by_id(conn, workspace_id, a.staff_id)
            names[a.staff_id] = member.name if member else a.staff_id
        seen_by.append({"staff": names[a.staff_id], "what": a.what, "purpose": a.purpose, "at": a.at})
    kept = [
        (d.name, d.kept_after_erasure)
        for d in declared.values()
        if d.kept_after_erasure and d.where.startswith("event ")
    ]
    return Knowledge(
        customer_id=p.customer_id,
        identifiers=identifiers,
        traits=traits,
        preferences=prefs,
        notes=visible,
        events=events,
        consent=consent_view.view(conn, workspace_id, p.customer_id, house),
        access=seen_by,
        kept_after_erasure=kept,
    )
