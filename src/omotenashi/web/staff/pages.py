"""Staff pages: sign in, sign out, the home page, and switching language."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from omotenashi.bootstrap import Runtime
from omotenashi.care import queue as care_queue
from omotenashi.friction import explain
from omotenashi.i18n import N_
from omotenashi.staff import accounts, sessions
from omotenashi.staff.permissions import ACTION_LABELS, Action, allowed, allowed_actions
from omotenashi.staff.sessions import StaffSession
from omotenashi.store import signals as signals_repo
from omotenashi.web.staff.auth import (
    SIGN_IN_PATH,
    csrf_protect,
    current_staff,
    now_ms,
    safe_next,
    session_of,
)
from omotenashi.web.staff.forms import read_form
from omotenashi.web.staff.rendering import render
from omotenashi.web.throttle import Throttle, client_address

router = APIRouter(include_in_schema=False)

# Before there is a session, the sign-in form is tied to the browser by a double-submit cookie instead.
SIGN_IN_COOKIE = "omotenashi_sign_in"
# Every failed sign-in waits as long, whatever failed, so timing tells nothing and guessing is slow.
FAILED_SIGN_IN_DELAY = 0.4
HOME_ITEMS = 5  # the member's own care items on the home page, most urgent first

WRONG_CREDENTIALS = N_("The email or password is not right, or this account cannot sign in.")
FORM_EXPIRED = N_("The sign-in form had expired. Please try again.")
TOO_MANY_FAILURES = N_("Too many failed sign-ins from your network. Please try again in %(minutes)s minutes.")


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _sign_in_page(
    request: Request,
    *,
    next_page: str | None,
    error: str | None = None,
    error_args: dict[str, object] | None = None,
    email: str = "",
    workspace: str | None = None,
    status_code: int = 200,
) -> Response:
    runtime = _runtime(request)
    token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    context = {
        "csrf": token,
        "next": safe_next(next_page),
        "error": error,
        "error_args": error_args or {},
        "email": email,
        "workspace": workspace,
        "workspaces": {wid: loaded.house.workspace.name for wid, loaded in runtime.houses.items()},
    }
    response = render(request, "staff/sign_in.html", context, status_code=status_code)
    response.set_cookie(
        SIGN_IN_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path=SIGN_IN_PATH
    )
    return response


@router.get(SIGN_IN_PATH)
def sign_in_form(request: Request, next_page: Annotated[str | None, Query(alias="next")] = None) -> Response:
    if session_of(request) is not None:
        return RedirectResponse(safe_next(next_page), status_code=303)
    return _sign_in_page(request, next_page=next_page)


@router.post(SIGN_IN_PATH)
def sign_in(request: Request, form: Annotated[dict[str, str], Depends(read_form)]) -> Response:
    runtime = _runtime(request)
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    presented = form.get("csrf", "")
    if not expected or not hmac.compare_digest(expected.encode(), presented.encode()):
        return _sign_in_page(request, next_page=form.get("next"), error=FORM_EXPIRED, status_code=403)
    workspace = form.get("workspace") or next(iter(runtime.houses))
    email, address = form.get("email", ""), client_address(request)
    throttle: Throttle = request.app.state.throttle
    refused = throttle.staff_refusal(workspace, email, address)
    if refused is not None:
        response = _sign_in_page(
            request,
            next_page=form.get("next"),
            error=TOO_MANY_FAILURES,
            error_args={"minutes": refused.minutes},
            email=email,
            workspace=workspace,
            status_code=429,
        )
        response.headers.update(refused.headers)
        return response
    member = None
    if workspace in runtime.houses:
        with runtime.engines.read.connect() as conn:
            member = accounts.authenticate(conn, workspace, email, form.get("password", ""))
    if member is None:
        throttle.staff_failed(workspace, email, address)
        time.sleep(FAILED_SIGN_IN_DELAY)
        return _sign_in_page(
            request,
            next_page=form.get("next"),
            error=WRONG_CREDENTIALS,
            email=form.get("email", ""),
            workspace=workspace,
        )
    throttle.staff_signed_in(workspace, email, address)
    old = request.cookies.get(sessions.COOKIE)
    signed_in = member
    opened = runtime.writer.call(lambda conn: sessions.open_session(conn, signed_in, now=now_ms(), replacing=old))
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    response.set_cookie(
        sessions.COOKIE,
        opened.token,
        max_age=int(sessions.LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    return response


@router.post("/staff/sign-out")
def sign_out(request: Request, _: Annotated[StaffSession, Depends(csrf_protect)]) -> Response:
    token = request.cookies.get(sessions.COOKIE, "")
    _runtime(request).writer.call(lambda conn: sessions.end_session(conn, token, now=now_ms()))
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@router.get("/staff/")
def home(request: Request, session: Annotated[StaffSession, Depends(current_staff)]) -> Response:
    """Where a shift starts: the member's own care items, the queue's figures, and the friction open now."""
    member = session.member
    runtime = _runtime(request)
    wid = member.workspace_id
    house = runtime.houses[wid].house
    mine: list[care_queue.Row] | None = None
    mine_total = 0
    queue: dict[str, int] = {}
    if house.care is not None and allowed(member.role, Action.WORK_CARE):
        mine = runtime.care.queue(member, "mine", limit=HOME_ITEMS)
        mine_total = runtime.care.open_of(member)
        queue = runtime.care.counts(wid)
    friction: list[dict[str, object]] = []
    if house.friction.enabled and allowed(member.role, Action.VIEW_CUSTOMER):
        with runtime.engines.read.connect() as conn:
            counts = signals_repo.counts(conn, wid)
        open_now = sorted(((n, kind) for (kind, status), n in counts.items() if status == "open"), reverse=True)
        friction = [{"kind": k, "title": explain.title(k, member.language), "n": n} for n, k in open_now]
    return render(
        request,
        "staff/home.html",
        {
            "workspace_name": house.workspace.name,
            "can_view_customers": allowed(member.role, Action.VIEW_CUSTOMER),
            "actions": [ACTION_LABELS[a] for a in allowed_actions(member.role)],
            "expires_at": session.expires_at,
            "mine": mine,
            "mine_total": mine_total,
            "queue": queue,
            "friction": friction,
        },
    )


@router.post("/staff/language")
def change_language(
    request: Request,
    session: Annotated[StaffSession, Depends(csrf_protect)],
    form: Annotated[dict[str, str], Depends(read_form)],
) -> Response:
    language = form.get("language", "")
    _runtime(request).writer.call(lambda conn: accounts.change_language(conn, session.member, language))
    return RedirectResponse(safe_next(form.get("next")), status_code=303)
