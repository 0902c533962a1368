"""What care needs to know of customers, read in bulk: the person behind a record, their name and address, their
preferences (language, tone, channel, quiet hours, timezone, "don't contact me first"), current stage, traits named by
playbooks, and what they said about each purpose."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.core.purposes import ConsentStatus, Mechanism
from omotenashi.memory import preferences as prefs
from omotenashi.store import consent, profiles
from omotenashi.store import customers as customers_repo
from omotenashi.store import journeys as journeys_repo


@dataclass
class Facts:
    """One person, as care sees them."""

    customer_id: str  # the root record
    members: list[str]
    name: str | None
    email: str | None
    traits: dict[str, Any]
    language: str
    tone: str | None
    channels: dict[str, str]  # "" → the general choice; purpose → a per-purpose choice
    quiet_hours: dict[str, str] | None
    timezone: str
    no_first_contact: bool
    stage: str | None
    consent: dict[str, str] = field(default_factory=dict)  # purpose → granted / withdrawn (any identifier)

    @property
    def first_name(self) -> str | None:
        return self.name.split()[0] if self.name and self.name.split() else None

    def channel_for(self, purpose: str) -> str | None:
        """The channel they prefer for a purpose (a per-purpose choice wins)."""
        return self.channels.get(purpose) or self.channels.get("")

    def allows(self, house: HouseFile, purpose: str) -> bool:
        """Whether what they said lets the company contact them for `purpose` now."""
        declared = house.purposes.get(purpose)
        if declared is None:
            return False
        said = self.consent.get(purpose)
        if declared.mechanism is Mechanism.NOTICE_ONLY:
            return True
        if declared.mechanism is Mechanism.OPT_OUT:
            return said != ConsentStatus.WITHDRAWN
        return said == ConsentStatus.GRANTED


def roots(conn: Connection, workspace_id: str, customer_ids: Iterable[str]) -> dict[str, str]:
    """Each record's root (the record it is, transitively, merged into)."""
    out: dict[str, str] = {}
    pending = {c: c for c in customer_ids}
    for _ in range(16):  # merge chains are short; a cycle would be a bug, and stops here
        if not pending:
            break
        parents = customers_repo.merged_into(conn, workspace_id, set(pending.values()))
        nxt: dict[str, str] = {}
        for start, current in pending.items():
            parent = parents.get(current)
            if parent is None or parent == start:
                out[start] = current
            else:
                nxt[start] = parent
        pending = nxt
    out.update(pending)
    return out


def load(conn: Connection, workspace_id: str, house: HouseFile, root_ids: Sequence[str]) -> dict[str, Facts]:
    """Facts of these roots (records that are not roots are read as their roots)."""
    groups = customers_repo.members_of_many(conn, workspace_id, list(dict.fromkeys(root_ids)))
    every = [m for ms in groups.values() for m in ms]
    owner = {m: root for root, ms in groups.items() for m in ms}
    traits: dict[str, dict[str, Any]] = {r: {} for r in groups}
    for tv in profiles.traits_of(conn, workspace_id, every, wanted_traits(house)):  # oldest first: later values win
        traits[owner[tv.customer_id]][tv.name] = tv.value
    stated: dict[str, list[Any]] = {r: [] for r in groups}
    for p in profiles.preferences_of(conn, workspace_id, every):
        stated[owner[p.customer_id]].append(p)
    clear_email = house.memory.identifiers.get("email")
    emails: dict[str, str] = {}
    subjects: dict[str, list[str]] = {r: [] for r in groups}
    for i in customers_repo.identities_of(conn, workspace_id, every):
        root = owner[i.customer_id]
        if i.kind in ("user_id", "anonymous_id"):
            subjects[root].append(i.value)
        elif i.kind == "email" and clear_email is not None and clear_email.store_as == "clear":
            emails.setdefault(root, i.value)
    stages: dict[str, tuple[int, str]] = {}
    for pos in journeys_repo.positions_of(conn, workspace_id, every):
        if pos.journey == journeys_repo.LIFECYCLE:
            root = owner[pos.customer_id]
            if root not in stages or pos.entered_at > stages[root][0]:
                stages[root] = (pos.entered_at, pos.stage)
    said = _consent(conn, workspace_id, subjects)
    out: dict[str, Facts] = {}
    for root in groups:
        resolved = prefs.resolve(stated[root])
        values = {name: r.value for name, r in resolved.items()}
        t = traits[root]
        channels = {"": str(values["channel"])} if isinstance(values.get("channel"), str) else {}
        for key, value in values.items():
            if key.startswith("channel.") and isinstance(value, str):
                channels[key.split(".", 1)[1]] = value
        name: str | None = t["name"] if isinstance(t.get("name"), str) else None
        if name is None and isinstance(t.get("first_name"), str):
            name = " ".join(str(t[k]) for k in ("first_name", "last_name") if isinstance(t.get(k), str))
        language = values.get("language") if isinstance(values.get("language"), str) else None
        out[root] = Facts(
            customer_id=root,
            members=groups[root],
            name=name,
            email=emails.get(root) or (t.get("email") if isinstance(t.get("email"), str) else None),
            traits=t,
            language=_spoken(language, house.languages),
            tone=values.get("tone") if isinstance(values.get("tone"), str) else None,
            channels=channels,
            quiet_hours=values.get("quiet_hours") if isinstance(values.get("quiet_hours"), dict) else None,
            timezone=prefs.timezone(values.get("timezone")) or house.timezone,
            no_first_contact=values.get("no_first_contact") is True,
            stage=stages[root][1] if root in stages else None,
            consent=said.get(root, {}),
        )
    return out


NAME_TRAITS = ("name", "first_name", "last_name", "email")


def wanted_traits(house: HouseFile) -> list[str]:
    """The traits care reads: names and address, and those playbooks choose by or find account owners in."""
    names = set(NAME_TRAITS)
    if house.care is not None:
        for playbook in house.care.playbooks.values():
            names.update(playbook.who.traits)
            if playbook.then.owner.account_owner_trait:
                names.add(playbook.then.owner.account_owner_trait)
    return sorted(names)


def _spoken(language: str | None, languages: list[str]) -> str:
    """The customer's language if the workspace speaks it (or its base language), else the workspace's first."""
    if language:
        if language in languages:
            return language
        base = language.split("-")[0]
        if base in languages:
            return base
    return languages[0]


def _consent(conn: Connection, workspace_id: str, subjects: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    if not consent.has_any_state(conn, workspace_id):
        return {}
    states = consent.states(conn, workspace_id, {s for subs in subjects.values() for s in subs})
    out: dict[str, dict[str, str]] = {}
    for root, subs in subjects.items():
        per: dict[str, str] = {}
        for s in subs:
            for purpose, status in states.get(s, {}).items():
                # A withdrawal by any of the person's identifiers wins over a grant by another.
                if per.get(purpose) != ConsentStatus.WITHDRAWN:
                    per[purpose] = status
        if per:
            out[root] = per
    return out
