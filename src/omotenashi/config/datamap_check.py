"""Checks of the house file's data map: known fideslang keys, every field resolved, every language present."""

from __future__ import annotations

from typing import Any

from omotenashi.config.house import DataItem, HouseFile
from omotenashi.core.errors import ConfigProblem


def _line(data: Any, loc: list[str | int]) -> int | None:
    from omotenashi.config.loader import line_of

    return line_of(data, loc)


def _check_item(
    name: str, data: Any, house: HouseFile, loc: list[str | int], *layers: DataItem | None
) -> list[ConfigProblem]:
    from omotenashi.privacy import taxonomy
    from omotenashi.privacy.datamap import missing_fields

    problems: list[ConfigProblem] = []
    where = ".".join(str(p) for p in loc)
    line = _line(data, loc)
    own = layers[-1]
    if own is not None:
        for key, known in (("category", taxonomy.categories()), ("use", taxonomy.uses())):
            value = getattr(own, key)
            if value is not None and value not in known:
                problems.append(
                    ConfigProblem(
                        name,
                        _line(data, [*loc, key]) or line,
                        f"{where}.{key}",
                        f"unknown data {key} `{value}`",
                        taxonomy.suggestion(value, known),
                    )
                )
        for desc_key in ("description", "kept_after_erasure"):
            desc = getattr(own, desc_key)
            if desc is not None and desc.ja is None and "ja" in house.languages:
                problems.append(
                    ConfigProblem(
                        name,
                        _line(data, [*loc, desc_key]) or line,
                        f"{where}.{desc_key}",
                        "no Japanese sentence, but `ja` is one of the workspace's languages",
                        "add `ja:` with the same sentence in Japanese",
                    )
                )
    missing = missing_fields(*layers)
    if missing:
        problems.append(
            ConfigProblem(
                name,
                line,
                where,
                f"does not say {', '.join(f'`{m}`' for m in missing)}",
                "add them here, or under `data_map.defaults` to apply to every entry",
            )
        )
    return problems


def data_map_problems(name: str, data: Any, house: HouseFile) -> list[ConfigProblem]:
    """Every data-map entry resolves to known fideslang keys and has every field, after inheritance."""
    dm = house.data_map
    if dm is None:
        return []
    out: list[ConfigProblem] = []
    base: list[str | int] = ["data_map"]
    entries: list[tuple[list[str | int], Any]] = [([*base, "events", e], entry) for e, entry in dm.events.items()]
    entries += [([*base, k], getattr(dm, k)) for k in ("pages", "screens") if getattr(dm, k) is not None]
    for loc, entry in entries:
        out += _check_item(name, data, house, loc, dm.defaults, entry)
        for prop, item in entry.properties.items():
            out += _check_item(name, data, house, [*loc, "properties", prop], dm.defaults, entry, item)
    for section in ("traits", "context"):
        for key, item in getattr(dm, section).items():
            out += _check_item(name, data, house, [*base, section, key], dm.defaults, item)
    return out
