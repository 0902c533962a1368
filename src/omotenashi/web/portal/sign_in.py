"""Portal pages before and around signing in: ask for a link by e-mail, follow it, enter from the company's app,
sign out, and the public privacy notice.

Asking for a link always gets the same answer, at once, whether or not the address is known: looking the address
up, making the link and sending the e-mail all happen after the answer has gone (a background task), and a failure
there is only logged.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from sqlalchemy import Connection
from starlette.responses import RedirectResponse, Response

from omotenashi.bootstrap import Runtime
from omotenashi.core.errors import NotFound
from omotenashi.i18n import N_
from omotenashi.privacy import links, notice
from omotenashi.privacy.links import LinkRefused, PortalSession
from omotenashi.privacy.mailer import Mailer, SignInMail
from omotenashi.privacy.service import Identity
from omotenashi.store import workspaces
from omotenashi.web.portal.auth import COOKIE, PORTAL_HOME, csrf_protect, now_ms, session_of
from omotenashi.web.portal.notice_view import sections
from omotenashi.web.portal.problems import PortalPageRoute
from omotenashi.web.portal.rendering import language_of, render, runtime_of, workspace_of
from omotenashi.web.staff.forms import read_form
from omotenashi.web.throttle import Throttle, client_address

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False, route_class=PortalPageRoute)

ME_PATH = "/portal/me"
# Before there is a session, the sign-in form is tied to the browser by a double-submit cookie.
FORM_COOKIE = "omotenashi_portal_form"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_EMAIL_CHARS = 254

NOT_AN_ADDRESS = N_("Please enter your e-mail address, like name@example.com.")
FORM_EXPIRED = N_("The form had expired. Please try again.")
TOO_MANY_LINKS = N_(
    "Too many sign-in links were asked for from your network lately. Please try again in %(minutes)s minutes."
)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def portal_base(request: Request, runtime: Runtime) -> str:
    """The address put into links: the configured one; else this request's, when it names this very machine;
    else the server's host and port. Never a host a stranger's request names, or a link could lead elsewhere."""
    configured = runtime.settings.portal.base_url
    if configured:
        return configured.rstrip("/")
    if urlsplit(str(request.base_url)).hostname in LOCAL_HOSTS:
        return str(request.base_url).rstrip("/")
    server = runtime.settings.server
    return f"http://{server.host}:{server.port}"


def set_session_cookie(request: Request, response: Response, opened: links.OpenedSession) -> None:
    response.set_cookie(
        COOKIE,
        opened.token,
        max_age=int(links.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/portal",
    )


def _plausible_address(email: str) -> bool:
    local, at, domain = email.partition("@")
    return bool(at and local and domain) and len(email) <= MAX_EMAIL_CHARS and not any(c.isspace() for c in email)


def email_a_link(runtime: Runtime, workspace_id: str, email: str, page_lang: str, base: str) -> None:
    """Look the address up and, if it is known, e-mail a one-time link (in the customer's language)."""
    try:
        try:
            customer = runtime.privacy.find(workspace_id, Identity("email", email))
        except NotFound:
            return  # nobody to write to; the person who asked was told the same as anyone else
        now = now_ms()
        token = runtime.writer.call(lambda conn: links.issue_link(conn, workspace_id, customer, now=now))
        if token is None:
            log.warning("too many portal sign-in links asked for one customer lately; no e-mail sent")
            return
        knowledge = runtime.privacy.knowledge(workspace_id, customer)
        said = next((p.value for p in knowledge.preferences if p.label == "language"), None)
        lang = str(said).split("-")[0].lower() if said else page_lang
        mail = SignInMail(
            to=email,
            link=base + links.link_path(token),
            lang=lang,
            company=runtime.house_files[workspace_id].workspace.name,
            minutes=int(links.LINK_LIFETIME.total_seconds() // 60),
        )
        Mailer(runtime.settings.mail).send_sign_in(mail)
    except Exception:
        log.exception("a portal sign-in link could not be sent")


def _sign_in_page(
    request: Request,
    *,
    error: str | None = None,
    error_args: dict[str, object] | None = None,
    email: str = "",
    status_code: int = 200,
    sent: bool = False,
) -> Response:
    runtime = runtime_of(request)
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)
    context = {
        "form_token": token,
        "error": error,
        "error_args": error_args or {},
        "email": email,
        "sent": sent,
        "signed_out": request.query_params.get("signed_out") == "1",
        "bye": request.query_params.get("bye") == "1",
        "mail_configured": bool(runtime.settings.mail.host),
        "workspaces": {wid: h.house.workspace.name for wid, h in runtime.houses.items()},
        "chosen_workspace": workspace_of(request),
    }
    response = render(request, "portal/sign_in.html", context, status_code=status_code)
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/portal")
    return response


@router.get(PORTAL_HOME)
def sign_in_form(request: Request) -> Response:
    sent = request.query_params.get("sent") == "1"
    if session_of(request) is not None and not sent:
        return RedirectResponse(ME_PATH, status_code=303)
    return _sign_in_page(request, sent=sent)


@router.post("/portal/sign-in")
def ask_for_link(
    request: Request, background: BackgroundTasks, form: Annotated[dict[str, str], Depends(read_form)]
) -> Response:
    runtime = runtime_of(request)
    expected = request.cookies.get(FORM_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), form.get("csrf", "").encode()):
        return _sign_in_page(request, error=FORM_EXPIRED, email=form.get("email", ""), status_code=403)
    email = form.get("email", "").strip()
    if not _plausible_address(email):
        return _sign_in_page(request, error=NOT_AN_ADDRESS, email=email[:MAX_EMAIL_CHARS], status_code=400)
    throttle: Throttle = request.app.state.throttle
    refused = throttle.portal_link_asked(client_address(request))
    if refused is not None:
        response = _sign_in_page(
            request, error=TOO_MANY_LINKS, error_args={"minutes": refused.minutes}, email=email, status_code=429
        )
        response.headers.update(refused.headers)
        return response
    workspace = form.get("workspace", "")
    if workspace not in runtime.houses:
        workspace = next(iter(runtime.houses))
    background.add_task(email_a_link, runtime, workspace, email, language_of(request), portal_base(request, runtime))
    where = f"{PORTAL_HOME}?sent=1" + (f"&w={workspace}" if len(runtime.houses) > 1 else "")
    return RedirectResponse(where, status_code=303)


@router.get("/portal/link/{token:path}")
def follow_link(request: Request, token: str) -> Response:
    """The e-mailed link shows a page with one button; only pressing it uses the link. Mail scanners that fetch
    every link in a message therefore never spend it."""
    runtime = runtime_of(request)
    with runtime.engines.read.connect() as conn:
        links.check_link(conn, token, now=now_ms())
    form_token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "portal/continue.html", {"form_token": form_token, "action": request.url.path})
    response.set_cookie(
        FORM_COOKIE, form_token, httponly=True, samesite="strict", secure=_secure(request), path="/portal"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.post("/portal/link/{token:path}")
def use_link(request: Request, token: str, form: Annotated[dict[str, str], Depends(read_form)]) -> Response:
    runtime = runtime_of(request)
    expected = request.cookies.get(FORM_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), form.get("csrf", "").encode()):
        # Not from the page this link shows (another site, or an old tab): show that page again.
        return follow_link(request, token)
    old = request.cookies.get(COOKIE)
    now = now_ms()

    def enter(conn: Connection) -> links.OpenedSession:
        found = links.redeem_link(conn, token, now=now)
        return links.open_session(conn, found.workspace_id, found.customer_id, now=now, replacing=old)

    opened = runtime.writer.call(enter)
    response = RedirectResponse(ME_PATH, status_code=303)
    set_session_cookie(request, response, opened)
    return response


@router.get(links.ENTER_PATH)
def enter_from_app(request: Request, w: str = "", u: str = "", exp: str = "", sig: str = "") -> Response:
    runtime = runtime_of(request)
    if w not in runtime.houses:
        raise LinkRefused("this sign-in link names no workspace served here", hint="ask for a new link")
    with runtime.engines.read.connect() as conn:
        key = links.link_key(workspaces.workspace_secret(conn, w))
    now = now_ms()
    expires = links.check_signed(key, w, u, exp, sig, now_s=now // 1000)
    try:
        customer = runtime.privacy.find(w, Identity("user_id", u))
    except NotFound:
        # A link the company's app signed for an account we have nothing about: say so, and keep no session.
        return render(request, "portal/nothing.html", {"page_path": PORTAL_HOME})
    old = request.cookies.get(COOKIE)

    def enter(conn: Connection) -> links.OpenedSession:
        links.use_signed(conn, w, customer, sig, expires, now=now)
        return links.open_session(conn, w, customer, now=now, replacing=old)

    opened = runtime.writer.call(enter)
    response = RedirectResponse(ME_PATH, status_code=303)
    set_session_cookie(request, response, opened)
    return response


@router.post("/portal/sign-out")
def sign_out(request: Request, _: Annotated[PortalSession, Depends(csrf_protect)]) -> Response:
    token = request.cookies.get(COOKIE, "")
    runtime_of(request).writer.call(lambda conn: links.end_session(conn, token, now=now_ms()))
    response = RedirectResponse(f"{PORTAL_HOME}?bye=1", status_code=303)
    response.delete_cookie(COOKIE, path="/portal")
    return response


@router.get("/portal/notice")
def privacy_notice(request: Request) -> Response:
    runtime = runtime_of(request)
    house = runtime.house_files[workspace_of(request)]
    built = notice.build(house, language_of(request))
    return render(request, "portal/notice.html", {"sections": sections(built)})
