"""`omotenashi check` on a misconfigured `care:` section: every problem with its file, line and a fix; and `serve`
and the runtime refuse to start on such a file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omotenashi.bootstrap import build
from omotenashi.cli.main import app
from omotenashi.config.loader import check_house
from omotenashi.config.settings import Settings
from omotenashi.core.errors import ConfigError
from tests.conftest import HOUSE

DATA_MAP = """data_map:
  undeclared: keep
  defaults:
    use: essential.service
    legal_basis: contract
    retention_days: 365
    description: {en: "To serve you.", ja: "サービスのためです。"}
  traits:
    name: {category: user.name}
    email: {category: user.contact.email}
    plan: {category: user.account}
    religion:
      category: user.demographic
      special_category: true
"""

GOOD = """care:
  teams:
    support:
      members: [ann@example.com]
  channels:
    email:
      type: folder
      path: outbox
    ops:
      type: webhook
      url: "https://ops.shop.example/care"
  templates:
    stuck:
      subject:
        en: "Can we help, {{ first_name }}?"
        ja: "{{ name }}様、お手伝いできることはありますか"
      body:
        en: "Hello {{ first_name }}"
        ja: "{{ name }}様"
  playbooks:
    rage_help:
      title: {en: "Rage clicks", ja: "連打"}
      when:
        signal: rage_click
      who:
        traits:
          plan: [team]
      then:
        message:
          template: stuck
          channel: email
        webhook: ops
        owner:
          team: support
"""

BAD = """care:
  teams:
    support:
      members: [ann@example.com]
  channels:
    email:
      type: folder
      path: outbox
    ops:
      type: webhook
      url: "https://ops.shop.example/care"
  templates:
    stuck:
      subject:
        en: "Can we help, {{ first_name }}?"
      body:
        en: "Hello {{ frist_name }}, from {{ company }}"
        ja: "{{ name }}様"
  playbooks:
    rage_help:
      title: {en: "Rage clicks", ja: "連打"}
      when:
        signal: rage_clik
      who:
        traits:
          religion: [none]
      then:
        message:
          template: stuck
          channel: ops
        owner:
          team: sales
"""


def house_with(tmp_path: Path, care: str) -> Path:
    path = tmp_path / "omotenashi.yaml"
    path.write_text(HOUSE.read_text(encoding="utf-8") + "\n" + DATA_MAP + care, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    [found] = [i for i, line in enumerate(lines, start=1) if needle in line]
    return found


def problems(output: str) -> dict[int, tuple[str, str]]:
    found = re.findall(r"^(\S+?):(\d+): (.+)\n    hint: (.+)$", output, flags=re.MULTILINE)
    return {int(line): (what, hint) for _, line, what, hint in found}


def test_a_valid_care_section_passes(tmp_path: Path) -> None:
    path = house_with(tmp_path, GOOD)
    result = CliRunner().invoke(app, ["check", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert f"{path}: ok" in result.stdout


def test_every_problem_of_a_playbook_is_named_with_its_line_and_a_fix(tmp_path: Path) -> None:
    path = house_with(tmp_path, BAD)
    result = CliRunner().invoke(app, ["check", str(path)], catch_exceptions=False)
    assert result.exit_code == 1
    found = problems(result.stderr)
    assert found[line_of(path, "signal: rage_clik")] == (
        "care.playbooks.rage_help.when.signal: unknown signal `rage_clik`",
        "did you mean `rage_click`?",
    )
    assert found[line_of(path, "{{ frist_name }}")] == (
        "care.templates.stuck.body.en: template variable `frist_name` does not exist",
        "did you mean `first_name`?",
    )
    assert found[line_of(path, "subject:")] == (
        "care.templates.stuck.subject: template `stuck`'s subject has no `ja` text, but `ja` is one of the "
        "workspace's languages",
        "add `ja:` with the text in that language",
    )
    assert found[line_of(path, "religion: [none]")] == (
        "care.playbooks.rage_help.who.traits.religion: `religion` is a sensitive attribute by the data map "
        "(religion): care never chooses by it",
        "remove this condition; choose by stage, plan, language or preferences instead",
    )
    assert found[line_of(path, "channel: ops")] == (
        "care.playbooks.rage_help.then.message.channel: `ops` is a webhook channel, not e-mail",
        "messages to customers go through a channel of type smtp or folder",
    )
    assert found[line_of(path, "team: sales")] == (
        "care.playbooks.rage_help.then.owner.team: unknown team `sales`",
        "declare it under `care.teams:` with its members' e-mail addresses",
    )
    assert len(found) == 6, found
    assert result.stderr.rstrip().endswith("6 problem(s)")


def test_a_misspelt_key_in_a_playbook_is_named_with_its_line(tmp_path: Path) -> None:
    path = house_with(tmp_path, GOOD.replace("        webhook: ops\n", "        web_hook: ops\n"))
    found, house = check_house(path)
    assert house is None
    [problem] = found
    assert (problem.line, problem.where) == (line_of(path, "web_hook: ops"), "care.playbooks.rage_help.then.web_hook")
    assert problem.message == "unknown key `web_hook`" and problem.hint == "did you mean `webhook`?"


def test_the_runtime_and_serve_refuse_such_a_file(tmp_path: Path) -> None:
    path = house_with(tmp_path, BAD)
    with pytest.raises(ConfigError) as refused:
        build(Settings(house_file=path, store_url=f"sqlite:///{tmp_path / 'store.db'}"), [path])
    assert {(p.line, p.where) for p in refused.value.problems} >= {
        (line_of(path, "signal: rage_clik"), "care.playbooks.rage_help.when.signal"),
        (line_of(path, "religion: [none]"), "care.playbooks.rage_help.who.traits.religion"),
    }
    assert not (tmp_path / "store.db").exists()  # nothing was created on the way to refusing

    result = CliRunner().invoke(app, ["serve", "--config", str(path), "--port", "1"], catch_exceptions=False)
    assert result.exit_code == 2
    assert f"{path}:{line_of(path, 'channel: ops')}: care.playbooks.rage_help.then.message.channel" in result.stderr
    assert "serving" not in result.stdout
