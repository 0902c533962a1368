"""What the customer pages show, gathered for one reader: search rows, and the customer page's parts in words.

Only what is kept for `service` or `care` is shown, as in the briefing: a name or an identifier that only a
marketing pixel sent stays out of the search list too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlencode

from omotenashi.bootstrap import Runtime
from omotenashi.config.house import HouseFile
from omotenashi.i18n import translator
from omotenashi.memory.briefing import BRIEFING_PURPOSES, Why, why
from omotenashi.memory.profile import Profile, resolve_customer, traits_view
from omotenashi.memory.service import CustomerPage
from omotenashi.memory.timeline import KINDS, Item
from omotenashi.staff import accounts
from omotenashi.staff.permissions import Action, allowed
from omotenashi.store.customers import Identity
from omotenashi.store.staff import StaffMember
from omotenashi.web.staff.problems import Problem
from omotenashi.web.staff.wording import PREFERENCE_CHOICES, Wording

CUSTOMERS_PATH = "/staff/customers"
VALUE_CHARS = 200


def customer_path(customer_id: str, **query: Any) -> str:
    """The address of a customer page, with query values (lists repeat their key)."""
    pairs = [(k, v) for k, vs in query.items() for v in (vs if isinstance(vs, list | tuple) else [vs]) if v]
    return f"{CUSTOMERS_PATH}/{quote(customer_id, safe='')}" + (f"?{urlencode(pairs)}" if pairs else "")


def first_shown(purposes: Iterable[str]) -> str | None:
    """The purpose that lets staff see an item (service before care), or None when none does."""
    found = set(purposes)
    return next((p for p in ("service", "care") if p in found), None)


def shown_name(p: Profile) -> str | None:
    """The customer's name from traits kept for service or care only."""
    values = [v for view in p.traits.values() for v in view.history]
    return replace(p, traits=traits_view(values, BRIEFING_PURPOSES)).display_name


def shown_identities(p: Profile, house: HouseFile) -> list[Identity]:
    """Identifiers first seen from a touchpoint whose data may serve service or care."""
    ok = {sid for sid, source in house.sources.items() if BRIEFING_PURPOSES.intersection(source.purposes)}
    return [i for i in p.identities if i.source_id is None or i.source_id in ok]


def current_id(runtime: Runtime, member: StaffMember, customer_id: str) -> str:
    """The customer an id belongs to now (itself, or the one it was merged into); NotFound when unknown."""
    with runtime.engines.read.connect() as conn:
        root, _ = resolve_customer(conn, member.workspace_id, customer_id)
    return root


def staff_names(runtime: Runtime, workspace_id: str) -> dict[str, str]:
    """Staff ids to names, to say who wrote a note, merged, or opened a record."""
    with runtime.engines.read.connect() as conn:
        return {m.id: m.name for m in accounts.members(conn, workspace_id)}


@dataclass(frozen=True)
class Row:
    """One customer in the search list."""

    customer_id: str
    name: str | None
    user_ids: list[str]
    events: int
    last_ts: int | None
    matched: str | None


def row(p: Profile, house: HouseFile, matched: str | None = None) -> Row:
    ids = sorted(i.value for i in shown_identities(p, house) if i.kind == "user_id")
    return Row(p.customer_id, shown_name(p), ids, p.events, p.last_ts, matched)


@dataclass(frozen=True)
class Shown:
    """One line on the page: its words, when, and why this reader may see it."""

    text: str
    at: int | None
    why: Why | None
    kind: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ShownFact:
    key: str
    label: str
    value: str
    origin: str
    source: str | None
    at: int | None
    why: Why


def _value_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


class CustomerView:
    """The customer page's parts, in the reader's language, with what their role lets them do."""

    def __init__(self, runtime: Runtime, member: StaffMember, page: CustomerPage, lang: str) -> None:
        self.member = member
        self.page = page
        self.lang = lang
        self.house = runtime.house_files[member.workspace_id]
        self._ = translator(lang)
        self.words = Wording(self._, lang)
        self.names = staff_names(runtime, member.workspace_id)
        self.brief = page.briefing
        self.profile = page.briefing.profile
        self.customer_id = self.brief.customer_id
        self._runtime = runtime

    def why(self, purposes: Iterable[str]) -> Why | None:
        purpose = first_shown(purposes)
        return why(self.house, purpose, self.lang) if purpose else None

    def may(self, action: Action) -> bool:
        return allowed(self.member.role, action)

    def care_items(self) -> list[Any]:
        """The person's care items (all their records), newest first."""
        return list(self._runtime.care.of_customer(self.member, self.profile.members))

    def source_name(self, source_id: str | None) -> str | None:
        if source_id is None:
            return None
        source = self.house.sources.get(source_id)
        return source.name if source else source_id

    def staff_name(self, staff_id: str | None) -> str:
        if not staff_id:
            return ""
        return self.names.get(staff_id, staff_id)

    # --- the briefing ---------------------------------------------------------------------------------------------

    def facts(self) -> list[ShownFact]:
        out = []
        for f in self.brief.facts:
            out.append(
                ShownFact(
                    f.label,
                    self.words.fact_label(f.label),
                    self.words.fact_value(f.label, f.value),
                    self.words.origin(f.origin),
                    self.source_name(f.source),
                    f.at,
                    f.why,
                )
            )
        return out

    def purposes_in_view(self) -> list[Why]:
        """Every purpose the page's items are shown for, once, to explain the tags."""
        seen: dict[str, Why] = {}
        whys = [f.why for f in self.brief.facts] + [line.why for line in self.brief.recent + self.brief.notes]
        whys += [line.why for line in self.brief.open_matters]
        if self.brief.name is not None:
            whys.insert(0, self.brief.name.why)
        for w in whys:
            seen.setdefault(w.purpose, w)
        return list(seen.values())

    def open_matters(self) -> list[Shown]:
        out = []
        for line in self.brief.open_matters:
            d = line.detail
            text = self._(
                "Identity conflict: %(kind)s %(value)s — %(why)s",
                kind=self.words.identity_kind(str(d.get("kind", ""))),
                value=self.identifier_text(str(d.get("kind", "")), line.text.split(" ", 1)[-1]),
                why=self.words.conflict_why(d.get("why")),
            )
            out.append(Shown(text, line.at, line.why, "conflict", d))
        return out

    # --- who the customer is --------------------------------------------------------------------------------------

    def identifier_text(self, kind: str, value: str) -> str:
        spec = self.house.memory.identifiers.get(kind)
        if spec is not None and spec.store_as == "keyed_hash":
            return self._("(kept only as a keyed hash)")
        return value

    def identities(self) -> list[tuple[str, list[str]]]:
        grouped: dict[str, list[str]] = {}
        for i in shown_identities(self.profile, self.house):
            grouped.setdefault(i.kind, []).append(self.identifier_text(i.kind, i.value))
        order = {"user_id": 0, "email": 1, "phone": 2, "anonymous_id": 3}
        return [
            (self.words.identity_kind(kind), sorted(values))
            for kind, values in sorted(grouped.items(), key=lambda kv: (order.get(kv[0], 9), kv[0]))
        ]

    def traits(self) -> list[tuple[str, str, list[str], Why | None, str | None]]:
        """(name, value, other merged records' values, why, source) of every trait staff may see."""
        out: list[tuple[str, str, list[str], Why | None, str | None]] = []
        for name, view in sorted(self.profile.traits.items()):
            others = [_value_text(v.value) for v in view.conflicts]
            source = self.source_name(view.current.source_id) or self.staff_name(view.current.staff_id)
            out.append((name, _value_text(view.current.value), others, self.why(view.current.purposes), source))
        return out

    # --- the timeline ---------------------------------------------------------------------------------------------

    def item(self, item: Item) -> Shown:
        """A timeline item in words: events are already sentences, notes are their text."""
        text = item.text
        if item.kind == "consent":
            text = self.words.consent(item.detail)
        elif item.kind == "merge":
            d = item.detail
            text = self._(
                "Merged %(absorbed)s into %(survivor)s: %(rule)s",
                absorbed=d.get("absorbed"),
                survivor=d.get("survivor"),
                rule=self.words.merge_rule(str(d.get("rule"))),
            )
            if d.get("undone_at"):
                text += " " + self._("(undone)")
        return Shown(text, item.at, self.why(item.purposes), item.kind, item.detail)

    def timeline(self) -> list[Shown]:
        return [self.item(i) for i in self.page.timeline.items]

    def filters(self) -> dict[str, Any]:
        kinds = [k for k in KINDS if k in self.page.kinds]
        return {"kinds": kinds, "all": len(kinds) == len(KINDS), "event": self.page.event_name or ""}

    def older_path(self) -> str | None:
        cursor = self.page.timeline.next_cursor
        if cursor is None:
            return None
        f = self.filters()
        return customer_path(self.customer_id, kind=[] if f["all"] else f["kinds"], event=f["event"], cursor=cursor)

    # --- friction -------------------------------------------------------------------------------------------------

    def signals(self) -> list[dict[str, Any]]:
        """The customer's friction signals, each with links to its evidence in the timeline."""
        from omotenashi.friction import inbox

        with self._runtime.engines.read.connect() as conn:
            shown = inbox.of_customer(conn, self.member.workspace_id, self.house, self.profile.members, self.lang)
            times = inbox.evidence_times(conn, self.member.workspace_id, [q for s in shown for q in s.evidence])
        why_care = self.why(["care"])
        return [
            {
                "signal": s,
                "why": why_care,
                "evidence": [
                    (seq, customer_path(self.customer_id, cursor=f"{times[seq]}.0.{seq + 1:020d}") + f"#ev-{seq}")
                    for seq in s.evidence
                    if seq in times
                ],
            }
            for s in shown
        ]

    # --- notes, merges, conflicts, access --------------------------------------------------------------------------

    def notes(self) -> list[dict[str, Any]]:
        may_write = self.may(Action.WRITE_NOTE)
        may_edit_others = self.may(Action.MERGE)
        out = []
        for note, versions in self.page.notes:
            out.append(
                {
                    "note": note,
                    "author": self.staff_name(note.author_id),
                    "why": self.why([note.purpose]),
                    "versions": [(v, self.staff_name(v.editor_id)) for v in reversed(versions)],
                    "may_edit": may_write and (note.author_id == self.member.id or may_edit_others),
                }
            )
        return out

    def merges(self) -> list[dict[str, Any]]:
        may_undo = self.may(Action.UNDO_MERGE)
        out = []
        for m in self.page.merges:
            evidence = m.evidence if isinstance(m.evidence, dict) else {}
            out.append(
                {
                    "merge": m,
                    "rule": self.words.merge_rule(m.rule),
                    "reason": evidence.get("reason"),
                    "identifier": evidence.get("identifier"),
                    "by": self.staff_name(m.by_staff),
                    "undone_by": self.staff_name(m.undone_by),
                    "may_undo": may_undo and m.undone_at is None,
                }
            )
        return out

    def conflicts(self) -> list[dict[str, Any]]:
        members = set(self.profile.members)
        out = []
        for c in self.page.conflicts:
            other = c.customer_b if c.customer_a in members else c.customer_a
            out.append(
                {
                    "conflict": c,
                    "kind": self.words.identity_kind(c.kind),
                    "value": self.identifier_text(c.kind, c.value),
                    "other": other,
                    "why": self.words.conflict_why(c.detail.get("why")),
                    "user_ids": c.detail.get("user_ids") or [],
                    "may_resolve": self.may(Action.RESOLVE_CONFLICT) and c.resolved_at is None,
                }
            )
        return out

    def access(self) -> list[dict[str, Any]]:
        out = []
        for a in self.page.access:
            what, purpose = self.words.access_what(a.what), self.words.purpose(a.purpose)
            out.append({"who": self.staff_name(a.staff_id), "what": what, "purpose": purpose, "at": a.at})
        return out


def page_context(
    view: CustomerView,
    *,
    done: str = "",
    problem: Problem | None = None,
    form: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The customer page's template context."""
    title = shown_name(view.profile) or view.customer_id
    return {
        "v": view,
        "b": view.brief,
        "words": view.words,
        "title": title,
        "customer_id": view.customer_id,
        "page_path": customer_path(view.customer_id),
        "facts": view.facts(),
        "purposes": view.purposes_in_view(),
        "open_matters": view.open_matters(),
        "identities": view.identities(),
        "traits": view.traits(),
        "timeline": view.timeline(),
        "signals": view.signals(),
        "care_items": view.care_items(),
        "older": view.older_path(),
        "filters": view.filters(),
        "kinds": KINDS,
        "notes": view.notes(),
        "merges": view.merges(),
        "conflicts": view.conflicts(),
        "access": view.access(),
        "preference_choices": PREFERENCE_CHOICES,
        "may": {a.value: view.may(a) for a in Action},
        "done": view.words.done(done) if done else None,
        "done_code": done,
        "problem": problem,
        "form": form or {},
    }


def search_rows(profiles: Sequence[tuple[Profile, str | None]], house: HouseFile) -> list[Row]:
    return [row(p, house, matched) for p, matched in profiles]
