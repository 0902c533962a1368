"""What intake does with properties, traits and context fields the data map does not declare: strip them (and
name them, for the "collected but not declared" report), keep them (still named), or reject the message."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from omotenashi.config.house import HouseFile
from omotenashi.privacy.datamap import DataMap

_dumps = msgspec.json.Encoder().encode
_top_level = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode


@dataclass(frozen=True)
class Filter:
    """A workspace's data map in the form the hot path needs."""

    policy: str  # strip, keep or reject
    events: dict[str, frozenset[str]]
    pages: frozenset[str]
    screens: frozenset[str]
    traits: frozenset[str]
    context: frozenset[str]

    @classmethod
    def of(cls, house: HouseFile) -> Filter | None:
        """None for a workspace without a data map (intake then keeps everything)."""
        dm = DataMap(house.data_map)
        s = house.data_map
        if s is None:
            return None
        return cls(
            policy=s.undeclared,
            events={name: frozenset(e.properties) for name, e in s.events.items()},
            pages=frozenset(s.pages.properties) if s.pages else frozenset(),
            screens=frozenset(s.screens.properties) if s.screens else frozenset(),
            traits=frozenset(s.traits),
            context=dm.allowed_context() or frozenset(),
        )

    def allowed_properties(self, kind: str, event: str | None) -> frozenset[str]:
        if kind == "track":
            return self.events.get(event or "", frozenset())
        if kind == "page":
            return self.pages
        if kind == "screen":
            return self.screens
        return frozenset()


def _split(text: str | None, allowed: frozenset[str]) -> tuple[str | None, list[str]]:
    if text is None or text == "{}":
        return text, []
    try:
        # Only the top-level names matter here: the values stay raw JSON, neither decoded nor encoded again.
        value = _top_level(text)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return text, []
    if not isinstance(value, dict):
        return text, []
    extra = [k for k in value if k not in allowed]
    if not extra:
        return text, []
    kept = {k: v for k, v in value.items() if k in allowed}
    return (_dumps(kept).decode() if kept else None), extra


def apply(
    f: Filter, kind: str, event: str | None, properties: str | None, traits: str | None, context: str | None
) -> tuple[str | None, str | None, str | None, list[str]]:
    """The fields as intake keeps them, and the names of what was not declared ("property Event.name", …)."""
    label = event if kind == "track" else kind
    new_props, extra_props = _split(properties, f.allowed_properties(kind, event))
    undeclared = [f"property {label}.{k}" for k in extra_props]
    new_traits: str | None = traits
    extra_traits: list[str] = []
    if kind in ("identify", "group"):
        new_traits, extra_traits = _split(traits, f.traits)
        undeclared += [f"trait {k}" for k in extra_traits]
    new_context, extra_context = _split(context, f.context)
    undeclared += [f"context {k}" for k in extra_context]
    if kind == "track" and event not in f.events:
        undeclared.append(f"event {event}")
    if f.policy == "keep":
        return properties, traits, context, undeclared
    return new_props, new_traits, new_context, undeclared
