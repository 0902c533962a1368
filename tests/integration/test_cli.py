"""The `omotenashi` command line: init, check, keys and status, on real SQLite and real PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from omotenashi.bootstrap import Runtime, build
from omotenashi.cli.main import app
from omotenashi.config.settings import Settings
from omotenashi.store.engine import open_engines
from tests.conftest import write_house
from tests.support import create_key, live_server, track

KEY = re.compile(r"\bwk_[A-Za-z0-9_-]{20,}")


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings leak in from the shell running the tests; relative paths land in tmp_path."""
    monkeypatch.delenv("OMOTENASHI__STORE_URL", raising=False)
    monkeypatch.delenv("OMOTENASHI__HOUSE_FILE", raising=False)
    monkeypatch.chdir(tmp_path)


def omotenashi(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def store_section(store_url: str) -> dict[str, str]:
    """The house file's `store:` for the parametrised store, written as a user would write it."""
    url = make_url(store_url)
    if url.get_backend_name() == "sqlite":
        return {"type": "sqlite", "path": str(url.database)}
    return {"type": "postgres", "url": store_url}


@pytest.fixture
def config(tmp_path: Path, store_url: str) -> Path:
    """The test house file, naming the parametrised store in its `store:` section."""
    return write_house(tmp_path, store=store_section(store_url))


@pytest.fixture
def served(config: Path) -> Iterator[tuple[Runtime, str]]:
    """A runtime built from the same house file as the commands use, served over HTTP."""
    runtime = build(Settings(house_file=config))
    try:
        with live_server(runtime) as url:
            yield runtime, url
    finally:
        runtime.close()


def rows_of(store_url: str, sql: str) -> list[dict[str, Any]]:
    engines = open_engines(store_url)
    try:
        with engines.read.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql))]
    finally:
        engines.dispose()


def text_values(store_url: str) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text column of every table in the store."""
    engines = open_engines(store_url)
    try:
        meta = sa.MetaData()
        meta.reflect(bind=engines.read)
        out = []
        with engines.read.connect() as conn:
            for table in meta.sorted_tables:
                columns = [c for c in table.columns if isinstance(c.type, sa.String)]
                for row in conn.execute(sa.select(*columns)) if columns else []:
                    out.extend((table.name, c.name, v) for c, v in zip(columns, row, strict=True) if v is not None)
        return out
    finally:
        engines.dispose()


# --- init ---------------------------------------------------------------------------------------------------------


def test_init_writes_a_commented_house_file_that_check_accepts_and_creates_the_store(tmp_path):
    path = tmp_path / "acme" / "omotenashi.yaml"
    result = omotenashi("init", path, "--workspace", "acme", "--name", "Acme: Tokyo #1", "--timezone", "Asia/Tokyo")
    assert result.exit_code == 0, result.output
    assert f"wrote {path}" in result.stdout and "keys create --source web" in result.stdout

    text = path.read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 10 and "docs/house-file.md" in text
    assert not re.search(r"\{\w+\}", text)  # no template placeholder left behind

    check = omotenashi("check", path)
    assert check.exit_code == 0, check.output
    assert check.stdout.strip() == f"{path}: ok" and check.stderr == ""

    from omotenashi.config.loader import load_house

    house = load_house(path).house
    assert (house.workspace.id, house.workspace.name, house.timezone) == ("acme", "Acme: Tokyo #1", "Asia/Tokyo")
    db = tmp_path / "acme" / "var" / "omotenashi.db"  # the template's store, read from the file's folder
    assert db.exists()
    assert rows_of(f"sqlite:///{db}", "SELECT id, name FROM workspaces") == [{"id": "acme", "name": "Acme: Tokyo #1"}]
    sources = rows_of(f"sqlite:///{db}", "SELECT id FROM sources ORDER BY id")
    assert [s["id"] for s in sources] == ["app", "support", "web"]


def test_init_creates_the_store_the_environment_names(tmp_path, store_url, monkeypatch):
    monkeypatch.setenv("OMOTENASHI__STORE_URL", store_url)
    path = tmp_path / "omotenashi.yaml"
    result = omotenashi("init", path, "--workspace", "kissa")
    assert result.exit_code == 0, result.output
    assert rows_of(store_url, "SELECT id FROM workspaces") == [{"id": "kissa"}]
    assert not (tmp_path / "var" / "omotenashi.db").exists()


def test_init_does_not_overwrite_without_force(tmp_path):
    path = tmp_path / "omotenashi.yaml"
    path.write_text("# mine\n", encoding="utf-8")
    result = omotenashi("init", path)
    assert result.exit_code == 1
    assert "exists" in result.stderr and "--force" in result.stderr
    assert path.read_text(encoding="utf-8") == "# mine\n"
    assert omotenashi("init", path, "--force").exit_code == 0
    assert omotenashi("check", path).exit_code == 0


# --- check --------------------------------------------------------------------------------------------------------

DESCRIPTIONS = """\
  service:
    legal_basis: contract
    mechanism: notice_only
    description: {en: Deliver., ja: お届け。}
"""

SCHEMA_MISTAKES = """\
# A house file with the mistakes people make.
workspace:
  id: shop
  name: Shop
langauges: [en, ja]
timezone: Asia/Tokyo
store:
  type: sqlite
  path: var/shop.db
  synchronus: full
intake:
  dedupe_window_days: a week
purposes:
  service:
    legal_basis: contract
    mechanism: notice_only
    description: {en: Deliver., ja: お届け。}
  care:
    legal_basis: legitimate_interests
    mechanism: opt-out
    description: {en: Help., ja: お手伝い。}
  personalization:
    mechanism: opt_in
    description: {en: Fit., ja: 合わせる。}
  analytics:
    legal_basis: consent
    mechanism: opt_in
    description: {en: Learn., ja: 学ぶ。}
  marketing:
    legal_basis: consent
    mechanism: opt_in
    description: {en: Offers., ja: ご案内。}
sources:
  web:
    name: Website
    purposes: service
"""

MEANING_MISTAKES = """\
workspace:
  id: shop
  name: Shop
languages: [en, ja]
timezone: Asia/Tokio
purposes:
  service:
    legal_basis: contract
    mechanism: notice_only
    description: {en: Deliver., ja: お届け。}
  care:
    legal_basis: legitimate_interests
    mechanism: opt_out
    description: {en: Help., ja: お手伝い。}
  analytics:
    legal_basis: consent
    mechanism: opt_in
    description: {en: Learn., ja: 学ぶ。}
sources:
  web:
    name: Website
    purposes: [service, analytcs]
  app:
    name: App
    purposes:
      - care
      - personalisation
"""

BAD_SYNTAX = """\
workspace:
  id: shop
  name: Shop
timezone: Asia/Tokyo
sources:
  web:
    name: Website: the shop
    purposes: [service]
"""

DUPLICATE_KEY = """\
workspace:
  id: shop
  name: Shop
timezone: Asia/Tokyo
sources:
  web:
    name: Website
    purposes: [service]
timezone: UTC
"""


def problems_of(output: str) -> list[tuple[int, str, str]]:
    """(line, what, hint) of every problem `check` printed."""
    found = re.findall(r"^(\S+?):(\d+): (.+)\n    hint: (.+)$", output, flags=re.MULTILINE)
    return [(int(line), what, hint) for _, line, what, hint in found]


def check_file(tmp_path: Path, name: str, text: str) -> tuple[Path, Result]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, omotenashi("check", path)


def test_check_reports_every_schema_problem_with_its_line_and_a_hint(tmp_path):
    path, result = check_file(tmp_path, "schema.yaml", SCHEMA_MISTAKES)
    assert result.exit_code == 1
    *reported, total = result.stderr.splitlines()
    assert total == "6 problem(s)"
    assert all(line.startswith((f"{path}:", "    hint: ")) for line in reported)
    problems = problems_of(result.stderr)
    assert sorted((line, what) for line, what, _ in problems) == [
        (5, "langauges: unknown key `langauges`"),
        (10, "store.synchronus: unknown key `synchronus`"),
        (12, "intake.dedupe_window_days: Input should be a valid integer, unable to parse string as an integer"),
        (20, "purposes.care.mechanism: `opt-out` is not one of 'opt_in', 'opt_out' or 'notice_only'"),
        (22, "purposes.personalization.legal_basis: required but missing"),
        (36, "sources.web.purposes: Input should be a valid list"),
    ]
    hints = {line: hint for line, _, hint in problems}
    assert hints[5] == "did you mean `languages`?"
    assert hints[10] == "did you mean `synchronous`?"
    assert hints[22] == "add `legal_basis:` here"
    assert all(hints.values())


def test_check_reports_every_problem_of_meaning_with_its_line_and_a_hint(tmp_path):
    _, result = check_file(tmp_path, "meaning.yaml", MEANING_MISTAKES)
    assert result.exit_code == 1
    problems = problems_of(result.stderr)
    assert sorted(problems) == [
        (5, "timezone: unknown timezone `Asia/Tokio`", "use an IANA name such as `Asia/Tokyo` or `Europe/Berlin`"),
        (
            6,
            "purposes: the purpose `marketing` is not declared",
            "declare `marketing` with its legal basis and mechanism; "
            "every workspace has service, care, personalization, analytics, marketing",
        ),
        (
            6,
            "purposes: the purpose `personalization` is not declared",
            "declare `personalization` with its legal basis and mechanism; "
            "every workspace has service, care, personalization, analytics, marketing",
        ),
        (22, "sources.web.purposes: unknown purpose `analytcs`", "did you mean `analytics`?"),
        (27, "sources.app.purposes: unknown purpose `personalisation`", "declare it under `purposes:` first"),
    ]


def test_check_reports_yaml_syntax_and_duplicate_keys_at_their_line(tmp_path):
    _, syntax = check_file(tmp_path, "syntax.yaml", BAD_SYNTAX)
    assert syntax.exit_code == 1
    ((line, what, hint),) = problems_of(syntax.stderr)
    assert (line, what) == (7, "not valid YAML: mapping values are not allowed here")
    assert "quoting" in hint

    _, dup = check_file(tmp_path, "dup.yaml", DUPLICATE_KEY)
    assert dup.exit_code == 1
    ((line, what, hint),) = problems_of(dup.stderr)
    assert line == 9 and 'duplicate key "timezone"' in what
    assert hint == "each key may appear once in a mapping; remove or merge the repeated one"


def test_check_of_several_files_reports_each_and_the_total(tmp_path):
    good = write_house(tmp_path)
    bad, _ = check_file(tmp_path, "dup.yaml", DUPLICATE_KEY)
    missing = tmp_path / "nowhere.yaml"
    result = omotenashi("check", good, bad, missing)
    assert result.exit_code == 1
    assert f"{good}: ok" in result.stdout
    assert f"{bad}:9: not valid YAML" in result.stderr
    assert f"{missing}: file not found" in result.stderr and "omotenashi init" in result.stderr
    assert "2 problem(s)" in result.stderr


def test_long_paths_are_never_folded(tmp_path):
    deep = tmp_path / ("a-folder-with-a-long-name-" * 4)
    deep.mkdir()
    path, result = check_file(deep, "meaning.yaml", MEANING_MISTAKES)
    assert f"{path}:5: timezone: unknown timezone `Asia/Tokio`\n" in result.stderr
    assert len(problems_of(result.stderr)) == 5


# --- keys ---------------------------------------------------------------------------------------------------------


def new_key(config: Path, source: str = "web") -> str:
    result = omotenashi("keys", "create", "--source", source, "--config", config)
    assert result.exit_code == 0, result.output
    keys = set(KEY.findall(result.stdout))
    assert len(keys) == 1, result.stdout
    return keys.pop()


def test_a_created_key_authenticates_over_http_and_a_revoked_one_does_not(config, store_url, served):
    runtime, url = served
    key = new_key(config)
    quiet = omotenashi("keys", "create", "--source", "app", "--config", config, "--quiet")
    assert quiet.exit_code == 0 and KEY.fullmatch(quiet.stdout.strip())

    r = httpx.post(f"{url}/v1/track", json=track("u1"), auth=(key, ""))
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    (row,) = rows_of(store_url, "SELECT source_id, workspace_id FROM events")
    assert row == {"source_id": "web", "workspace_id": "shop"}

    listed = omotenashi("keys", "list", "--config", config)
    assert listed.exit_code == 0
    assert f"{key[:10]}…  source=web" in listed.stdout and "live" in listed.stdout
    assert key not in listed.stdout

    revoked = omotenashi("keys", "revoke", key[:10], "--config", config)
    assert revoked.exit_code == 0 and "revoked 1 key(s)" in revoked.stdout
    r = httpx.post(f"{url}/v1/track", json=track("u1"), auth=(key, ""))
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert httpx.post(f"{url}/v1/track", json=track("u2"), auth=(quiet.stdout.strip(), "")).status_code == 200
    assert len(rows_of(store_url, "SELECT seq FROM events")) == 2

    again = omotenashi("keys", "revoke", key[:10], "--config", config)
    assert again.exit_code == 1 and "no live key starts with" in again.stderr
    assert re.search(rf"{re.escape(key[:10])}….*revoked", omotenashi("keys", "list", "--config", config).stdout)


def test_the_store_never_holds_a_write_key_in_clear(config, store_url, served):
    _, url = served
    keys = [new_key(config, "web"), new_key(config, "support")]
    for key in keys:
        assert httpx.post(f"{url}/v1/batch", json={"batch": [track("u1")], "writeKey": key}).status_code == 200
        assert httpx.post(f"{url}/v1/track", json=track("u2"), auth=(key, "")).status_code == 200
    values = text_values(store_url)
    assert any(table == "write_keys" and column == "key_hash" for table, column, _ in values)
    for key in keys:
        secret_part = key[10:]  # the 10-character prefix is shown by `keys list` on purpose
        leaks = [(table, column) for table, column, value in values if secret_part in value]
        assert leaks == []


def test_a_key_for_an_unknown_source_is_refused(config, store_url):
    migrated = omotenashi("migrate", "--config", config)
    assert migrated.exit_code == 0 and "store at migration" in migrated.stdout
    result = omotenashi("keys", "create", "--source", "kiosk", "--config", config)
    assert result.exit_code == 1
    assert "no source `kiosk`" in result.stderr and "known: web, app, support, pixel" in result.stderr
    assert "sources:" in result.stderr
    assert not KEY.search(result.stdout)
    assert rows_of(store_url, "SELECT prefix FROM write_keys") == []


# --- status -------------------------------------------------------------------------------------------------------


def test_status_json_counts_per_workspace(tmp_path, store_url, config):
    cafe_folder = tmp_path / "cafe"
    cafe_folder.mkdir()
    cafe = write_house(cafe_folder, workspace={"id": "cafe", "name": "Cafe"}, store=store_section(store_url))
    runtime = build(Settings(house_file=config), [config, cafe])
    try:
        web, pixel, cafe_web = (
            create_key(runtime, "web"),
            create_key(runtime, "pixel"),
            create_key(runtime, "web", "cafe"),
        )
        with live_server(runtime) as url:

            def send(key: str, *messages: Any) -> dict[str, Any]:
                r = httpx.post(f"{url}/v1/batch", json={"batch": list(messages)}, auth=(key, ""))
                assert r.status_code == 200, r.text
                body: dict[str, Any] = r.json()
                return body

            good = [
                track("u1"),
                track("u2", "Cart Viewed"),
                {"type": "identify", "messageId": "id-1", "userId": "u1", "traits": {"plan": "pro"}},
                {"type": "page", "messageId": "page-1", "anonymousId": "a1", "name": "Home"},
            ]
            bad = [
                {"type": "track", "messageId": "b1", "userId": "u3"},
                {"type": "track", "messageId": "b2", "userId": "u3"},
                {"type": "teleport", "messageId": "b3", "userId": "u3"},
                {"type": "track", "messageId": "b4", "event": "Nobody"},
            ]
            assert send(web, good[0], bad[0], good[1], bad[1], good[2], bad[2], good[3], bad[3])["accepted"] == 4
            assert send(web, good[0], good[2])["duplicates"] == 2
            assert send(pixel, track("u9"))["refused"] == {"consent_missing": 1}
            assert send(cafe_web, track("c1"), {"type": "track", "userId": "c2", "event": "E", "traits": [1]})
            assert send(cafe_web, {"type": "track", "messageId": "c-1", "userId": "c1", "event": "E"})["accepted"] == 1
            assert (
                send(cafe_web, {"type": "track", "messageId": "c-1", "userId": "c1", "event": "E"})["duplicates"] == 1
            )
    finally:
        runtime.close()

    result = omotenashi("status", "--json", "--config", config)
    assert result.exit_code == 0, result.output
    by_workspace = {s["workspace"]: s for s in json.loads(result.stdout)["workspaces"]}
    shop, cafe_status = by_workspace["shop"], by_workspace["cafe"]
    assert (shop["events"], shop["customers"], shop["duplicates"]) == (4, 3, 2)
    assert shop["rejections"] == {"missing_event": 2, "missing_identity": 1, "unknown_type": 1}
    assert shop["refused"] == {"consent_missing": 1}
    assert (cafe_status["events"], cafe_status["customers"], cafe_status["duplicates"]) == (2, 1, 1)
    assert cafe_status["rejections"] == {"wrong_type": 1}
    assert cafe_status["refused"] == {}

    human = omotenashi("status", "--config", config)
    assert human.exit_code == 0
    assert "shop: 4 events, 3 customers, 2 duplicates" in human.stdout
    assert "rejected missing_event: 2" in human.stdout and "refused consent_missing: 1" in human.stdout
