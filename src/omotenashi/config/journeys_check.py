"""Checks of the house file's journeys: known stages, one stage per event, journeys whose steps, deadlines and
cohorts make sense, cohort sources that exist and that the data map lets through. Each problem names file:line and
the fix."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from omotenashi.config import house as h
from omotenashi.config import journeys as j
from omotenashi.config import types
from omotenashi.core.errors import ConfigProblem

RESERVED = {"lifecycle"}  # the journey under which each customer's current stage is kept
_STAGE_LIST = ", ".join(j.STAGES)


def _line(data: Any, loc: Sequence[str | int]) -> int | None:
    from omotenashi.config.loader import line_of

    return line_of(data, loc)


def _guess(word: str, known: Sequence[str], cutoff: float = 0.6) -> str | None:
    found = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    return found[0] if found else None


def known_keys(parent_loc: Sequence[str | int]) -> list[str] | None:
    """The keys allowed at a place inside `journeys` (for "did you mean"), or None outside it."""
    if not parent_loc or parent_loc[0] != "journeys":
        return None
    model: type[BaseModel] = j.JourneysSection
    path = [p for p in parent_loc[1:] if isinstance(p, str)]
    inside: dict[tuple[str, ...], type[BaseModel]] = {
        ("stages",): j.StageRules,
        ("stages", "events"): j.EventRule,
        ("stages", "pages"): j.PageRule,
        ("stages", "screens"): j.PageRule,
        ("cohorts",): j.CohortField,
        ("journeys",): j.JourneySpec,
        ("journeys", "title"): types.Description,
    }
    if len(path) > 1:
        # Mappings of ids (stages, cohorts, journeys) have the id as the next part: skip it.
        model = inside.get((path[0], *path[2:]), model)
    return list(model.model_fields)


class _Report:
    """Problems found so far, each located to its line."""

    def __init__(self, name: str, data: Any, house: h.HouseFile) -> None:
        self.name = name
        self.data = data
        self.problems: list[ConfigProblem] = []
        # Only a data map that strips (or rejects) what it does not declare can starve a cohort or a `where`.
        self.data_map = house.data_map if house.data_map is not None and house.data_map.undeclared != "keep" else None
        self.declared = sorted(house.data_map.events) if house.data_map is not None else []

    def add(self, loc: Sequence[str | int], where: str, message: str, hint: str) -> None:
        line = _line(self.data, loc)
        self.problems.append(ConfigProblem(self.name, line, where, message, hint))

    def stripped(self, loc: Sequence[str | int], where: str, rule: j.EventRule) -> None:
        """A `where` on a property intake strips (the data map does not declare it) would never match."""
        if self.data_map is None:
            return
        entry = self.data_map.events.get(rule.event)
        for prop in rule.where:
            if entry is None or prop not in entry.properties:
                self.add(
                    loc,
                    where,
                    f"intake strips `{prop}` from `{rule.event}`: the data map does not declare it",
                    f"declare it under `data_map.events.{rule.event}.properties`",
                )

    def typo(self, loc: Sequence[str | int], where: str, event: str) -> None:
        """A name the data map does not declare but nearly does is a typo: it would never match."""
        if self.declared and event not in self.declared and (guess := _guess(event, self.declared, 0.9)) is not None:
            self.add(loc, where, f"`{event}` is not an event the data map declares", f"did you mean `{guess}`?")


def journey_problems(name: str, data: Any, house: h.HouseFile) -> list[ConfigProblem]:
    """Every problem in the `journeys` section (empty when there is none)."""
    section = house.journeys
    if section is None:
        return []
    report = _Report(name, data, house)
    _stage_problems(report, section)
    if section.signup_event is not None:
        report.typo(["journeys", "signup_event"], "journeys.signup_event", section.signup_event)
    _cohort_problems(report, house)
    for jid, spec in section.journeys.items():
        _journey_problems(report, section, jid, spec)
    return report.problems


def _stage_problems(report: _Report, section: j.JourneysSection) -> None:
    seen: dict[str, str] = {}
    for stage, rules in section.stages.items():
        base: list[str | int] = ["journeys", "stages", stage]
        where = f"journeys.stages.{stage}"
        if stage not in j.STAGES:
            guess = _guess(stage, j.STAGES)
            hint = (f"did you mean `{guess}`? " if guess else "") + f"the stages are {_STAGE_LIST}"
            report.add(base, where, f"unknown stage `{stage}`", hint)
            continue
        for i, rule in enumerate(rules.events):
            report.typo([*base, "events", i], f"{where}.events", rule.event)
            if rule.where:
                report.stripped([*base, "events", i, "where"], f"{where}.events", rule)
                continue
            other = seen.setdefault(rule.event, stage)
            if other != stage:
                report.add(
                    [*base, "events", i],
                    f"{where}.events",
                    f"`{rule.event}` is mapped to both `{other}` and `{stage}`",
                    "map each event to one stage; to split it by a property, use "
                    "`{event: …, where: {property: [values]}}`",
                )
        for kind in ("pages", "screens"):
            for i, page in enumerate(getattr(rules, kind)):
                if page.name is None and page.path is None and page.url is None:
                    report.add(
                        [*base, kind, i],
                        f"{where}.{kind}",
                        "this rule says nothing to match",
                        "give `name`, `path` or `url` (globs: `*` for any characters), or a plain name such as `Help*`",
                    )


def _cohort_problems(report: _Report, house: h.HouseFile) -> None:
    from omotenashi.journeys.cohort import parse_source
    from omotenashi.privacy.datamap import ALWAYS_KEPT_CONTEXT

    section = house.journeys
    assert section is not None
    dm = report.data_map
    for field, spec in section.cohorts.items():
        for i, text in enumerate(spec.first_of):
            loc: list[str | int] = ["journeys", "cohorts", field, "first_of", i]
            where = f"journeys.cohorts.{field}.first_of"
            src = parse_source(text)
            problem: tuple[str, str] | None = None
            if src is None:
                problem = (
                    f"`{text}` is not a place a cohort value can be read from",
                    "use `signup.<property>`, `signup.context.<path>`, `signup_time` or `trait.<name>`",
                )
            elif src.kind != "trait" and section.signup_event is None:
                problem = (
                    f"`{text}` reads the signup event, but none is named",
                    "name it: `journeys.signup_event: Signed Up` (the event your signup sends)",
                )
            elif dm is not None and src.kind == "trait" and src.path[0] not in dm.traits:
                problem = (
                    f"intake strips the trait `{src.path[0]}`: the data map does not declare it",
                    f"declare it under `data_map.traits.{src.path[0]}`",
                )
            elif dm is not None and src.kind == "signup_property" and section.signup_event is not None:
                entry = dm.events.get(section.signup_event)
                if entry is None or src.path[0] not in entry.properties:
                    problem = (
                        f"intake strips `{src.path[0]}` from `{section.signup_event}`: the data map does not "
                        "declare it",
                        f"declare it under `data_map.events.{section.signup_event}.properties`",
                    )
            elif dm is not None and src.kind == "signup_context":
                if src.path[0] not in dm.context and src.path[0] not in ALWAYS_KEPT_CONTEXT:
                    problem = (
                        f"intake strips `context.{src.path[0]}`: the data map does not declare it",
                        f"declare it under `data_map.context.{src.path[0]}`",
                    )
            if problem is not None:
                report.add(loc, where, *problem)


def _journey_problems(report: _Report, section: j.JourneysSection, jid: str, spec: j.JourneySpec) -> None:
    from omotenashi.journeys.mapping import journey_stage

    base: list[str | int] = ["journeys", "journeys", jid]
    where = f"journeys.journeys.{jid}"
    add = report.add
    typo = report.typo

    if jid in RESERVED:
        add(base, where, f"`{jid}` is reserved: it holds each customer's current stage", "give the journey another id")
    if len(spec.steps) < 2:
        add(
            [*base, "steps"],
            f"{where}.steps",
            "a journey needs at least two steps",
            "list the `track` events that mark each expected step, in order, e.g. [Account Created, Profile Completed]",
        )
    first: dict[str, int] = {}
    for i, step in enumerate(spec.steps):
        typo([*base, "steps", i], f"{where}.steps", step)
        if step in first:
            add(
                [*base, "steps", i],
                f"{where}.steps",
                f"`{step}` is step {first[step] + 1} already",
                "each step is a different event; remove the repeat",
            )
        first.setdefault(step, i)
    _deadline_problems(report, jid, spec, first)
    for i, field in enumerate(spec.cohort):
        if field not in section.cohorts:
            guess = _guess(field, list(section.cohorts))
            add(
                [*base, "cohort", i],
                f"{where}.cohort",
                f"unknown cohort field `{field}`",
                f"did you mean `{guess}`?" if guess else f"declare it under `journeys.cohorts.{field}` with `first_of`",
            )
    if spec.stage is not None and spec.stage not in j.STAGES:
        guess = _guess(spec.stage, j.STAGES)
        add(
            [*base, "stage"],
            f"{where}.stage",
            f"unknown stage `{spec.stage}`",
            (f"did you mean `{guess}`? " if guess else "") + f"the stages are {_STAGE_LIST}",
        )
    elif spec.steps and journey_stage(section, jid) is None:
        add(
            base,
            where,
            "no stage: its first step's event is not mapped to a stage",
            f"add `stage: onboard` (one of {_STAGE_LIST}) or map `{spec.steps[0]}` under `journeys.stages`",
        )


def _deadline_problems(report: _Report, jid: str, spec: j.JourneySpec, first: dict[str, int]) -> None:
    where = f"journeys.journeys.{jid}.deadline_hours"
    for step in spec.deadline_hours:
        loc: list[str | int] = ["journeys", "journeys", jid, "deadline_hours", step]
        if step not in first:
            guess = _guess(step, spec.steps)
            report.add(
                loc,
                where,
                f"`{step}` is not a step of `{jid}`",
                f"did you mean `{guess}`?" if guess else f"the steps are {', '.join(spec.steps)}",
            )
        elif first[step] == 0:
            report.add(
                loc,
                where,
                f"`{step}` is the first step: nothing comes before it to count from",
                "a deadline counts from the step before: put it on a later step",
            )
