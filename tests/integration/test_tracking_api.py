"""The tracking API over real HTTP, on real SQLite and real PostgreSQL."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from omotenashi.bootstrap import Runtime
from tests.support import track


def stored(runtime: Runtime, where: str = "1=1") -> list[dict[str, Any]]:
    with runtime.engines.read.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT * FROM events WHERE {where} ORDER BY seq"))  # noqa: S608
        return [dict(r._mapping) for r in rows]


def post(server: str, key: str | None, path: str, body: Any, **kw: Any) -> httpx.Response:
    auth = (key, "") if key else None
    return httpx.post(f"{server}{path}", json=body, auth=auth, **kw)


def test_batch_stores_valid_messages_and_reports_each_invalid_one(runtime, server, write_key):
    good = [track("u1"), track("u2", "Cart Viewed", properties={"items": [{"sku": "a", "qty": 2}]})]
    bad = [
        {"type": "track", "messageId": "no-id", "event": "X"},
        {"type": "track", "messageId": "no-event", "userId": "u3"},
        {"type": "track", "messageId": "bad-props", "userId": "u3", "event": "X", "properties": [1]},
        {"type": "teleport", "messageId": "bad-type", "userId": "u3"},
        {"type": "track", "messageId": "bad-user", "userId": {"id": 1}, "event": "X"},
        {"type": "track", "messageId": "bad-time", "userId": "u3", "event": "X", "timestamp": "yesterday"},
        7,
    ]
    r = post(server, write_key, "/v1/batch", {"batch": [good[0], *bad, good[1]]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True and body["accepted"] == 2 and body["duplicates"] == 0
    got = {(x["index"], x["messageId"], x["field"], x["reason"]) for x in body["rejected"]}
    assert got == {
        (1, "no-id", "userId", "missing_identity"),
        (2, "no-event", "event", "missing_event"),
        (3, "bad-props", "properties", "wrong_type"),
        (4, "bad-type", "type", "unknown_type"),
        (5, "bad-user", "userId", "wrong_type"),
        (6, "bad-time", "timestamp", "invalid_timestamp"),
        (7, None, "", "not_an_object"),
    }
    assert all(x["hint"] for x in body["rejected"])
    rows = stored(runtime)
    assert [r["message_id"] for r in rows] == [good[0]["messageId"], good[1]["messageId"]]
    assert json.loads(rows[1]["properties"]) == {"items": [{"sku": "a", "qty": 2}]}
    assert rows[0]["purposes"] == "service,care"  # analytics is opt-in and nobody granted it


def test_a_retried_batch_stores_nothing_twice(runtime, server, write_key):
    batch = {"batch": [track("u1"), track("u2"), track("u1")]}
    first = post(server, write_key, "/v1/batch", batch).json()
    again = post(server, write_key, "/v1/batch", batch).json()
    assert (first["accepted"], first["duplicates"]) == (3, 0)
    assert (again["accepted"], again["duplicates"]) == (0, 3)
    inner = {"batch": [track("u9")] * 2}
    assert post(server, write_key, "/v1/batch", inner).json()["duplicates"] == 1
    assert len(stored(runtime)) == 4


def test_messages_without_a_message_id_dedupe_by_content(runtime, server, write_key):
    msg = {"type": "track", "userId": "u1", "event": "Signed Up", "timestamp": "2026-11-01T10:00:00Z"}
    assert post(server, write_key, "/v1/track", msg).json()["accepted"] == 1
    assert post(server, write_key, "/v1/track", msg).json()["duplicates"] == 1
    assert stored(runtime)[0]["message_id"].startswith("content-")


@pytest.mark.parametrize("kind", ["track", "identify", "page", "screen", "group", "alias"])
def test_every_single_message_endpoint(runtime, server, write_key, kind):
    msg: dict[str, Any] = {"userId": "u1", "messageId": f"m-{kind}"}
    msg.update(
        {
            "track": {"event": "Viewed"},
            "identify": {"traits": {"email": "a@example.com"}},
            "page": {"name": "Home"},
            "screen": {"name": "Settings"},
            "group": {"groupId": "acme"},
            "alias": {"previousId": "anon-1"},
        }[kind]
    )
    r = post(server, write_key, f"/v1/{kind}", msg)
    assert r.status_code == 200, r.text
    (row,) = stored(runtime)
    assert row["type"] == kind


def test_size_limits_name_the_limit(runtime, server, write_key):
    big = track("u1", properties={"blob": "x" * 40_000})
    r = post(server, write_key, "/v1/track", big)
    assert r.status_code == 413 and "32 KB" in r.json()["message"]
    r = post(server, write_key, "/v1/batch", {"batch": [big, track("u2")]})
    assert r.status_code == 200
    assert r.json()["rejected"][0]["reason"] == "message_too_large"
    assert r.json()["accepted"] == 1
    many = {"batch": [track("u1", properties={"blob": "y" * 30_000}) for _ in range(20)]}
    r = post(server, write_key, "/v1/batch", many)
    assert r.status_code == 413 and "500 KB" in r.json()["message"]
    assert len(stored(runtime)) == 1


def test_malformed_json_says_where_it_broke(runtime, server, write_key):
    r = httpx.post(f"{server}/v1/batch", content=b'{"batch": [{"type": "track",]}', auth=(write_key, ""))
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "bad_request" and "byte" in body["where"] and body["hint"]
    r = post(server, write_key, "/v1/batch", {"messages": []})
    assert r.status_code == 400 and "batch" in r.json()["message"]


def test_write_keys_basic_auth_body_unknown_and_revoked(runtime, server, write_key):
    assert post(server, None, "/v1/track", track("u1")).status_code == 401
    assert post(server, "wk_nope", "/v1/track", track("u1")).status_code == 401
    in_body = post(server, None, "/v1/batch", {"batch": [track("u2")], "writeKey": write_key})
    assert in_body.status_code == 200 and in_body.json()["accepted"] == 1
    single_body = post(server, None, "/v1/track", {**track("u3"), "writeKey": write_key})
    assert single_body.status_code == 200
    from omotenashi.store import workspaces

    with runtime.engines.write.begin() as conn:
        assert workspaces.revoke_key(conn, "shop", write_key[:10]) == 1
    r = post(server, write_key, "/v1/track", track("u4"))
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert len(stored(runtime)) == 2


def test_gzip_bodies(runtime, server, write_key):
    body = gzip.compress(json.dumps({"batch": [track("u1"), track("u2")]}).encode())
    r = httpx.post(
        f"{server}/v1/batch",
        content=body,
        auth=(write_key, ""),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert r.status_code == 200 and r.json()["accepted"] == 2
    r = httpx.post(
        f"{server}/v1/batch", content=b"not gzip", auth=(write_key, ""), headers={"Content-Encoding": "gzip"}
    )
    assert r.status_code == 400


def test_clock_skew_is_corrected_and_far_future_clamped(runtime, server, write_key):
    # The client's clock is 1 hour fast: sentAt and timestamp both read an hour ahead.
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    fast = now + timedelta(hours=1)
    msg = track("u1", timestamp=(fast - timedelta(minutes=5)).isoformat(), sentAt=fast.isoformat())
    future = track("u2", timestamp=(now + timedelta(days=3)).isoformat())
    r = post(server, write_key, "/v1/batch", {"batch": [msg, future]})
    assert r.json()["accepted"] == 2
    skewed, clamped = stored(runtime)
    expected = (now - timedelta(minutes=5)).timestamp() * 1000
    assert abs(skewed["ts"] - expected) < 5_000
    assert skewed["flags"] == 0
    assert clamped["flags"] == 1 and abs(clamped["ts"] - clamped["received_at"]) == 0


def test_no_input_makes_the_server_answer_5xx(runtime, server, write_key):
    bodies = [
        b"",
        b"null",
        b"[]",
        b'{"batch": null}',
        b'{"batch": [null]}',
        b'{"batch": "x"}',
        b"\xff\xfe",
        b'{"batch": [{"type": "track", "userId": "u", "event": "E", "context": {"consent": 5}}]}',
        b'{"batch": [{"type": "track", "userId": "u", "event": "Consent Granted", "properties": {"purpose": 3}}]}',
        b'{"batch": [{"type": "identify", "userId": 12345678901234567890123}]}',
    ]
    for body in bodies:
        for path in ("/v1/batch", "/v1/track"):
            r = httpx.post(f"{server}{path}", content=body, auth=(write_key, ""))
            assert r.status_code < 500, (body, path, r.text)
            assert "code" in r.json() or r.json().get("success")
    broken_utf8 = b'{"batch": [{"type": "track", "userId": "u", "event": "E", "properties": {"a": "\xff\xfe"}}]}'
    r = httpx.post(f"{server}/v1/batch", content=broken_utf8, auth=(write_key, ""))
    assert r.status_code == 400 and r.json()["rejected"][0]["reason"] == "invalid_utf8"
    bad_auth = httpx.post(f"{server}/v1/track", content=b"{}", headers={"Authorization": "Basic !!!"})
    assert bad_auth.status_code == 400
