"""Helpers for tests of the privacy portal: a house with a data map, a customer to look at, sign-in links, and a
real SMTP server (aiosmtpd) that keeps what it is sent."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from ruamel.yaml import YAML

from omotenashi.bootstrap import Runtime
from omotenashi.privacy import links
from omotenashi.store import workspaces
from tests.conftest import write_house
from tests.staff_support import add_staff, customer_of, feed, now_ms
from tests.support import free_port

DATA_MAP: dict[str, Any] = {
    "undeclared": "keep",
    "defaults": {
        "use": "essential.service",
        "legal_basis": "contract",
        "retention_days": 365,
        "description": {"en": "To serve you.", "ja": "サービスのためです。"},
    },
    "events": {
        "Order Completed": {
            "category": "user.behavior.purchase_history",
            "retention_days": 3650,
            "description": {"en": "Your orders, so we can deliver them.", "ja": "ご注文をお届けするための記録です。"},
            "kept_after_erasure": {"en": "Tax law: ten years.", "ja": "税法により10年間保存します。"},
            "properties": {"revenue": {}},
        },
        "Signed In": {"category": "user.authorization", "retention_days": 90},
        "Scrolled": {"category": "user.behavior", "use": "analytics", "legal_basis": "consent"},
    },
    "pages": {"category": "user.behavior.browsing_history", "retention_days": 180},
    "traits": {
        "name": {
            "category": "user.name",
            "description": {"en": "To address you by name.", "ja": "お名前でお呼びするためです。"},
        },
        "email": {"category": "user.contact.email"},
        "plan": {"category": "user.account"},
        "language": {"category": "user.demographic"},
    },
}


def portal_house(folder: Path) -> Path:
    """The test house file with the portal's data map (and no journeys, whose event names this map does not hold)."""
    path = write_house(folder, data_map=DATA_MAP)
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    data.pop("journeys", None)
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path


SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'


def aiko(runtime: Runtime, *, language: str = "en", hostile: bool = False) -> str:
    """A customer with traits, a preference, events of several kinds, a visible note and a staff view."""
    name = f"Aiko {SCRIPT}" if hostile else "Aiko Tanaka"
    feed(
        runtime,
        {"type": "page", "anonymousId": "a-aiko", "name": "Pricing"},
        {
            "type": "identify",
            "anonymousId": "a-aiko",
            "userId": "u-aiko",
            "traits": {
                "name": name,
                "email": "aiko@example.com",
                "plan": IMG if hostile else "gold",
                "language": language,
            },
        },
        {"type": "track", "userId": "u-aiko", "event": "Order Completed", "properties": {"revenue": 30, "note": "x"}},
        {"type": "track", "userId": "u-aiko", "event": "Order Completed", "properties": {"revenue": 12}},
        {"type": "track", "userId": "u-aiko", "event": "Signed In"},
        *([{"type": "track", "userId": "u-aiko", "event": IMG}] if hostile else []),
    )
    cid = customer_of(runtime, "user_id", "u-aiko")
    lee = add_staff(runtime, "lee@example.com", "lead", name="Lee Lead")
    runtime.memory.add_note(lee, cid, "We refunded the delayed parcel." if not hostile else f"Note {SCRIPT} {IMG}")
    runtime.memory.briefing(lee, cid, "en")
    return cid


def link_path(runtime: Runtime, customer_id: str, *, now: int | None = None) -> str:
    """A one-time sign-in link's path, made as the e-mail would carry it."""
    at = now_ms() if now is None else now
    token = runtime.writer.call(lambda conn: links.issue_link(conn, "shop", customer_id, now=at))
    assert token is not None
    return links.link_path(token)


def link_key(runtime: Runtime, workspace: str = "shop") -> bytes:
    with runtime.engines.read.connect() as conn:
        return links.link_key(workspaces.workspace_secret(conn, workspace))


def signed_path(
    runtime: Runtime, user_id: str, *, valid_for: timedelta = timedelta(minutes=5), now_s: int | None = None
) -> str:
    """A link the company's app would sign, as a path."""
    now = int(time.time()) if now_s is None else now_s
    url = links.signed_link("", link_key(runtime), "shop", user_id, now_s=now, valid_for=valid_for)
    return url


def portal_client(server: str, path: str) -> httpx.Client:
    """A client that followed a sign-in link (and so holds a portal session)."""
    client = httpx.Client(base_url=server, follow_redirects=False, timeout=15)
    shown = client.get(path)
    if path.startswith("/portal/link/"):  # an e-mailed link shows a page; its button uses the link
        assert shown.status_code == 200 and 'id="continue"' in shown.text, (shown.status_code, shown.text[:500])
        shown = client.post(path, data={"csrf": csrf_of(shown.text)})
    assert shown.status_code == 303 and shown.headers["location"] == "/portal/me", (shown.status_code, shown.text[:500])
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


# --- a real SMTP server -----------------------------------------------------------------------------------------


@dataclass
class Inbox:
    """What the SMTP server received, as parsed messages."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.arrived.wait(left)
            return list(self.messages)

    def link_in(self, message: EmailMessage) -> str:
        """The sign-in link's path, read from the plain-text part."""
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        found = re.search(r"https?://\S+/portal/link/\S+", body.get_content())
        assert found, body.get_content()
        return urlsplit(found.group(0)).path


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.inbox.arrived:
            self.inbox.messages.append(message)  # type: ignore[arg-type]
            self.inbox.arrived.notify_all()
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd), for as long as the block runs."""
    from aiosmtpd.controller import Controller

    port = free_port()
    inbox = Inbox("127.0.0.1", port)
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def use_mail(runtime: Runtime, inbox: Inbox, base_url: str | None = None) -> None:
    """Point the runtime's mail (and portal address) settings at the test SMTP server."""
    mail = runtime.settings.mail.model_copy(
        update={"host": inbox.host, "port": inbox.port, "sender": "privacy@shop.example"}
    )
    portal = runtime.settings.portal.model_copy(update={"base_url": base_url})
    runtime.settings = runtime.settings.model_copy(update={"mail": mail, "portal": portal})
