"""The data map: every event, property, trait and context field a workspace collects, resolved with inheritance,
and the filter intake applies to what is not declared."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from omotenashi.config.house import DataEntry, DataItem, DataMapSection
from omotenashi.config.types import Description
from omotenashi.core.purposes import LegalBasis
from omotenashi.privacy import taxonomy

ALWAYS_KEPT_CONTEXT = frozenset({"consent", "consentManagement", "library", "synthetic"})
FIELDS = ("category", "use", "legal_basis", "retention_days", "special_category", "description")


@dataclass(frozen=True)
class Declared:
    """One collected thing, fully resolved."""

    where: str  # e.g. "event Order Completed", "property Order Completed.revenue", "trait email"
    name: str
    category: str
    use: str
    legal_basis: LegalBasis
    retention_days: int
    special_category: bool
    description: Description
    kept_after_erasure: Description | None


def _merge(*layers: DataItem | None) -> dict[str, object]:
    out: dict[str, object] = {}
    for layer in layers:
        if layer is None:
            continue
        for name in (*FIELDS, "kept_after_erasure"):
            value = getattr(layer, name)
            if value is not None:
                out[name] = value
    return out


def missing_fields(*layers: DataItem | None) -> list[str]:
    """Fields no layer provides (special_category defaults to false)."""
    merged = _merge(*layers)
    return [f for f in FIELDS if f not in merged and f != "special_category"]


def _declared(where: str, name: str, *layers: DataItem | None) -> Declared:
    m = _merge(*layers)
    category = str(m["category"])
    return Declared(
        where=where,
        name=name,
        category=category,
        use=str(m["use"]),
        legal_basis=LegalBasis(str(m["legal_basis"])),
        retention_days=int(m["retention_days"]),  # type: ignore[call-overload]
        special_category=bool(m.get("special_category", False)) or taxonomy.is_special(category),
        description=m["description"],  # type: ignore[arg-type]
        kept_after_erasure=m.get("kept_after_erasure"),  # type: ignore[arg-type]
    )


class DataMap:
    """A workspace's data map (possibly absent: then nothing is stripped, and everything counts as undeclared)."""

    def __init__(self, section: DataMapSection | None) -> None:
        self.section = section
        self.present = section is not None
        self.policy = section.undeclared if section else "keep"

    def _entry(self, kind: str, event: str | None) -> DataEntry | None:
        s = self.section
        if s is None:
            return None
        if kind == "track":
            return s.events.get(event or "")
        if kind == "page":
            return s.pages
        if kind == "screen":
            return s.screens
        return None

    def allowed_properties(self, kind: str, event: str | None) -> frozenset[str] | None:
        """Property names kept for a message (None: every property, as for a workspace without a data map)."""
        if self.section is None:
            return None
        entry = self._entry(kind, event)
        return frozenset(entry.properties) if entry is not None else frozenset()

    def allowed_traits(self) -> frozenset[str] | None:
        return None if self.section is None else frozenset(self.section.traits)

    def allowed_context(self) -> frozenset[str] | None:
        return None if self.section is None else frozenset(self.section.context) | ALWAYS_KEPT_CONTEXT

    def declared(self) -> Iterator[Declared]:
        """Every declared thing, resolved (a valid house file resolves every field)."""
        s = self.section
        if s is None:
            return
        for name, entry in s.events.items():
            yield _declared(f"event {name}", name, s.defaults, entry)
            for prop, item in entry.properties.items():
                yield _declared(f"property {name}.{prop}", prop, s.defaults, entry, item)
        for kind, entry_ in (("pages", s.pages), ("screens", s.screens)):
            if entry_ is not None:
                yield _declared(kind, kind, s.defaults, entry_)
                for prop, item in entry_.properties.items():
                    yield _declared(f"property {kind}.{prop}", prop, s.defaults, entry_, item)
        for name, item in s.traits.items():
            yield _declared(f"trait {name}", name, s.defaults, item)
        for name, item in s.context.items():
            yield _declared(f"context {name}", name, s.defaults, item)

    def special_names(self) -> set[str]:
        """Names of traits and properties declared (or categorised) as special categories."""
        return {d.name for d in self.declared() if d.special_category and not d.where.startswith("event ")}
