"""Helpers for tests of the staff pages: staff members, signed-in HTTP clients, and customers fed through intake."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from omotenashi.bootstrap import Runtime
from omotenashi.core.clock import iso, to_epoch_ms, utc_now
from omotenashi.staff import accounts
from omotenashi.store import customers as repo
from omotenashi.store.staff import StaffMember

PASSWORD = "correct horse battery"
T0 = 1_780_000_000_000  # 2026-05-28, a fixed start for the events fed


def now_ms() -> int:
    return to_epoch_ms(utc_now())


def add_staff(
    runtime: Runtime,
    email: str = "ann@example.com",
    role: str = "frontline",
    *,
    language: str = "en",
    name: str = "Ann Abe",
) -> StaffMember:
    new = accounts.enrol("shop", email, name, role, PASSWORD, language=language, now=now_ms())
    member: StaffMember = runtime.writer.call(lambda conn: accounts.add(conn, new))
    return member


def form_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def signed_in(server: str, email: str = "ann@example.com") -> tuple[httpx.Client, str]:
    """A client with a live staff session, and the session's CSRF token."""
    c = httpx.Client(base_url=server, follow_redirects=False, timeout=10)
    page = c.get("/staff/sign-in")
    r = c.post("/staff/sign-in", data={"csrf": form_csrf(page.text), "email": email, "password": PASSWORD})
    assert r.status_code == 303, r.text
    home = c.get("/staff/")
    assert home.status_code == 200, home.text
    return c, form_csrf(home.text)


def feed(runtime: Runtime, *messages: dict[str, Any], source: str = "web") -> None:
    """Send messages through intake from a source (one minute apart from T0 on), and let memory follow."""
    fed: list[Any] = runtime.extras.setdefault("fed", [])  # type: ignore[assignment]
    lines = []
    for m in messages:
        m = {"messageId": uuid.uuid4().hex, **m}
        m.setdefault("timestamp", iso(T0 + len(fed) * 60_000))
        fed.append(m)
        lines.append(json.dumps(m).encode())
    report = runtime.intake.import_lines(lines, runtime.intake.source("shop", source))
    assert not report.rejected, report.rejected
    runtime.follower.drain()


def customer_of(runtime: Runtime, kind: str, value: str) -> str:
    """The customer (as one person) an identifier belongs to now."""
    with runtime.engines.read.connect() as conn:
        base = repo.find_identities(conn, "shop", [(kind, value)])[(kind, value)]
        return repo.root_of(conn, "shop", base)


def base_of(runtime: Runtime, kind: str, value: str) -> str:
    """The customer record an identifier was first seen with (merged or not)."""
    with runtime.engines.read.connect() as conn:
        return repo.find_identities(conn, "shop", [(kind, value)])[(kind, value)]


def rows(runtime: Runtime, sql: str, **params: Any) -> list[dict[str, Any]]:
    with runtime.engines.read.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]
