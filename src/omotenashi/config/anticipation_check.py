"""Checks of the behaviour part of the house file's `anticipation:` section: subscription events that both start and
end a subscription, events listed twice, and counted events named for an attribute the data map marks as sensitive
(the models would refuse them at fitting time; `omotenashi check` says so first). Each problem names file:line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from omotenashi.config.house import HouseFile
from omotenashi.core.errors import ConfigProblem


def behaviour_problems(name: str, data: Any, house: HouseFile) -> list[ConfigProblem]:
    """Every problem of `anticipation.churn`, `anticipation.support_contact` and `anticipation.count_events`."""
    from omotenashi.config.loader import line_of

    section = house.anticipation
    if section is None:
        return []
    out: list[ConfigProblem] = []

    def add(loc: Sequence[str | int], message: str, hint: str) -> None:
        where = ".".join(str(p) for p in loc if isinstance(p, str))
        out.append(ConfigProblem(name, line_of(data, loc), where, message, hint))

    lists: list[tuple[tuple[str, ...], list[str]]] = [(("count_events",), section.count_events)]
    if section.churn is not None:
        started = set(section.churn.started_events)
        for i, event in enumerate(section.churn.ended_events):
            if event in started:
                add(
                    ["anticipation", "churn", "ended_events", i],
                    f"`{event}` both starts and ends a subscription",
                    "name it under started_events or ended_events, not both",
                )
        lists += [
            (("churn", "started_events"), section.churn.started_events),
            (("churn", "ended_events"), section.churn.ended_events),
        ]
    if section.support_contact is not None:
        lists.append((("support_contact", "events"), section.support_contact.events))
    for path, events in lists:
        seen: set[str] = set()
        for i, event in enumerate(events):
            if event in seen:
                add(["anticipation", *path, i], f"`{event}` is listed twice", "list each event once")
            seen.add(event)
    if house.data_map is not None and section.count_events:
        from omotenashi.anticipation.behaviour_features import counted_feature
        from omotenashi.anticipation.sensitive import sensitive_features
        from omotenashi.privacy.datamap import DataMap

        special = DataMap(house.data_map).special_names()
        for i, event in enumerate(section.count_events):
            found = sensitive_features([counted_feature(event, 30)], special)
            if found:
                add(
                    ["anticipation", "count_events", i],
                    f"counting `{event}` would make a feature named for `{found[0][1]}`, which the data map marks as "
                    "sensitive",
                    "remove it: anticipation never learns from sensitive attributes or stand-ins for them",
                )
    return out
