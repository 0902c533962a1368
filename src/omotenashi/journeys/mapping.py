"""Which of the seven stages an event belongs to, and which expected step of which journey it marks.

The house file's `journeys.stages` maps `track` events (by name, optionally only for some property values), `page`
and `screen` messages (by globs over name, path and url) to stages. Precedence, so one event has one stage:

- a `track` event: a rule with `where` that matches, then a plain rule by name, then the stage of any journey that
  has the event as a step;
- a `page` or `screen`: a rule without wildcards (`*`, `?`, `[`) that matches, then the first matching rule with
  wildcards, in the order the stages are written in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

import msgspec

from omotenashi.config.journeys import STAGES, EventRule, JourneysSection, PageRule
from omotenashi.store.journeys import LIFECYCLE

__all__ = ["LIFECYCLE", "STAGES", "JourneyMapping", "StepRef", "journey_stage"]

_GLOB = frozenset("*?[")


@dataclass(frozen=True)
class StepRef:
    """An expected step: the journey and the step's position in it (0 for the first)."""

    journey: str
    index: int


def journey_stage(section: JourneysSection, journey: str) -> str | None:
    """The stage a journey belongs to: as declared, else the stage its first step's event is mapped to."""
    spec = section.journeys[journey]
    if spec.stage is not None:
        return spec.stage
    if not spec.steps:
        return None
    first = spec.steps[0]
    for stage, rules in section.stages.items():
        if stage in STAGES and any(rule.event == first and not rule.where for rule in rules.events):
            return stage
    return None


def _exact(rule: PageRule) -> bool:
    return not any(_GLOB & set(v) for v in (rule.name, rule.path, rule.url) if v is not None)


def _needs_properties(rule: PageRule) -> bool:
    return rule.path is not None or rule.url is not None


def _properties(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _page_matches(rule: PageRule, name: str | None, props: dict[str, Any]) -> bool:
    if rule.name is not None and not fnmatchcase(name or "", rule.name):
        return False
    url = props.get("url") if isinstance(props.get("url"), str) else None
    if rule.url is not None and not fnmatchcase(url or "", rule.url):
        return False
    if rule.path is not None:
        path = props.get("path")
        if not isinstance(path, str):
            path = urlsplit(url).path if url else ""
        if not fnmatchcase(path, rule.path):
            return False
    return True


def _where_matches(rule: EventRule, props: dict[str, Any]) -> bool:
    for key, allowed in rule.where.items():
        value = props.get(key)
        if isinstance(value, bool) or any(isinstance(a, bool) for a in allowed):
            if not any(value is a for a in allowed):
                return False
        elif value not in allowed:
            return False
    return True


class JourneyMapping:
    """The house file's stage mapping and expected steps, ready to classify events (pure: no I/O)."""

    def __init__(self, section: JourneysSection | None) -> None:
        self.section = section
        self.plain: dict[str, str] = {}
        self.where: dict[str, list[tuple[EventRule, str]]] = {}
        self.pages: list[tuple[PageRule, str]] = []
        self.screens: list[tuple[PageRule, str]] = []
        self.steps: dict[str, list[StepRef]] = {}
        self.journeys: dict[str, list[str]] = {}
        self.stage_of_journey: dict[str, str] = {}
        if section is None:
            return
        for stage, rules in section.stages.items():
            for rule in rules.events:
                if rule.where:
                    self.where.setdefault(rule.event, []).append((rule, stage))
                else:
                    self.plain.setdefault(rule.event, stage)
            self.pages += [(r, stage) for r in rules.pages]
            self.screens += [(r, stage) for r in rules.screens]
        # Exact rules first; Python's sort is stable, so the file's order holds within each group.
        self.pages.sort(key=lambda item: not _exact(item[0]))
        self.screens.sort(key=lambda item: not _exact(item[0]))
        for jid, spec in section.journeys.items():
            self.journeys[jid] = list(spec.steps)
            self.stage_of_journey[jid] = journey_stage(section, jid) or "onboard"
            for index, event in enumerate(spec.steps):
                self.steps.setdefault(event, []).append(StepRef(jid, index))

    @property
    def active(self) -> bool:
        """Whether the house file declares anything to follow."""
        return bool(self.plain or self.where or self.pages or self.screens or self.steps)

    def stage_of(self, kind: str, event: str | None, name: str | None, properties: str | None) -> str | None:
        """The stage of one message (`kind` is its type; `properties` its raw JSON), or None when unmapped."""
        if kind == "track":
            return self._event_stage(event, properties) if event is not None else None
        if kind == "page":
            return self._page_stage(self.pages, name, properties)
        if kind == "screen":
            return self._page_stage(self.screens, name, properties)
        return None

    def _event_stage(self, event: str, properties: str | None) -> str | None:
        rules = self.where.get(event)
        if rules:
            props = _properties(properties)
            for rule, stage in rules:
                if _where_matches(rule, props):
                    return stage
        plain = self.plain.get(event)
        if plain is not None:
            return plain
        refs = self.steps.get(event)
        return self.stage_of_journey[refs[0].journey] if refs else None

    @staticmethod
    def _page_stage(rules: list[tuple[PageRule, str]], name: str | None, properties: str | None) -> str | None:
        if not rules:
            return None
        props = _properties(properties) if any(_needs_properties(r) for r, _ in rules) else {}
        for rule, stage in rules:
            if _page_matches(rule, name, props):
                return stage
        return None

    def steps_of(self, kind: str, event: str | None) -> list[StepRef]:
        """The expected steps a message marks (a `track` event may be a step of several journeys)."""
        if kind != "track" or event is None:
            return []
        return self.steps.get(event, [])

    def step_name(self, journey: str, index: int) -> str:
        return self.journeys[journey][index]
