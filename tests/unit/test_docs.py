"""The docs name every command, house-file key and setting; a test fails when one is missing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import typer.main
from pydantic import BaseModel

from omotenashi.cli.main import app
from omotenashi.config import house
from omotenashi.config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: Any, prefix: str) -> list[str]:
    if getattr(group, "commands", None):
        out = []
        for name, cmd in group.commands.items():
            out.extend(_commands(cmd, f"{prefix} {name}"))
        return out
    return [prefix]


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in get_args(annotation):
        found.extend(_models(arg))
    return found


def _keys(model: type[BaseModel], prefix: str) -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        keys.append(path)
        for sub in _models(field.annotation):
            # mappings of ids (purposes, sources) are documented as `<id>`
            inner = f"{path}.<id>." if "dict" in str(field.annotation) else f"{path}."
            keys.extend(_keys(sub, inner))
    return keys


def test_every_cli_command_is_documented():
    text = (ROOT / "docs" / "cli.md").read_text()
    commands = _commands(typer.main.get_command(app), "omotenashi")
    assert len(commands) >= 10
    missing = [c for c in commands if f"`{c}" not in text]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_every_house_file_key_is_documented():
    text = (ROOT / "docs" / "house-file.md").read_text()
    keys = _keys(house.HouseFile, "")
    assert "purposes.<id>.mechanism" in keys and "store.synchronous" in keys and "store.url" in keys
    # A documented key may stand for many with `<…>`: `data_map.<…>.use` covers `data_map.events.<id>.use`.
    patterns = [
        re.compile("^" + re.escape(doc).replace(re.escape("<…>"), r"[^`]+") + "$")
        for doc in re.findall(r"`([a-z_]+(?:\.[^`\s]+)+)`", text)
        if "<…>" in doc
    ]
    missing = [
        k
        for k in keys
        if not re.search(rf"(`{re.escape(k)}`|## `{re.escape(k)}`)", text) and not any(p.match(k) for p in patterns)
    ]
    assert not missing, f"house-file keys missing from docs/house-file.md: {missing}"


def test_every_setting_is_documented():
    text = (ROOT / "docs" / "settings.md").read_text()
    names = []
    for name, field in Settings.model_fields.items():
        subs = _models(field.annotation)
        if subs:
            names.extend(f"OMOTENASHI__{name}__{sub}".upper() for m in subs for sub in m.model_fields)
        else:
            names.append(f"OMOTENASHI__{name}".upper())
    missing = [n for n in names if f"`{n}`" not in text]
    assert not missing, f"settings missing from docs/settings.md: {missing}"


def test_readme_quick_start_has_exactly_two_commands():
    text = (ROOT / "README.md").read_text()
    start = re.search(r"^## Quick start$", text, re.M)
    assert start
    block = re.search(r"```bash\n(.*?)```", text[start.end() :], re.S)
    assert block
    commands = [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]
    assert [c.split("#")[0].strip() for c in commands] == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
