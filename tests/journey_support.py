"""Helpers for journey tests: events with their own times, and an onboarding that leaks at its second step."""

from __future__ import annotations

import json
import uuid
from typing import Any

from omotenashi.bootstrap import Runtime
from omotenashi.core.clock import iso
from omotenashi.store import customers as customers_repo
from omotenashi.store.sql import driver_sql

DAY = 86_400_000
MIN = 60_000
T0 = 1_780_000_000_000


def send(runtime: Runtime, messages: list[dict[str, Any]]) -> None:
    lines = []
    for m in messages:
        body = {"type": "track", "messageId": uuid.uuid4().hex, **m}
        body["timestamp"] = iso(body.pop("at"))
        lines.append(json.dumps(body).encode())
    report = runtime.intake.import_lines(lines, runtime.intake.source("shop", "web"))
    assert not report.rejected
    runtime.follower.drain()


def onboarding_with_a_leak(runtime: Runtime) -> None:
    """40 customers start onboarding; 18 of the 38 who complete their profile go silent there for good."""
    steps = ("Account Created", "Profile Completed", "First Project Created", "Teammate Invited")
    messages: list[dict[str, Any]] = []
    for k in range(40):
        user = f"m{k:02d}"
        reached = 1 if k < 2 else (2 if k < 20 else (3 if k < 21 else 4))
        for index in range(reached):
            messages.append({"userId": user, "event": steps[index], "at": T0 + index * 10 * MIN + k * MIN})
        if reached == 4:  # those who finished keep using the product for a month
            messages.append({"userId": user, "event": "Task Created", "at": T0 + 30 * DAY + k * MIN})
    send(runtime, messages)
    base = customers_repo.find_identities
    with runtime.engines.read.connect() as conn:
        stuck = base(conn, "shop", [("user_id", "m05")])[("user_id", "m05")]

    def add_signal(conn: Any) -> None:
        sql = (
            "INSERT INTO signals (workspace_id, id, customer_id, kind, key, severity, status, first_seen, last_seen, "
            "evidence, details, journey, step, updated_at) VALUES ('shop', 'sig-1', ?, 'stall', 'onboarding:1', 2, "
            "'open', 1, 1, '[]', '{}', 'onboarding', 'Profile Completed', 1)"
        )
        conn.exec_driver_sql(driver_sql(conn, sql), (stuck,))

    runtime.writer.call(add_signal)
    runtime.journeys.refresh()
