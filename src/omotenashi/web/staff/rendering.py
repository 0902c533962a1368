"""Render a staff page in the signed-in staff member's language, with what every staff template needs.

Every staff template gets `_` (translate), `lang`, `staff` (the signed-in member or None), `csrf` (put it in every
form as `<input type="hidden" name="csrf" value="{{ csrf }}">`), `languages`, `role_label` and `when` (epoch ms as a
date and time in the workspace's timezone and the reader's language).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from omotenashi.core.clock import from_epoch_ms, iso
from omotenashi.i18n import LANGUAGE_NAMES, language_from_header, translator
from omotenashi.staff.permissions import ROLE_LABELS, Role, allowed
from omotenashi.web.staff.auth import session_of

templates = Jinja2Templates(directory=str(resources.files("omotenashi.web") / "templates"))
templates.env.filters["iso"] = iso

# Staff pages hold customers' data: never cached, never framed, and they load nothing from other sites.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def language_of(request: Request) -> str:
    """The signed-in member's language, else the first of ours the browser asks for."""
    session = session_of(request)
    if session is not None:
        return session.member.language
    return language_from_header(request.headers.get("accept-language"))


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A staff page: `template` rendered with `context` and the staff context (values in `context` win)."""
    session = session_of(request)
    lang = language_of(request)
    _ = translator(lang)
    zone = ZoneInfo("UTC")
    if session is not None:
        zone = ZoneInfo(request.app.state.runtime.houses[session.member.workspace_id].house.timezone)

    def when(ms: int, style: str = "medium") -> str:
        return format_datetime(from_epoch_ms(ms), style, tzinfo=zone, locale=lang)

    def role_label(role: str) -> str:
        return _(ROLE_LABELS[Role(role)]) if role in ROLE_LABELS else role

    def can(action: str) -> bool:
        return session is not None and allowed(session.member.role, action)

    full: dict[str, Any] = {
        "_": _,
        "lang": lang,
        "can": can,
        "staff": session.member if session else None,
        "csrf": session.csrf if session else "",
        "languages": LANGUAGE_NAMES,
        "role_label": role_label,
        "when": when,
        # Pages of capabilities the workspace's house file turns on (the care queue needs a `care:` section).
        "care_on": session is not None and session.member.workspace_id in request.app.state.runtime.care.workspaces,
    }
    full.update(context or {})
    return templates.TemplateResponse(
        request, template, full, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})}
    )
