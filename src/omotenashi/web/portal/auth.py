"""FastAPI dependencies for portal routes: which customer is signed in, and did the form come from us.

Every request of a signed-in customer whose browser sends `Sec-GPC: 1` (Global Privacy Control) is honoured here,
once per session, as an objection to marketing: a withdrawal with method `gpc` is recorded unless marketing is
already withdrawn. A grant the customer then makes in the portal stands for that session.

```python
@router.get("/portal/me")
def me(request: Request, customer: Annotated[PortalSession, Depends(current_customer)]): ...

@router.post("/portal/consent", dependencies=[Depends(csrf_protect)])
def consent(request: Request, customer: Annotated[PortalSession, Depends(current_customer)]): ...
```
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Request

from omotenashi.bootstrap import Runtime
from omotenashi.core.clock import to_epoch_ms, utc_now
from omotenashi.core.errors import Forbidden, OmotenashiError, SignInRequired
from omotenashi.core.purposes import ConsentMethod, Mechanism
from omotenashi.privacy import links
from omotenashi.privacy.links import PortalSession
from omotenashi.web.staff.forms import read_form

log = logging.getLogger(__name__)

COOKIE = "omotenashi_portal"
PORTAL_HOME = "/portal/"
CSRF_FIELD = "csrf"
GPC_PURPOSE = "marketing"
GPC_PLACE = "portal"


class PortalFormExpired(Forbidden):
    """A portal form without this session's token: it may have been sent by another site."""

    code = "csrf_failed"


def now_ms() -> int:
    return to_epoch_ms(utc_now())


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def session_of(request: Request) -> PortalSession | None:
    """The live portal session of the request's cookie, if any (looked up once per request)."""
    if hasattr(request.state, "portal_session"):
        cached: PortalSession | None = request.state.portal_session
        return cached
    runtime = _runtime(request)
    with runtime.engines.read.connect() as conn:
        found = links.session_for(conn, request.cookies.get(COOKIE), now=now_ms())
    if found is not None and found.workspace_id not in runtime.houses:
        found = None
    request.state.portal_session = found
    request.state.gpc_recorded = False
    if found is not None and request.headers.get("sec-gpc", "").strip() == "1" and not found.gpc:
        request.state.gpc_recorded = honour_gpc(runtime, found)
    return found


def honour_gpc(runtime: Runtime, session: PortalSession) -> bool:
    """Record Global Privacy Control as an objection to marketing (once a session); True when a receipt was written."""
    if not runtime.writer.call(lambda conn: links.note_gpc(conn, session)):
        return False
    purpose = runtime.house_files[session.workspace_id].purposes.get(GPC_PURPOSE)
    if purpose is None or purpose.mechanism is Mechanism.NOTICE_ONLY:
        return False
    try:
        choices = {c.purpose: c for c in runtime.privacy.consent(session.workspace_id, session.customer_id)}
        if choices.get(GPC_PURPOSE) is not None and choices[GPC_PURPOSE].status == "withdrawn":
            return False
        receipt = runtime.privacy.change_consent(
            session.workspace_id, session.customer_id, GPC_PURPOSE, False, ConsentMethod.GPC, GPC_PLACE
        )
    except OmotenashiError as exc:  # e.g. the customer was erased meanwhile: nothing to object to
        log.info("Global Privacy Control not recorded: %s", exc.message)
        return False
    return receipt is not None


def current_customer(request: Request) -> PortalSession:
    """The signed-in customer's session; without one, the browser goes to the portal's sign-in page."""
    found = session_of(request)
    if found is None:
        raise SignInRequired(
            "sign in to the privacy portal first",
            sign_in_url=f"{PORTAL_HOME}?signed_out=1",
            hint="ask for a sign-in link at /portal/",
        )
    return found


async def csrf_protect(request: Request, session: Annotated[PortalSession, Depends(current_customer)]) -> PortalSession:
    """For every state-changing portal request: the form field `csrf` must be the session's."""
    presented = (await read_form(request)).get(CSRF_FIELD)
    if not links.csrf_matches(session, presented):
        raise PortalFormExpired(
            "the form did not carry this session's security token, so nothing was changed",
            hint="reload the page and try again",
        )
    return session
