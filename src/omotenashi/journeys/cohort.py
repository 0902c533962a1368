"""A customer's cohort (plan, source, signup month…), read from their signup event and their `identify` traits.

Each cohort field lists where it is read, in order of preference (`journeys.cohorts.<field>.first_of`):

- `signup.<property>`: a property of the signup event (`journeys.signup_event`);
- `signup.context.<path>`: a field of the signup event's `context` (dotted, e.g. `signup.context.campaign.source`);
- `signup_time`: the signup event's time (use it with `month: true`);
- `trait.<name>`: an `identify` trait.

The value kept is the one from the first source in that list that ever had one; among events of the same source,
the earliest (event time, then log order). So the cohort is the customer's cohort *at signup*: a later plan change
does not move them, and an earlier event that arrives late does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from omotenashi.config.journeys import JourneysSection

MAX_VALUE = 64
_UNSAFE = re.compile(r'["\\\x00-\x1f]')


@dataclass(frozen=True)
class Source:
    """Where a cohort value is read."""

    kind: str  # signup_property, signup_context, signup_time, trait
    path: tuple[str, ...] = ()


def parse_source(text: str) -> Source | None:
    """A `first_of` entry, or None when it is not one of the four forms."""
    if text == "signup_time":
        return Source("signup_time")
    head, _, rest = text.partition(".")
    if not rest or any(not part for part in rest.split(".")):
        return None
    if head == "trait":
        return Source("trait", (rest,))
    if head == "signup":
        if rest.startswith("context."):
            return Source("signup_context", tuple(rest.split(".")[1:]))
        return Source("signup_property", (rest,))
    return None


def clean(value: Any) -> str | None:
    """A cohort value as stored: short text without quotes, backslashes or control characters."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(int(value)) if float(value).is_integer() else str(value)
    elif isinstance(value, str):
        text = value
    else:
        return None
    text = _UNSAFE.sub("", text).strip()[:MAX_VALUE]
    return text or None


def month_of(value: Any, zone: ZoneInfo) -> str | None:
    """`YYYY-MM` of a time (ISO 8601 text, or epoch seconds or milliseconds) in the workspace's timezone."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            moment = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    else:
        return None
    local = moment.astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}"


def _decode(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _dig(node: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


@dataclass(frozen=True)
class Candidate:
    """A value one event offers for a cohort field, ranked: lower `rank` (then earlier time) wins."""

    field: str
    value: str
    rank: tuple[int, int, int]  # (position in first_of, ts, seq)


class CohortReader:
    """Reads cohort values out of events, as the house file says (pure: no I/O)."""

    def __init__(self, section: JourneysSection | None, timezone: str) -> None:
        self.signup_event = section.signup_event if section else None
        self.zone = ZoneInfo(timezone)
        self.fields: dict[str, tuple[bool, list[Source]]] = {}
        for name, spec in (section.cohorts if section else {}).items():
            sources = [s for s in (parse_source(t) for t in spec.first_of) if s is not None]
            self.fields[name] = (spec.month, sources)
        self.wants_traits = any(s.kind == "trait" for _, srcs in self.fields.values() for s in srcs)

    def relevant(self, kind: str, event: str | None) -> bool:
        """Whether a message can carry a cohort value (an `identify`, or the signup event)."""
        if not self.fields:
            return False
        if kind == "identify":
            return self.wants_traits
        return kind == "track" and self.signup_event is not None and event == self.signup_event

    def candidates(
        self,
        kind: str,
        event: str | None,
        ts: int,
        seq: int,
        properties: str | None,
        traits: str | None,
        context: str | None,
    ) -> list[Candidate]:
        """The cohort values one message offers."""
        if not self.relevant(kind, event):
            return []
        signup = kind == "track"
        props = _decode(properties) if signup else {}
        ctx = _decode(context) if signup else {}
        trait_values = _decode(traits) if kind == "identify" else {}
        out: list[Candidate] = []
        for name, (month, sources) in self.fields.items():
            for position, src in enumerate(sources):
                raw: Any = None
                if signup and src.kind == "signup_time":
                    raw = ts
                elif signup and src.kind == "signup_property":
                    raw = props.get(src.path[0])
                elif signup and src.kind == "signup_context":
                    raw = _dig(ctx, src.path)
                elif not signup and src.kind == "trait":
                    raw = trait_values.get(src.path[0])
                if raw is None:
                    continue
                value = month_of(raw, self.zone) if month else clean(raw)
                if value is not None:
                    out.append(Candidate(name, value, (position, ts, seq)))
                    break
        return out


def merge(state: dict[str, Any], found: list[Candidate]) -> bool:
    """Fold candidates into a customer's remembered cohort (`{"values": …, "from": …}`); True when a value changed."""
    values: dict[str, str] = state.setdefault("values", {})
    ranks: dict[str, list[int]] = state.setdefault("from", {})
    changed = False
    for c in found:
        current = ranks.get(c.field)
        if current is None or tuple(c.rank) < tuple(current):
            ranks[c.field] = list(c.rank)
            if values.get(c.field) != c.value:
                values[c.field] = c.value
                changed = True
    return changed
