"""Helpers of the care tests: a house file with a `care:` section, a clock the test moves, events that plant friction,
and real HTTP receivers for webhooks and Slack-compatible notes."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.core.clock import from_epoch_ms, iso
from tests.conftest import write_house
from tests.support import free_port

T0 = 1_780_000_000_000  # 2026-05-28 20:26:40 UTC (05:26 the next day in Tokyo)
HOUR = 3_600_000
DAY = 24 * HOUR


class MovingClock:
    """The runtime's clock, moved by the test."""

    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> datetime:
        return from_epoch_ms(self.ms)


def rage_playbook(**changes: Any) -> dict[str, Any]:
    """The playbook on rage clicks: a message to review, a suggested credit, no holdout (unless changed)."""
    playbook: dict[str, Any] = {
        "title": {"en": "Rage clicks: offer help", "ja": "連打：お手伝いを申し出る"},
        "when": {"signal": "rage_click"},
        "then": {
            "message": {"template": "stuck", "channel": "email"},
            "owner": {"team": "support"},
            "due_hours": 4,
            "priority": "high",
            "goodwill": {"kind": "credit", "value": 10, "reason": "service_failure"},
        },
        "outcome": {"recovered_when": "signal_resolved", "within_days": 7},
        "holdout_share": 0,
    }
    playbook.update(changes)
    return {key: value for key, value in playbook.items() if value is not None}


def care_section(**changes: Any) -> dict[str, Any]:
    """A care section: two frontline members, an e-mail channel, one playbook on rage clicks (no holdout)."""
    section: dict[str, Any] = {
        "teams": {"support": {"members": ["ann@example.com", "ben@example.com"], "routing": "round_robin"}},
        "channels": {"email": {"type": "folder", "path": "outbox", "sender": "Care <care@shop.example>"}},
        "templates": {
            "stuck": {
                "subject": {"en": "Can we help with {{ step }}?", "ja": "{{ step }}でお困りではありませんか"},
                "body": {
                    "en": "Hello {{ first_name }},\nit looked like the button did not answer. {{ owner_name }}",
                    "ja": "{{ name }}様\nボタンが反応しなかったようです。{{ owner_name }}",
                },
                "tones": {"casual": {"subject": {"en": "Hey {{ first_name }}, stuck?"}, "body": {"en": "Hey!"}}},
            },
            "help_now": {  # nothing a signal without a journey step leaves empty: it can go by itself
                "subject": {"en": "Can we help, {{ first_name }}?", "ja": "{{ name }}様、お手伝いしましょうか"},
                "body": {
                    "en": "Hello {{ first_name }},\n{{ owner_name }} here: it looked like the button did not answer.",
                    "ja": "{{ name }}様\n{{ owner_name }}です。ボタンが反応しなかったようです。",
                },
            },
        },
        "playbooks": {"rage_help": rage_playbook()},
        "caps": {"max_contacts": 1, "per_days": 7, "quiet_hours": ""},
        "goodwill": {"currency": "EUR", "per_person": 100, "approval_above": 50},
    }
    section.update(changes)
    return section


def care_runtime(folder: Path, store_url: str, clock: MovingClock, **care: Any) -> Runtime:
    path = write_house(folder, care=care_section(**care))
    return build(Settings(house_file=path, store_url=store_url), [path], clock=clock)


def message(user: str, ms: int, **body: Any) -> bytes:
    body.setdefault("type", "track")
    body.setdefault("userId", user)
    body.setdefault("anonymousId", f"{user}-web")
    body.setdefault("messageId", uuid.uuid4().hex)
    body["timestamp"] = iso(T0 + ms)
    return json.dumps(body).encode()


def who(user: str, ms: int = 0, **traits: Any) -> bytes:
    traits.setdefault("email", f"{user}@example.com")
    traits.setdefault("name", f"{user.title()} Tanaka")
    return message(user, ms, type="identify", traits=traits)


def rage(user: str, ms: int, clicks: int = 3) -> list[bytes]:
    props = {"selector": "button.export", "text": "Export", "x": 100, "y": 40, "page": "/app/reports"}
    return [message(user, ms + 250 * k, event="Element Clicked", properties=props) for k in range(clicks)]


def send(runtime: Runtime, lines: list[bytes], source: str = "web") -> None:
    """Through intake, every follower, friction's settling, and care's evaluation."""
    report = runtime.intake.import_lines(lines, runtime.intake.source("shop", source))
    assert not report.rejected, report.rejected
    runtime.follower.drain()
    runtime.friction.tick(flush=True)
    runtime.care.evaluate()


@dataclass
class Receiver:
    """A real HTTP server that answers with the statuses it is given, in turn, and keeps what it received."""

    url: str
    statuses: list[int]
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@contextmanager
def receiver(*statuses: int) -> Iterator[Receiver]:
    port = free_port()
    got = Receiver(f"http://127.0.0.1:{port}/hook", list(statuses))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            got.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = got.statuses.pop(0) if got.statuses else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"not now")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()
