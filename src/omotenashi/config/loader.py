"""Load a house file and report every problem with file:line and a hint."""

from __future__ import annotations

import difflib
import logging
import zoneinfo
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from omotenashi.config.anticipation_check import behaviour_problems
from omotenashi.config.care import SECTION_MODELS as CARE_SECTIONS
from omotenashi.config.care_check import care_problems
from omotenashi.config.datamap_check import data_map_problems
from omotenashi.config.friction import SECTION_MODELS as FRICTION_SECTIONS
from omotenashi.config.friction_check import friction_problems
from omotenashi.config.house import REQUIRED_PURPOSES, HouseFile
from omotenashi.config.journeys_check import journey_problems, known_keys
from omotenashi.core.errors import ConfigError, ConfigProblem

log = logging.getLogger(__name__)


class LoadedHouse:
    """A validated house file with where it came from."""

    def __init__(self, house: HouseFile, path: Path) -> None:
        self.house = house
        self.path = path

    @property
    def folder(self) -> Path:
        return self.path.parent


def load_house(path: Path | str) -> LoadedHouse:
    """Read and validate a house file; raise ConfigError listing every problem (warnings are logged)."""
    path = Path(path)
    problems, house = check_house(path)
    errors = [p for p in problems if not p.warning]
    if errors or house is None:
        raise ConfigError(errors or problems)
    for warning in problems:
        log.warning("%s", warning.render())
    return LoadedHouse(house, path.resolve())


def check_house(path: Path) -> tuple[list[ConfigProblem], HouseFile | None]:
    """Every problem in a house file (empty when it is valid) and the house when valid (warnings allowed)."""
    name = str(path)
    if not path.exists():
        return [ConfigProblem(name, None, "", "file not found", "run `omotenashi init` to write one")], None
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        data = yaml.load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        return [ConfigProblem(name, line, "", f"not valid YAML: {exc.problem}", _yaml_hint(exc))], None
    except UnicodeDecodeError:
        return [ConfigProblem(name, None, "", "not UTF-8 text", "save the file as UTF-8")], None
    if not isinstance(data, CommentedMap):
        return [ConfigProblem(name, 1, "", "the house file must be a mapping of sections", _TOP_HINT)], None
    try:
        house = HouseFile.model_validate(_plain(data))
    except ValidationError as exc:
        return [_problem_from_error(name, data, err) for err in exc.errors()], None
    problems = _semantic_problems(name, data, house)
    return problems, (None if any(not p.warning for p in problems) else house)


_TOP_HINT = "start from `omotenashi init`, which writes a commented example"


def _yaml_hint(exc: MarkedYAMLError) -> str:
    problem = str(exc.problem or "")
    if "duplicate" in problem or "found duplicate key" in str(exc):
        return "each key may appear once in a mapping; remove or merge the repeated one"
    if "tab" in problem:
        return "indent with spaces, not tabs"
    return "check indentation and quoting on this line and the one before"


def _plain(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    return node


def line_of(data: Any, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest part of `loc` that exists in the YAML tree."""
    node = data
    line: int | None = None
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            if line is None and hasattr(node, "lc"):
                line = node.lc.line + 1
            break
    return line


def _problem_from_error(name: str, data: Any, err: Any) -> ConfigProblem:
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p in {"sqlite", "postgres"})]
    where = ".".join(str(p) for p in loc)
    kind = err["type"]
    line = line_of(data, loc)
    if kind == "extra_forbidden":
        parent = _node_at(data, loc[:-1])
        known = _known_keys(loc[:-1], parent)
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"did you mean `{guess[0]}`?" if guess else f"known keys here: {', '.join(sorted(known))}"
        return ConfigProblem(name, line, where, f"unknown key `{loc[-1]}`", hint)
    if kind == "missing":
        return ConfigProblem(name, line, where, "required but missing", f"add `{loc[-1]}:` here")
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return ConfigProblem(name, line, where, err["msg"], "use `type: sqlite` or `type: postgres`")
    if kind == "string_pattern_mismatch":
        return ConfigProblem(name, line, where, f"`{err.get('input')}` is not allowed here", _pattern_hint(loc))
    if kind == "enum" or kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return ConfigProblem(name, line, where, f"`{err.get('input')}` is not one of {expected}", "pick one")
    return ConfigProblem(name, line, where, err["msg"], "see docs/house-file.md for this key")


def _pattern_hint(loc: Sequence[str | int]) -> str:
    if "languages" in loc:
        return "use a language code such as `en`, `ja` or `pt-BR`"
    return "use lower-case letters, digits, `_` or `-`, starting with a letter"


def _node_at(data: Any, loc: Sequence[str | int]) -> Any:
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _known_keys(parent_loc: Sequence[str | int], parent: Any) -> list[str]:
    from omotenashi.config import anticipation as a
    from omotenashi.config import house as h
    from omotenashi.config import types

    if (inside_journeys := known_keys(parent_loc)) is not None:
        return inside_journeys
    model: Any = HouseFile
    by_section: dict[str, Any] = {
        "workspace": h.WorkspaceSection,
        "intake": h.IntakeSection,
        "purposes": h.PurposeSection,
        "sources": h.SourceSection,
        "description": types.Description,
        "memory": h.MemorySection,
        "data_map": h.DataMapSection,
        "defaults": h.DataItem,
        "events": h.DataEntry,
        "pages": h.DataEntry,
        "screens": h.DataEntry,
        "traits": h.DataItem,
        "context": h.DataItem,
        "properties": h.DataItem,
        "identifiers": h.IdentifierSection,
        "preference_traits": h.PreferenceTraits,
        "anticipation": a.AnticipationSection,
        "churn": a.ChurnSection,
        "support_contact": a.SupportContactSection,
    }
    by_section.update(FRICTION_SECTIONS)
    if parent_loc and parent_loc[0] == "care":
        by_section.update(CARE_SECTIONS)
    for part in reversed(parent_loc):
        if isinstance(part, str) and part in by_section:
            model = by_section[part]
            break
        if part == "store":
            kind = parent.get("type") if isinstance(parent, dict) else None
            model = h.PostgresStore if kind == "postgres" else h.SqliteStore
            break
    return list(model.model_fields)


def _semantic_problems(name: str, data: Any, house: HouseFile) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for pid in REQUIRED_PURPOSES:
        if pid not in house.purposes:
            problems.append(
                ConfigProblem(
                    name,
                    line_of(data, ["purposes"]),
                    "purposes",
                    f"the purpose `{pid}` is not declared",
                    f"declare `{pid}` with its legal basis and mechanism; every workspace has "
                    f"{', '.join(REQUIRED_PURPOSES)}",
                )
            )
    for sid, source in house.sources.items():
        for i, pid in enumerate(source.purposes):
            if pid not in house.purposes:
                guess = difflib.get_close_matches(pid, list(house.purposes), n=1)
                problems.append(
                    ConfigProblem(
                        name,
                        line_of(data, ["sources", sid, "purposes", i]),
                        f"sources.{sid}.purposes",
                        f"unknown purpose `{pid}`",
                        f"did you mean `{guess[0]}`?" if guess else "declare it under `purposes:` first",
                    )
                )
    seen: dict[str, str] = {}
    for pid, purpose in house.purposes.items():
        for alias in purpose.aliases:
            other = seen.setdefault(alias.lower(), pid)
            if other != pid or alias.lower() in house.purposes and alias.lower() != pid:
                problems.append(
                    ConfigProblem(
                        name,
                        line_of(data, ["purposes", pid, "aliases"]),
                        f"purposes.{pid}.aliases",
                        f"the alias `{alias}` names more than one purpose",
                        "an alias must point to exactly one purpose",
                    )
                )
        if purpose.description.ja is None and "ja" in house.languages:
            problems.append(
                ConfigProblem(
                    name,
                    line_of(data, ["purposes", pid, "description"]),
                    f"purposes.{pid}.description",
                    "no Japanese sentence, but `ja` is one of the workspace's languages",
                    "add `ja:` with the same sentence in Japanese",
                )
            )
    for kind, ident in house.memory.identifiers.items():
        if ident.store_as == "clear" and (ident.purpose is None or ident.purpose not in house.purposes):
            problems.append(
                ConfigProblem(
                    name,
                    line_of(data, ["memory", "identifiers", kind, "purpose"])
                    or line_of(data, ["memory", "identifiers", kind]),
                    f"memory.identifiers.{kind}.purpose",
                    "an identifier kept in clear needs the purpose it is kept for"
                    if ident.purpose is None
                    else f"unknown purpose `{ident.purpose}`",
                    "name a declared purpose, e.g. `purpose: service`, or use `store_as: keyed_hash`",
                )
            )
        if kind in {"user_id", "anonymous_id"}:
            problems.append(
                ConfigProblem(
                    name,
                    line_of(data, ["memory", "identifiers", kind]),
                    f"memory.identifiers.{kind}",
                    f"`{kind}` is built in",
                    "declare only other identifiers, such as email or phone",
                )
            )
    problems.extend(data_map_problems(name, data, house))
    problems.extend(journey_problems(name, data, house))
    problems.extend(friction_problems(name, data, house))
    problems.extend(_anticipation_problems(name, data, house))
    problems.extend(care_problems(name, data, house))
    try:
        zoneinfo.ZoneInfo(house.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(
            ConfigProblem(
                name,
                line_of(data, ["timezone"]),
                "timezone",
                f"unknown timezone `{house.timezone}`",
                "use an IANA name such as `Asia/Tokyo` or `Europe/Berlin`",
            )
        )
    return problems


def _anticipation_problems(name: str, data: Any, house: HouseFile) -> list[ConfigProblem]:
    """The anticipation section names declared purposes; its holdout is no longer than it can learn from."""
    section = house.anticipation
    if section is None:
        return []
    out: list[ConfigProblem] = []
    for i, pid in enumerate(section.purposes):
        if pid not in house.purposes:
            guess = difflib.get_close_matches(pid, list(house.purposes), n=1)
            out.append(
                ConfigProblem(
                    name,
                    line_of(data, ["anticipation", "purposes", i]),
                    "anticipation.purposes",
                    f"unknown purpose `{pid}`",
                    f"did you mean `{guess[0]}`?" if guess else "declare it under `purposes:` first",
                )
            )
    if house.data_map is not None and section.amount_property:
        for event in section.purchase_events:
            declared = house.data_map.events.get(event)
            if declared is not None and section.amount_property not in declared.properties:
                out.append(
                    ConfigProblem(
                        name,
                        line_of(data, ["anticipation", "amount_property"]),
                        "anticipation.amount_property",
                        f"`{event}` declares no property `{section.amount_property}` in the data map",
                        f"declare it under data_map.events.{event}.properties, or name a declared property",
                    )
                )
    out.extend(behaviour_problems(name, data, house))
    return out
