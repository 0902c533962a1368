"""Render a portal page in the reader's language, with what every portal template needs.

The language is the `?lang=` of the address (remembered in a cookie), else that cookie, else the first of ours the
browser's `Accept-Language` asks for. Every portal template gets `_`, `lang`, `languages`, `switch_to(code)` (this
page in another language), `company` (the workspace's name), `customer` (the portal session or None), `csrf`,
`when(epoch_ms)` and `day(epoch_ms)` in the workspace's timezone and the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from omotenashi.bootstrap import Runtime
from omotenashi.core.clock import from_epoch_ms
from omotenashi.i18n import LANGUAGE_NAMES, LANGUAGES, language_from_header, translator
from omotenashi.web.portal.auth import session_of
from omotenashi.web.staff.rendering import SECURITY_HEADERS

templates = Jinja2Templates(directory=str(resources.files("omotenashi.web") / "templates"))

LANG_COOKIE = "omotenashi_portal_lang"
LANG_COOKIE_DAYS = 365


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def workspace_of(request: Request) -> str:
    """The workspace the page is about: the signed-in customer's, else `?w=`, else the first one served."""
    runtime = runtime_of(request)
    pinned = getattr(request.state, "portal_workspace", None)
    if pinned in runtime.houses:
        return str(pinned)
    session = session_of(request)
    if session is not None:
        return session.workspace_id
    asked = request.query_params.get("w")
    return asked if asked in runtime.houses else next(iter(runtime.houses))


def language_of(request: Request) -> str:
    """`?lang=`, else the language the reader chose before, else the browser's."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return language_from_header(request.headers.get("accept-language"))


def _switch_to(request: Request, page_path: str | None) -> Any:
    """A function giving this page's address in another language (the page a form led to, after a post)."""
    if page_path is None and request.method == "GET":
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        path = request.url.path
    else:
        query, path = [], page_path or "/portal/"

    def switch_to(code: str) -> str:
        return f"{path}?{urlencode([*query, ('lang', code)])}"

    return switch_to


def date_words(request: Request) -> tuple[Callable[..., str], Callable[[int], str]]:
    """`when(epoch_ms, style)` and `day(epoch_ms)` in the workspace's timezone and the reader's language."""
    lang = language_of(request)
    zone = ZoneInfo(runtime_of(request).house_files[workspace_of(request)].timezone)

    def when(ms: int, style: str = "medium") -> str:
        return format_datetime(from_epoch_ms(ms), style, tzinfo=zone, locale=lang)

    def day(ms: int) -> str:
        return format_date(from_epoch_ms(ms).astimezone(zone).date(), "medium", locale=lang)

    return when, day


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A portal page: `template` rendered with `context` and the portal context (values in `context` win)."""
    runtime = runtime_of(request)
    lang = language_of(request)
    _ = translator(lang)
    wid = workspace_of(request)
    house = runtime.house_files[wid]
    session = session_of(request)
    when, day = date_words(request)

    full: dict[str, Any] = {
        "_": _,
        "lang": lang,
        "languages": LANGUAGE_NAMES,
        "switch_to": _switch_to(request, (context or {}).get("page_path")),
        "company": house.workspace.name,
        "workspace_id": wid,
        "several_workspaces": len(runtime.houses) > 1,
        "customer": session,
        "csrf": session.csrf if session else "",
        "when": when,
        "day": day,
    }
    full.update(context or {})
    response = templates.TemplateResponse(
        request, template, full, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})}
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=LANG_COOKIE_DAYS * 86_400,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/portal",
        )
    return response
