"""Helpers for tests: write keys, a live HTTP server on a free port, messages."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from omotenashi.bootstrap import Runtime
from omotenashi.core.ids import hash_write_key, new_write_key
from omotenashi.store import workspaces
from omotenashi.web.app import create_app


def create_key(runtime: Runtime, source: str = "web", workspace: str | None = None) -> str:
    """A live write key for a source, made the way `omotenashi keys create` makes one."""
    key = new_write_key()
    wid = workspace or next(iter(runtime.houses))
    with runtime.engines.write.begin() as conn:
        workspaces.add_key(conn, hash_write_key(key), key[:10], wid, source)
    return key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(runtime: Runtime) -> Iterator[str]:
    """Serve the runtime with uvicorn on 127.0.0.1 in a thread; yields the base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(runtime, close_on_shutdown=False), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
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


def track(user: str = "u1", event: str = "Order Completed", **extra: Any) -> dict[str, Any]:
    """A valid track message with a fresh messageId."""
    body: dict[str, Any] = {"type": "track", "messageId": uuid.uuid4().hex, "userId": user, "event": event}
    body.update(extra)
    return body
