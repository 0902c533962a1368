"""The briefing: what a staff member should know before contacting a customer, and why they may see it.

Only data kept for `service` or `care` appears; every item names the purpose that lets this staff member see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from omotenashi.anticipation.behaviour_words import watch_levels
from omotenashi.anticipation.words import Shown, describe
from omotenashi.config.house import HouseFile
from omotenashi.journeys.words import describe_positions
from omotenashi.memory import preferences as prefs
from omotenashi.memory.profile import Profile, load_profile
from omotenashi.memory.timeline import timeline
from omotenashi.store import anticipations, notes
from omotenashi.store import customers as repo
from omotenashi.store import journeys as journeys_repo

BRIEFING_PURPOSES = {"service", "care"}
RECENT = 8


@dataclass(frozen=True)
class Why:
    """The purpose an item serves, in the reader's language."""

    purpose: str
    text: str


@dataclass(frozen=True)
class Fact:
    label: str
    value: Any
    why: Why
    source: str | None = None
    origin: str | None = None
    at: int | None = None


@dataclass(frozen=True)
class Line:
    text: str
    at: int
    why: Why
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Briefing:
    customer_id: str
    name: Fact | None
    facts: list[Fact]
    journey: Fact | None
    recent: list[Line]
    open_matters: list[Line]
    notes: list[Line]
    events: int
    first_ts: int | None
    last_ts: int | None
    merged_records: int
    profile: Profile
    anticipations: list[Shown] = field(default_factory=list)
    anticipation_why: Why | None = None


def why(house: HouseFile, purpose: str, lang: str) -> Why:
    """A purpose and its plain-words description in the reader's language."""
    declared = house.purposes.get(purpose)
    if declared is None:
        return Why(purpose, purpose)
    text = declared.description.ja if lang == "ja" and declared.description.ja else declared.description.en
    return Why(purpose, text)


def _first_allowed(purposes: tuple[str, ...]) -> str | None:
    for p in ("service", "care"):
        if p in purposes:
            return p
    return None


PREFERENCE_PURPOSE = {
    "language": "service",
    "tone": "service",
    "timezone": "service",
    "channel": "care",
    "quiet_hours": "care",
    "no_first_contact": "care",
}


def build_briefing(conn: Connection, workspace_id: str, customer_id: str, house: HouseFile, lang: str) -> Briefing:
    """Everything the staff member should know before the contact, each item with its reason to be shown."""
    profile = load_profile(conn, workspace_id, customer_id, BRIEFING_PURPOSES)
    name = None
    display = profile.display_name
    if display is not None:
        trait = profile.traits.get("name") or profile.traits.get("first_name") or profile.traits.get("firstName")
        purpose = _first_allowed(trait.current.purposes) if trait else "service"
        name = Fact("name", display, why(house, purpose or "service", lang), trait.current.source_id if trait else None)
    facts: list[Fact] = []
    resolved = profile.preferences
    for key in ("language", "tone", "channel", "quiet_hours", "no_first_contact", "timezone"):
        pref = resolved.get(key)
        if pref is not None:
            facts.append(
                Fact(key, pref.value, why(house, PREFERENCE_PURPOSE[key], lang), pref.source_id, pref.origin, pref.at)
            )
    for key, pref in sorted(resolved.items()):
        if key.startswith("channel."):
            facts.append(Fact(key, pref.value, why(house, "care", lang), pref.source_id, pref.origin, pref.at))
    if "language" not in resolved and house.languages:
        facts.append(Fact("language", house.languages[0], why(house, "service", lang), None, "workspace default"))
    page = timeline(
        conn,
        workspace_id,
        profile.members,
        lang,
        limit=RECENT,
        kinds={"event"},
        allowed_purposes=BRIEFING_PURPOSES,
    )
    recent = [
        Line(item.text, item.at, why(house, _first_allowed(item.purposes) or "service", lang), item.detail)
        for item in page.items
    ]
    matters = [
        Line(
            f"{c.kind} {c.value}",
            c.at,
            why(house, "service", lang),
            {"conflict_id": c.id, "rule": c.rule, **c.detail, "kind": c.kind},
        )
        for c in repo.conflicts_touching(conn, workspace_id, profile.members)
        if c.resolved_at is None
    ]
    note_lines = [
        Line(
            n.body, n.created_at, why(house, n.purpose, lang), {"author": n.author_id, "id": n.id, "version": n.version}
        )
        for n in notes.of_customers(conn, workspace_id, profile.members)[:5]
        if n.purpose in BRIEFING_PURPOSES
    ]
    positions = journeys_repo.positions_of(conn, workspace_id, profile.members)
    where = describe_positions(house, positions, lang)
    journey = None
    if where is not None:
        at = max(p.entered_at for p in positions)
        journey = Fact("journey", where, why(house, "service", lang), origin="journeys", at=at)
    anticipated: list[Shown] = []
    anticipation_why = None
    if house.anticipation is not None:
        purpose = next((p for p in house.anticipation.purposes if p in BRIEFING_PURPOSES), None)
        if purpose is not None:
            stored = anticipations.of_customer(conn, workspace_id, profile.customer_id)
            anticipated = describe(stored, lang, house.anticipation.slipping_below, watch_levels(house.anticipation))
            anticipation_why = why(house, purpose, lang)
    return Briefing(
        anticipations=anticipated,
        anticipation_why=anticipation_why,
        customer_id=profile.customer_id,
        name=name,
        facts=facts,
        journey=journey,
        recent=recent,
        open_matters=matters,
        notes=note_lines,
        events=profile.events,
        first_ts=profile.first_ts,
        last_ts=profile.last_ts,
        merged_records=len(profile.members) - 1,
        profile=profile,
    )


def channel_for_care(briefing: Briefing) -> Any:
    """The channel to use for proactive care, if the customer chose one."""
    return prefs.channel_for(briefing.profile.preferences, "care")
