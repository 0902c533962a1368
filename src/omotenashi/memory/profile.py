"""A customer as one person: the root customer, everyone merged into it, their traits and preferences."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from omotenashi.core.errors import NotFound
from omotenashi.memory import preferences as prefs
from omotenashi.store import customer_events, profiles
from omotenashi.store import customers as repo
from omotenashi.store.profiles import TraitValue


@dataclass(frozen=True)
class TraitView:
    """A trait's current value, where it came from, and the values other merged records hold."""

    name: str
    current: TraitValue
    history: list[TraitValue]
    conflicts: list[TraitValue]


@dataclass
class Profile:
    """Everything remembered about one person."""

    customer_id: str
    members: list[str]
    asked_for: str
    identities: list[repo.Identity]
    traits: dict[str, TraitView]
    preferences: dict[str, prefs.Resolved]
    events: int
    first_ts: int | None
    last_ts: int | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def display_name(self) -> str | None:
        """The customer's name, if they gave one."""
        for key in ("name", "full_name"):
            if key in self.traits and isinstance(self.traits[key].current.value, str):
                return str(self.traits[key].current.value)
        first = self.traits.get("first_name") or self.traits.get("firstName")
        last = self.traits.get("last_name") or self.traits.get("lastName")
        parts = [str(t.current.value) for t in (first, last) if t is not None and isinstance(t.current.value, str)]
        return " ".join(parts) or None

    def user_ids(self) -> list[str]:
        return sorted(i.value for i in self.identities if i.kind == "user_id")


def resolve_customer(conn: Connection, workspace_id: str, customer_id: str) -> tuple[str, list[str]]:
    """The root a customer id belongs to now, and the root's members; NotFound for an unknown id."""
    if not repo.exists(conn, workspace_id, customer_id):
        raise NotFound(f"no customer `{customer_id}` in this workspace", hint="search for the customer instead")
    root = repo.root_of(conn, workspace_id, customer_id)
    return root, repo.members_of(conn, workspace_id, root)


def traits_view(values: list[TraitValue], allowed_purposes: set[str] | None = None) -> dict[str, TraitView]:
    """Each trait's latest value (oldest-first input), with its history and the differing latest values of other
    merged records."""
    by_name: dict[str, list[TraitValue]] = defaultdict(list)
    for v in values:
        if allowed_purposes is None or allowed_purposes.intersection(v.purposes) or v.origin != "event":
            by_name[v.name].append(v)
    out: dict[str, TraitView] = {}
    for name, history in by_name.items():
        current = history[-1]
        latest_per_member: dict[str, TraitValue] = {}
        for v in history:
            latest_per_member[v.customer_id] = v
        conflicts = [v for v in latest_per_member.values() if v.value != current.value]
        out[name] = TraitView(name, current, history, conflicts)
    return out


def load_profile(
    conn: Connection, workspace_id: str, customer_id: str, allowed_purposes: set[str] | None = None
) -> Profile:
    """The whole profile of the person a customer id belongs to."""
    root, members = resolve_customer(conn, workspace_id, customer_id)
    events, first, last = customer_events.stats_of(conn, workspace_id, members)
    return Profile(
        customer_id=root,
        members=members,
        asked_for=customer_id,
        identities=repo.identities_of(conn, workspace_id, members),
        traits=traits_view(profiles.traits_of(conn, workspace_id, members), allowed_purposes),
        preferences=prefs.resolve(profiles.preferences_of(conn, workspace_id, members)),
        events=events,
        first_ts=first,
        last_ts=last,
    )


def set_preference_by_staff(
    conn: Connection,
    workspace_id: str,
    customer_id: str,
    name: str,
    value: Any,
    staff_id: str,
    reason: str,
    now_ms: int,
) -> None:
    """Record a preference the customer told a staff member, with the reason; it counts as an explicit choice."""
    from omotenashi.core.errors import BadRequest

    parsers: dict[str, Callable[[Any], Any]] = {
        "language": prefs.language,
        "tone": prefs.tone,
        "channel": prefs.channel,
        "quiet_hours": prefs.quiet_hours,
        "no_first_contact": prefs.flag,
        "timezone": prefs.timezone,
    }
    parse = parsers.get(name.split(".", 1)[0])
    if parse is None:
        raise BadRequest(f"unknown preference `{name}`", hint=f"one of: {', '.join(parsers)}, channel.<purpose>")
    parsed = parse(value)
    if parsed is None:
        raise BadRequest(f"`{value}` is not a valid {name}", hint="see the choices offered on the page")
    if not reason.strip():
        raise BadRequest("say why (e.g. 'asked on the phone')", hint="the reason is kept and shown to the customer")
    root, _ = resolve_customer(conn, workspace_id, customer_id)
    profiles.add_preferences(
        conn,
        workspace_id,
        [
            {
                "customer_id": root,
                "name": name,
                "value": parsed,
                "origin": "staff",
                "staff_id": staff_id,
                "reason": reason.strip()[:500],
                "at": now_ms,
            }
        ],
    )


def correct_trait(
    conn: Connection,
    workspace_id: str,
    customer_id: str,
    name: str,
    value: Any,
    *,
    origin: str,
    now_ms: int,
    staff_id: str | None = None,
    reason: str | None = None,
) -> None:
    """Record a corrected value for a trait; the earlier values stay in its history."""
    from omotenashi.core.errors import BadRequest

    if not name or len(name) > 128:
        raise BadRequest("a trait needs a name of at most 128 characters")
    if isinstance(value, str) and len(value) > 2000:
        raise BadRequest("the value is too long", hint="at most 2,000 characters")
    root, _ = resolve_customer(conn, workspace_id, customer_id)
    profiles.add_traits(
        conn,
        workspace_id,
        [
            {
                "customer_id": root,
                "name": name,
                "value": value,
                "origin": origin,
                "staff_id": staff_id,
                "reason": reason,
                "purposes": "service",
                "at": now_ms,
            }
        ],
    )
