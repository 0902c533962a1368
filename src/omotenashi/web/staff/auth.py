"""FastAPI dependencies for staff routes: who is signed in, may they do this, and did the form come from us.

```python
@router.get("/staff/customers/{cid}")
def customer(request: Request, session: Annotated[StaffSession, Depends(require_permission(Action.VIEW_CUSTOMER))]):
    ...

@router.post("/staff/customers/{cid}/notes", dependencies=[Depends(csrf_protect)])
def add_note(request: Request, session: Annotated[StaffSession, Depends(require_permission(Action.WRITE_NOTE))]):
    ...
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from omotenashi.core.clock import to_epoch_ms, utc_now
from omotenashi.core.errors import Forbidden, SignInRequired
from omotenashi.staff import permissions, sessions
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.web.staff.forms import read_form

SIGN_IN_PATH = "/staff/sign-in"
HOME_PATH = "/staff/"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


class CsrfFailed(Forbidden):
    """A state-changing request without this session's CSRF token: it may have been sent by another site."""

    code = "csrf_failed"


def now_ms() -> int:
    return to_epoch_ms(utc_now())


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a staff page of this site, never another site."""
    if target and target.startswith("/staff/") and not target.startswith("//") and "\\" not in target:
        return target
    return HOME_PATH


def sign_in_url(request: Request) -> str:
    """The sign-in page, bringing the browser back to the page it asked for."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    back = safe_next(back if request.method == "GET" else None)
    return SIGN_IN_PATH if back == HOME_PATH else f"{SIGN_IN_PATH}?next={quote(back, safe='/')}"


def session_of(request: Request) -> StaffSession | None:
    """The live staff session of the request's cookie, if any (looked up once per request)."""
    if hasattr(request.state, "staff_session"):
        found: StaffSession | None = request.state.staff_session
        return found
    runtime = request.app.state.runtime
    with runtime.engines.read.connect() as conn:
        found = sessions.session_for(conn, request.cookies.get(sessions.COOKIE), now=now_ms())
    if found is not None and found.member.workspace_id not in runtime.houses:
        found = None
    request.state.staff_session = found
    return found


def current_staff(request: Request) -> StaffSession:
    """The signed-in staff member's session; a page redirects to sign-in, `/api/*` answers 401."""
    found = session_of(request)
    if found is None:
        raise SignInRequired(
            "sign in as a staff member first",
            sign_in_url=None if is_api(request) else sign_in_url(request),
            hint=f"sign in at {SIGN_IN_PATH}; a session lasts {int(sessions.LIFETIME.total_seconds() // 3600)} hours",
        )
    return found


def require_permission(action: Action) -> Callable[[StaffSession], StaffSession]:
    """A dependency: the signed-in staff member, if their role may take `action`; 403 otherwise."""

    def dependency(session: Annotated[StaffSession, Depends(current_staff)]) -> StaffSession:
        permissions.require(session.member, action)
        return session

    return dependency


async def csrf_protect(request: Request, session: Annotated[StaffSession, Depends(current_staff)]) -> StaffSession:
    """For every state-changing staff request: the form field `csrf` or header `X-CSRF-Token` must be the session's."""
    presented = request.headers.get(CSRF_HEADER) or (await read_form(request)).get(CSRF_FIELD)
    if not sessions.csrf_matches(session, presented):
        raise CsrfFailed(
            "the request did not carry this session's security token, so nothing was changed",
            hint=f"send the `{CSRF_FIELD}` form field or the `{CSRF_HEADER}` header the page gave you; "
            "reload the page and try again",
        )
    return session
