"""“What we know about you”, gathered for the page: each thing held, in words, with where it came from, when,
for which purposes, what it does for the customer and how long it is kept."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from omotenashi.privacy.consent import PurposeConsent
from omotenashi.privacy.knowledge import Knowledge, Known
from omotenashi.web.portal.wording import HASHED, RECOGNISE_YOU, PortalWording, text

VALUE_CHARS = 500


def value_text(value: Any) -> str:
    """A value as the customer reads it: text as it is, anything else as compact JSON, long ones shortened."""
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return shown if len(shown) <= VALUE_CHARS else shown[: VALUE_CHARS - 1] + "…"


@dataclass(frozen=True)
class Held:
    """One thing held about the customer, said for them."""

    key: str  # the name as stored (a trait's name, for the correction form)
    label: str
    value: str | None
    hashed: bool
    source: str
    at: int | None
    last: int | None
    count: int | None
    purposes: list[tuple[str, str, str]]
    what_for: str
    kept: str


@dataclass(frozen=True)
class Choice:
    """One purpose and the customer's choice about it."""

    purpose: str
    title: str
    what_for: str
    mechanism: str
    on: bool
    changeable: bool
    last: str | None


class KnowledgeView:
    """The parts of the “what we know about you” page, in the reader's language."""

    def __init__(self, knowledge: Knowledge, words: PortalWording, hashed_kinds: set[str], date: Any) -> None:
        self.k = knowledge
        self.words = words
        self.hashed_kinds = hashed_kinds
        self.date = date

    def _what_for(self, item: Known) -> str:
        said = text(item.what_for, self.words.lang)
        if said:
            return said
        first = next(iter(item.purposes), None)
        return self.words.purpose_text(first) if first else ""

    def _held(self, item: Known, label: str, value: str | None, *, hashed: bool = False, what_for: str = "") -> Held:
        return Held(
            key=item.label,
            label=label,
            value=value,
            hashed=hashed,
            source=self.words.source(item.source, item.origin),
            at=item.at,
            last=item.last,
            count=item.count,
            purposes=self.words.purposes(item.purposes),
            what_for=what_for or self._what_for(item),
            kept=self.words.kept(item.kept_days),
        )

    def name(self) -> str | None:
        found = next((t for t in self.k.traits if t.label == "name" and isinstance(t.value, str)), None)
        return found.value if found else None

    def identifiers(self) -> list[Held]:
        order = {"user_id": 0, "email": 1, "phone": 2, "anonymous_id": 3}
        out = []
        for item in sorted(self.k.identifiers, key=lambda i: (order.get(i.label, 9), i.label, str(i.value))):
            hashed = item.label in self.hashed_kinds or item.value is None
            value = None if hashed else value_text(item.value)
            label = self.words.identifier_kind(item.label)
            out.append(self._held(item, label, value, hashed=hashed, what_for=self.words._(RECOGNISE_YOU)))
        return out

    def hashed_note(self) -> str:
        return self.words._(HASHED)

    def traits(self) -> list[Held]:
        """Name, e-mail and phone first (what people look for), then the rest by name."""
        first = {"name": 0, "email": 1, "phone": 2}
        ordered = sorted(self.k.traits, key=lambda t: (first.get(t.label, 9), t.label))
        return [self._held(t, self.words.trait_label(t.label), value_text(t.value)) for t in ordered]

    def preferences(self) -> list[Held]:
        return [
            self._held(p, self.words.preference_label(p.label), self.words.preference_value(p.label, p.value))
            for p in self.k.preferences
        ]

    def notes(self) -> list[Held]:
        return [self._held(n, "", value_text(n.value)) for n in self.k.notes]

    def events(self) -> list[Held]:
        return [self._held(e, self.words.event_kind(e.label), None) for e in self.k.events]

    def choices(self) -> list[Choice]:
        return [self._choice(c) for c in self.k.consent]

    def _choice(self, c: PurposeConsent) -> Choice:
        last = None
        if c.last is not None:
            last = self.words.last_choice(c.last.status, c.last.method, self.date(c.last.at))
        return Choice(
            purpose=c.purpose,
            title=self.words.purpose_title(c.purpose),
            what_for=self.words.purpose_text(c.purpose),
            mechanism=self.words.mechanism(c.mechanism.value),
            on=c.effective,
            changeable=c.changeable,
            last=last,
        )

    def access(self) -> list[dict[str, Any]]:
        return [
            {
                "who": a["staff"],
                "what": self.words.access_what(str(a["what"])),
                "purpose": self.words.purpose_title(str(a["purpose"])),
                "at": a["at"],
            }
            for a in self.k.access
        ]

    def kept_after_erasure(self) -> list[tuple[str, str]]:
        return [(name, text(why, self.words.lang)) for name, why in self.k.kept_after_erasure]

    def gpc_withdrawn(self) -> bool:
        """Whether marketing is off because the browser sent Global Privacy Control."""
        found = next((c for c in self.k.consent if c.purpose == "marketing"), None)
        return bool(found and found.last and found.last.method == "gpc" and found.last.status == "withdrawn")
