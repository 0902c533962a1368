"""Suppressed identities, workspace isolation, concurrent writers and durability."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import httpx

from omotenashi.bootstrap import build
from omotenashi.config.settings import Settings
from omotenashi.core.ids import keyed_hash
from omotenashi.intake.status import status_of_store
from omotenashi.store import suppressions, workspaces
from tests.conftest import write_house
from tests.integration.test_tracking_api import stored
from tests.support import create_key, live_server, track


def test_events_of_a_suppressed_identity_are_acknowledged_and_stored_nowhere(runtime, server, write_key):
    with runtime.engines.write.begin() as conn:
        secret = workspaces.workspace_secret(conn, "shop")
        suppressions.add(conn, "shop", keyed_hash(secret, "user_id", "gone"), "erased", 0)
    r = httpx.post(
        f"{server}/v1/batch",
        json={"batch": [track("gone"), {"type": "page", "anonymousId": "x", "userId": "gone"}, track("here")]},
        auth=(write_key, ""),
    )
    assert r.status_code == 200
    assert r.json()["accepted"] == 3  # so the client does not retry
    assert [row["user_id"] for row in stored(runtime)] == ["here"]
    (status,) = status_of_store(runtime.engines, ["shop"])
    assert status["suppressed"] == 2 and status["events"] == 1


def test_a_write_key_only_ever_reaches_its_own_workspace(tmp_path: Path, store_url: str):
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    a = write_house(a_dir)
    b = write_house(b_dir, workspace={"id": "other", "name": "Other company"})
    rt = build(Settings(house_file=a, store_url=store_url), [a, b])
    try:
        key_a = create_key(rt, "web", "shop")
        key_b = create_key(rt, "web", "other")
        with live_server(rt) as url:
            assert httpx.post(f"{url}/v1/track", json=track("same-id"), auth=(key_a, "")).json()["accepted"] == 1
            body = httpx.post(f"{url}/v1/batch", json={"batch": [track("same-id")] * 3}, auth=(key_b, "")).json()
            assert body["accepted"] == 1 and body["duplicates"] == 2
            # The same messageId in two workspaces is two different messages.
            msg = track("u1")
            httpx.post(f"{url}/v1/track", json=msg, auth=(key_a, ""))
            assert httpx.post(f"{url}/v1/track", json=msg, auth=(key_b, "")).json()["accepted"] == 1
            # A key reads only its own workspace's status.
            st = httpx.get(f"{url}/api/status", auth=(key_b, ""))
            assert st.status_code == 200 and [s["workspace"] for s in st.json()] == ["other"]
            assert httpx.get(f"{url}/api/status").status_code == 401
        rows = stored(rt)
        assert {(r["workspace_id"], r["user_id"]) for r in rows} == {
            ("shop", "same-id"),
            ("shop", "u1"),
            ("other", "same-id"),
            ("other", "u1"),
        }
        statuses = {s["workspace"]: s for s in status_of_store(rt.engines, ["shop", "other"])}
        assert statuses["shop"]["events"] == 2 and statuses["other"]["events"] == 2
        assert statuses["other"]["duplicates"] == 2 and statuses["shop"]["duplicates"] == 0
    finally:
        rt.close()


def test_concurrent_requests_are_all_committed_without_lock_errors(runtime, server, write_key):
    def send(n: int) -> tuple[int, int]:
        with httpx.Client(auth=(write_key, "")) as client:
            accepted = 0
            for k in range(5):
                r = client.post(f"{server}/v1/batch", json={"batch": [track(f"c{n}-{k}-{i}") for i in range(40)]})
                assert r.status_code == 200, r.text
                accepted += r.json()["accepted"]
            return n, accepted

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(send, range(16)))
    assert sum(a for _, a in results) == 16 * 5 * 40
    assert len(stored(runtime)) == 16 * 5 * 40
    # The writer grouped concurrent requests into fewer transactions than requests.
    assert runtime.writer.commits <= 16 * 5
