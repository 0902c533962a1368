"""`omotenashi import` through the CLI, into a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from omotenashi.cli.main import app
from omotenashi.store.engine import open_engines

HISTORICAL = "1997-03-14T09:30:00.000Z"
HISTORICAL_MS = int(datetime(1997, 3, 14, 9, 30, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def config(house_file: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test house file, its store overridden by the parametrised one as an operator would."""
    monkeypatch.setenv("OMOTENASHI__STORE_URL", store_url)
    return house_file


def omotenashi(*args: str | Path, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], input=stdin, catch_exceptions=False)


def import_json(config: Path, file: str | Path, stdin: bytes | None = None) -> tuple[int, dict[str, Any]]:
    result = omotenashi("import", file, "--source", "web", "--config", config, "--json", stdin=stdin)
    return result.exit_code, json.loads(result.stdout)


def stored(store_url: str) -> list[dict[str, Any]]:
    engines = open_engines(store_url)
    try:
        with engines.read.connect() as conn:
            rows = conn.execute(sa.text("SELECT * FROM events ORDER BY seq"))
            return [dict(r._mapping) for r in rows]
    finally:
        engines.dispose()


def jsonl(*lines: Any) -> bytes:
    """One line per item: dicts and lists as JSON, strings as they are (to write broken lines)."""
    return b"".join((x if isinstance(x, str) else json.dumps(x)).encode() + b"\n" for x in lines)


def msg(mid: str, user: str = "u1", event: str = "Order Completed", **extra: Any) -> dict[str, Any]:
    return {"type": "track", "messageId": mid, "userId": user, "event": event, **extra}


# Line numbers are 1-based and count blank lines, so an editor jumps straight to the culprit.
MIXED = jsonl(
    msg("m1"),  # 1
    "",  # 2
    {"type": "identify", "messageId": "m2", "userId": "u2", "traits": {"email": "u2@example.com"}},  # 3
    {"type": "track", "messageId": "no-event", "userId": "u3"},  # 4
    '{"type": "track", "messageId": "broken", ',  # 5
    {"type": "page", "messageId": "m3", "anonymousId": "a1", "name": "Home"},  # 6
    msg("m4", "u4"),  # 7
    msg("m4", "u4"),  # 8: the same messageId again
    [1, 2],  # 9
    "   ",  # 10
    {"type": "teleport", "messageId": "where", "userId": "u5"},  # 11
    {"type": "track", "messageId": "no-one", "event": "X"},  # 12
    msg("m5", "u5", properties={"revenue": 9.5}),  # 13
)
MIXED_STORED = ["m1", "m2", "m3", "m4", "m5"]
MIXED_REJECTED = {
    (4, "no-event", "event", "missing_event"),
    (5, None, "", "malformed_json"),
    (9, None, "", "not_an_object"),
    (11, "where", "type", "unknown_type"),
    (12, "no-one", "userId", "missing_identity"),
}


def check_mixed_summary(code: int, summary: dict[str, Any]) -> None:
    assert code == 1  # some lines were rejected
    assert (summary["accepted"], summary["duplicates"]) == (5, 1)
    assert summary["rejected"] == {
        "malformed_json": 1,
        "missing_event": 1,
        "missing_identity": 1,
        "not_an_object": 1,
        "unknown_type": 1,
    }
    got = {(r["line"], r["messageId"], r["field"], r["reason"]) for r in summary["rejections"]}
    assert got == MIXED_REJECTED
    assert all(r["hint"] for r in summary["rejections"])


def test_a_jsonl_file_is_imported_with_counts_and_the_line_of_every_rejection(config, store_url, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(MIXED)
    check_mixed_summary(*import_json(config, path))
    rows = stored(store_url)
    assert [r["message_id"] for r in rows] == MIXED_STORED
    assert {r["source_id"] for r in rows} == {"web"}
    assert json.loads(rows[-1]["properties"]) == {"revenue": 9.5}


def test_a_gzipped_file_is_imported_the_same_way(config, store_url, tmp_path):
    path = tmp_path / "events.jsonl.gz"
    path.write_bytes(gzip.compress(MIXED))
    check_mixed_summary(*import_json(config, path))
    assert [r["message_id"] for r in stored(store_url)] == MIXED_STORED


def test_stdin_is_imported_with_a_dash(config, store_url):
    check_mixed_summary(*import_json(config, "-", stdin=MIXED))
    assert [r["message_id"] for r in stored(store_url)] == MIXED_STORED


def test_importing_the_same_file_again_stores_nothing_twice(config, store_url, tmp_path):
    path = tmp_path / "events.jsonl.gz"
    path.write_bytes(gzip.compress(MIXED))
    import_json(config, path)
    code, again = import_json(config, path)
    assert code == 1
    assert (again["accepted"], again["duplicates"]) == (0, 6)
    assert {(r["line"], r["messageId"], r["field"], r["reason"]) for r in again["rejections"]} == MIXED_REJECTED
    code, from_stdin = import_json(config, "-", stdin=MIXED)
    assert (from_stdin["accepted"], from_stdin["duplicates"]) == (0, 6)
    assert [r["message_id"] for r in stored(store_url)] == MIXED_STORED


def test_a_clean_file_with_blank_lines_exits_zero_and_prints_a_summary(config, store_url, tmp_path):
    path = tmp_path / "clean.jsonl"
    path.write_bytes(b"\n\n" + jsonl(msg("c1"), "", msg("c2")) + b"\n   \n\t\n" + jsonl(msg("c3")).rstrip(b"\n"))
    result = omotenashi("import", path, "--source", "web", "--config", config)
    assert result.exit_code == 0, result.output
    assert "accepted 3, duplicates 0" in result.stdout
    assert "rejected" not in result.stdout
    assert [r["message_id"] for r in stored(store_url)] == ["c1", "c2", "c3"]


def test_the_human_summary_names_the_line_of_each_rejection(config, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(MIXED)
    result = omotenashi("import", path, "--source", "web", "--config", config)
    assert result.exit_code == 1
    out = result.stdout
    assert "accepted 5, duplicates 1" in out
    assert "rejected missing_event: 1" in out and "rejected malformed_json: 1" in out
    assert "line 4: event: missing_event:" in out
    assert "line 11: type: unknown_type:" in out
    assert "line 12: userId: missing_identity:" in out


def test_bad_lines_around_a_chunk_boundary_lose_none_of_the_good_ones(config, store_url, tmp_path):
    from omotenashi.intake.service import IMPORT_CHUNK

    bad = {IMPORT_CHUNK - 1, IMPORT_CHUNK, IMPORT_CHUNK + 1, IMPORT_CHUNK + 3}
    total = IMPORT_CHUNK + 5
    lines = ["{oops" if n in bad else msg(f"n{n}", f"u{n % 50}") for n in range(1, total + 1)]
    path = tmp_path / "big.jsonl"
    path.write_bytes(jsonl(*lines))
    code, summary = import_json(config, path)
    assert code == 1
    assert summary["accepted"] == total - len(bad)
    assert {r["line"] for r in summary["rejections"]} == bad
    ids = {r["message_id"] for r in stored(store_url)}
    assert ids == {f"n{n}" for n in range(1, total + 1) if n not in bad}


def test_historical_timestamps_are_kept_as_given(config, store_url, tmp_path):
    exported = {"sentAt": "1997-03-14T09:30:02.000Z", "receivedAt": "1997-03-14T09:30:02.000Z"}
    path = tmp_path / "1997.jsonl"
    path.write_bytes(
        jsonl(
            msg("old-1", timestamp=HISTORICAL),
            msg("old-2", timestamp=HISTORICAL, **exported),
            {"type": "identify", "messageId": "old-3", "userId": "u1", "originalTimestamp": HISTORICAL},
        )
    )
    code, summary = import_json(config, path)
    assert code == 0 and summary["accepted"] == 3, summary
    rows = {r["message_id"]: r for r in stored(store_url)}
    assert {mid: rows[mid]["ts"] for mid in rows} == {
        "old-1": HISTORICAL_MS,
        "old-2": HISTORICAL_MS,
        "old-3": HISTORICAL_MS,
    }
    assert all(r["flags"] == 0 for r in rows.values())
    assert rows["old-2"]["received_at"] == HISTORICAL_MS + 2000


def test_a_missing_file_is_a_clear_error(config, tmp_path):
    missing = tmp_path / "nowhere.jsonl"
    result = omotenashi("import", missing, "--source", "web", "--config", config)
    assert result.exit_code != 0
    assert f"no such file: {missing}" in result.stderr
    assert "hint:" in result.stderr and ".jsonl" in result.stderr
    assert "Traceback" not in result.output


def test_the_source_must_be_named_when_the_house_declares_several(config, store_url, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(jsonl(msg("s1")))
    result = omotenashi("import", path, "--config", config)
    assert result.exit_code == 1
    assert "--source" in result.stderr and "web" in result.stderr
    result = omotenashi("import", path, "--source", "kiosk", "--config", config)
    assert result.exit_code == 1 and "no source `kiosk`" in result.stderr
    assert stored(store_url) == []


def test_a_bulk_import_stores_every_field_of_every_message(config, store_url, tmp_path):
    # Over BULK_ROWS a chunk goes into the log in multi-row statements on SQLite: every column must still land
    # in its place, for every kind of message.
    from omotenashi.store.events import BULK_ROWS

    total = BULK_ROWS + 234
    messages: list[dict[str, Any]] = []
    for n in range(total):
        at = f"2026-01-{n % 28 + 1:02d}T10:{n % 60:02d}:00.000Z"
        if n % 3 == 0:
            messages.append(msg(f"b{n}", f"u{n}", f"Event {n % 7}", properties={"n": n}, timestamp=at))
        elif n % 3 == 1:
            messages.append(
                {"type": "identify", "messageId": f"b{n}", "anonymousId": f"a{n}", "traits": {"n": n}, "timestamp": at}
            )
        else:
            messages.append(
                {"type": "page", "messageId": f"b{n}", "userId": f"u{n}", "name": f"Page {n}", "timestamp": at}
            )
    path = tmp_path / "bulk.jsonl"
    path.write_bytes(jsonl(*messages))
    code, summary = import_json(config, path)
    assert code == 0 and summary["accepted"] == total, summary
    rows = {r["message_id"]: r for r in stored(store_url)}
    assert len(rows) == total
    for n, m in enumerate(messages):
        row = rows[m["messageId"]]
        when = int(datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00")).timestamp() * 1000)
        assert (row["type"], row["user_id"], row["anonymous_id"], row["ts"]) == (
            m["type"],
            m.get("userId"),
            m.get("anonymousId"),
            when,
        ), n
        assert (row["event"], row["name"]) == (m.get("event"), m.get("name")), n
        assert json.loads(row["properties"] or "null") == m.get("properties"), n
        assert json.loads(row["traits"] or "null") == m.get("traits"), n
        assert (row["workspace_id"], row["source_id"], row["flags"]) == ("shop", "web", 0), n
