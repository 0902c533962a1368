"""The staff of the workspace (`/staff/team`), for administrators: who works here in which role, add a member with
their first password, and disable one (they cannot sign in again, and their open sessions end at once). The same
machinery as `omotenashi staff add` and `omotenashi staff disable`.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from omotenashi.bootstrap import Runtime
from omotenashi.core.clock import to_epoch_ms, utc_now
from omotenashi.core.errors import BadRequest, Conflict, NotFound, OmotenashiError
from omotenashi.i18n import N_, Translate, translator
from omotenashi.staff import accounts
from omotenashi.staff.permissions import ROLE_LABELS, Action, Role
from omotenashi.staff.sessions import StaffSession
from omotenashi.web.staff.auth import csrf_protect, require_permission
from omotenashi.web.staff.forms import read_form
from omotenashi.web.staff.problems import StaffPageRoute, explain
from omotenashi.web.staff.rendering import render

router = APIRouter(include_in_schema=False, route_class=StaffPageRoute)
Admin = Annotated[StaffSession, Depends(require_permission(Action.MANAGE_STAFF))]
Form = Annotated[dict[str, str], Depends(read_form)]
TEAM_PATH = "/staff/team"
CHANGES = {"disable": "disabled", "enable": "enabled", "role": "role", "password": "password"}  # → what `done` says
DONE = {
    "added": N_("Added. Give them their first password in person or by phone, not in an e-mail."),
    "disabled": N_("Disabled: they cannot sign in, and their open sessions have ended."),
    "enabled": N_("Enabled: they can sign in again."),
    "role": N_("Their role is changed, from their next page on."),
    "password": N_("Their password is changed, and their open sessions have ended. Tell them in person or by phone."),
}
# What accounts says in English, said again in the reader's language.
_SAID: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"`(?P<email>.*)` is not an email address", re.S), N_("“%(email)s” is not an e-mail address.")),
    (re.compile(r"the name is empty"), N_("Give the name colleagues know them by.")),
    (
        re.compile(r"the password is too short: (?P<n>\d+) characters, at least (?P<min>\d+) are needed"),
        N_(
            "The password is too short: %(n)s characters, at least %(min)s are needed. A few unrelated words make a "
            "long password that is easy to remember."
        ),
    ),  # fmt: skip
    (
        re.compile(r"the workspace already has a staff member with the email (?P<email>.*)", re.S),
        N_("%(email)s is already on the staff."),
    ),
    (
        re.compile(r"you cannot (?:disable|enable|change the role of|set a new password for) yourself"),
        N_("Not for yourself: ask another administrator."),
    ),
    (re.compile(r"unknown role `(?P<role>.*)`", re.S), N_("There is no role “%(role)s”.")),
]


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _said(exc: OmotenashiError, _: Translate) -> str:
    return explain(exc, _, _SAID)


def _page(
    request: Request,
    session: StaffSession,
    *,
    done: str = "",
    problem: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    runtime = _runtime(request)
    _ = translator(session.member.language)
    with runtime.engines.read.connect() as conn:
        members = accounts.members(conn, session.member.workspace_id)
    members.sort(key=lambda m: (m.disabled_at is not None, m.name.lower()))
    kept = {k: v for k, v in (form or {}).items() if k != "password"}  # a password is never written back
    context = {
        "members": members,
        "roles": [(r.value, _(ROLE_LABELS[r])) for r in Role],
        "done": _(DONE[done]) if done in DONE else None,
        "problem": problem,
        "form": kept,
        "me": session.member.id,
        "page_path": TEAM_PATH,
        "min_password": accounts.MIN_PASSWORD_LENGTH,
    }
    return render(request, "staff/team.html", context, status_code=status_code)


@router.get(TEAM_PATH)
def team_page(request: Request, session: Admin, done: str = "") -> Response:
    return _page(request, session, done=done)


@router.post(TEAM_PATH, dependencies=[Depends(csrf_protect)])
def add_member(request: Request, session: Admin, form: Form) -> Response:
    runtime = _runtime(request)
    wid = session.member.workspace_id
    try:
        # Hashing is slow on purpose: done, with every check, before the writer is asked for anything.
        new = accounts.enrol(
            wid,
            form.get("email", ""),
            form.get("name", ""),
            form.get("role", ""),
            form.get("password", ""),
            language=form.get("language", "en"),
            now=to_epoch_ms(utc_now()),
        )
        runtime.writer.call(lambda conn: accounts.add(conn, new))
    except (BadRequest, Conflict) as exc:
        said = _said(exc, translator(session.member.language))
        status = 409 if isinstance(exc, Conflict) else 400
        return _page(request, session, problem=said, form=form, status_code=status)
    return RedirectResponse(f"{TEAM_PATH}?done=added", status_code=303)


@router.post(TEAM_PATH + "/{member_id}/{change}", dependencies=[Depends(csrf_protect)])
def change_member(request: Request, member_id: str, change: str, session: Admin, form: Form) -> Response:
    """Disable, enable, give another role or a new password to someone else on the staff."""
    runtime = _runtime(request)
    wid, me, now = session.member.workspace_id, session.member, to_epoch_ms(utc_now())
    if change not in CHANGES:
        raise NotFound(f"no such change `{change}`", hint=f"one of: {', '.join(CHANGES)}")
    try:
        if change == "password":
            password = form.get("password", "")
            accounts.check_password_strength(password)
            hashed = accounts.hash_password(password)  # slow on purpose: before the writer is asked for anything
            runtime.writer.call(lambda conn: accounts.set_password(conn, wid, member_id, hashed, by=me, now=now))
        elif change == "role":
            role = form.get("role", "")
            runtime.writer.call(lambda conn: accounts.change_role(conn, wid, member_id, role, by=me))
        elif change == "enable":
            runtime.writer.call(lambda conn: accounts.enable(conn, wid, member_id, by=me))
        else:
            runtime.writer.call(lambda conn: accounts.disable_member(conn, wid, member_id, by=me, now=now))
    except (BadRequest, Conflict) as exc:
        said = _said(exc, translator(session.member.language))
        return _page(request, session, problem=said, status_code=409 if isinstance(exc, Conflict) else 400)
    return RedirectResponse(f"{TEAM_PATH}?done={CHANGES[change]}", status_code=303)
