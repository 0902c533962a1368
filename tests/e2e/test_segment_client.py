"""The official Segment Python library, pointed at a live omotenashi, on real SQLite and real PostgreSQL.

Between the library and the app sits a small ASGI wrapper that only watches the wire (and, for the retry test,
loses one response after the app has committed it, as a dropped connection would).
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from segment.analytics import Client

from omotenashi.bootstrap import Runtime
from omotenashi.web.app import create_app
from tests.support import free_port

GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class Seen:
    """One request as it arrived on the wire, and the status the client was given."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int = 0

    @property
    def batch(self) -> list[dict[str, Any]]:
        raw = gzip.decompress(self.body) if self.headers.get("content-encoding") == "gzip" else self.body
        messages: list[dict[str, Any]] = json.loads(raw)["batch"]
        return messages


@dataclass
class Wire:
    """An ASGI wrapper that records every request; the first `lose` answers are replaced by a 503."""

    app: Any
    lose: int = 0
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        seen = Seen(scope["path"], headers, body)
        self.seen.append(seen)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return dict(await receive())

        if self.lose > 0:
            self.lose -= 1
            answered: list[dict[str, Any]] = []

            async def swallow(message: dict[str, Any]) -> None:
                answered.append(message)

            await self.app(scope, replay, swallow)  # the app commits; its answer never reaches the client
            assert answered and answered[0]["status"] == 200
            seen.status = 503
            await send({"type": "http.response.start", "status": 503, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"connection lost"})
            return

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen.status = message["status"]
            await send(message)

        await self.app(scope, replay, watch)


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a thread; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def wire(runtime: Runtime) -> Wire:
    return Wire(create_app(runtime, close_on_shutdown=False))


@pytest.fixture
def host(wire: Wire) -> Iterator[str]:
    with serve(wire) as url:
        yield url


@dataclass
class Errors:
    """What the library reported through `on_error` (nothing, when all went well)."""

    items: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, exc: Exception, batch: list[dict[str, Any]]) -> None:
        self.items.append((repr(exc), len(batch)))


def segment_client(write_key: str, host: str, errors: Errors, **options: Any) -> Client:
    return Client(
        write_key,
        host=host,
        gzip=True,
        on_error=errors,
        upload_interval=0.05,
        max_retries=3,
        timeout=10,
        **options,
    )


def stored_rows(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.engines.read.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM events ORDER BY seq"))
        return [dict(r._mapping) for r in rows]


def send_one_of_each(client: Client) -> dict[str, str]:
    """Send every call the library has; messageId → type. Two ids are chosen by us, the rest by the library."""
    sent = [
        client.track("u1", "Order Completed", properties={"revenue": 12.5, "items": [{"sku": "a"}]}),
        client.identify("u1", traits={"email": "u1@example.com", "name": "Hanako"}),
        client.page("u1", category="Docs", name="Pricing", properties={"path": "/pricing"}),
        client.screen("u1", category="App", name="Settings"),
        client.group("u1", "acme", traits={"plan": "team"}),
        client.alias("anon-42", "u1"),
        client.track(anonymous_id="anon-7", event="Cart Viewed", message_id="chosen-1"),
        client.page(anonymous_id="anon-7", name="Home", message_id="chosen-2"),
    ]
    assert all(ok for ok, _ in sent)
    return {msg["messageId"]: msg["type"] for _, msg in sent}


def test_every_call_of_the_official_library_is_stored_once_and_sent_gzipped(runtime, write_key, wire, host):
    errors = Errors()
    client = segment_client(write_key, host, errors)
    sent = send_one_of_each(client)
    client.flush()
    client.shutdown()

    assert errors.items == []
    assert len(sent) == 8 and {"chosen-1", "chosen-2"} <= set(sent)
    requests = [s for s in wire.seen if s.path == "/v1/batch"]
    assert requests and all(s.status == 200 for s in requests)
    assert all(s.headers.get("content-encoding") == "gzip" and s.body[:2] == GZIP_MAGIC for s in requests)
    assert sorted(m["messageId"] for s in requests for m in s.batch) == sorted(sent)

    rows = stored_rows(runtime)
    assert Counter(r["message_id"] for r in rows) == Counter(set(sent))
    by_id = {r["message_id"]: r for r in rows}
    assert {mid: by_id[mid]["type"] for mid in sent} == sent
    assert all(r["source_id"] == "web" and r["workspace_id"] == "shop" for r in rows)

    by_type = {r["type"]: r for r in rows if r["user_id"] == "u1"}
    assert by_type["track"]["event"] == "Order Completed"
    assert json.loads(by_type["track"]["properties"]) == {"revenue": 12.5, "items": [{"sku": "a"}]}
    assert json.loads(by_type["identify"]["traits"]) == {"email": "u1@example.com", "name": "Hanako"}
    assert by_type["page"]["name"] == "Pricing"
    assert json.loads(by_type["page"]["properties"])["path"] == "/pricing"
    assert by_type["screen"]["name"] == "Settings"
    assert by_type["group"]["group_id"] == "acme"
    assert by_type["alias"]["previous_id"] == "anon-42"
    assert json.loads(by_type["track"]["context"])["library"]["name"] == "analytics-python"
    anonymous = [r for r in rows if r["anonymous_id"] == "anon-7"]
    assert {(r["message_id"], r["type"]) for r in anonymous} == {("chosen-1", "track"), ("chosen-2", "page")}


def test_a_retry_after_a_lost_response_stores_nothing_twice(runtime, write_key, wire, host):
    wire.lose = 1
    errors = Errors()
    client = segment_client(write_key, host, errors)
    sent = send_one_of_each(client)
    client.flush()
    client.shutdown()

    assert errors.items == []
    requests = [s for s in wire.seen if s.path == "/v1/batch"]
    assert [s.status for s in requests][:2] == [503, 200]
    first, retry = requests[0], requests[1]
    assert retry.headers.get("x-retry-count") == "1"
    assert [m["messageId"] for m in retry.batch] == [m["messageId"] for m in first.batch]
    assert all(s.body[:2] == GZIP_MAGIC for s in requests)

    rows = stored_rows(runtime)
    assert Counter(r["message_id"] for r in rows) == Counter(set(sent))
    from omotenashi.intake.status import status_of_store

    (status,) = status_of_store(runtime.engines, ["shop"])
    assert status["events"] == len(sent)
    assert status["duplicates"] == len(first.batch)


def test_the_same_message_id_sent_again_is_stored_once(runtime, write_key, wire, host):
    errors = Errors()
    client = segment_client(write_key, host, errors, sync_mode=True)
    for _ in range(3):
        client.track("u1", "Order Completed", properties={"revenue": 3}, message_id="order-1001")
    client.identify("u1", traits={"plan": "pro"}, message_id="identify-1")
    client.identify("u1", traits={"plan": "pro"}, message_id="identify-1")

    assert errors.items == []
    requests = [s for s in wire.seen if s.path == "/v1/batch"]
    assert len(requests) == 5 and all(s.status == 200 and s.body[:2] == GZIP_MAGIC for s in requests)
    rows = stored_rows(runtime)
    assert [(r["message_id"], r["type"]) for r in rows] == [("order-1001", "track"), ("identify-1", "identify")]
