"""The friction inbox (`GET /staff/friction`): open signals, newest first, filtered by severity, kind and journey
step, each explained in the reader's language with a link to the customer."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from omotenashi.bootstrap import Runtime
from omotenashi.friction import explain, inbox
from omotenashi.friction.registry import KINDS
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.web.staff.auth import require_permission
from omotenashi.web.staff.customer_view import customer_path
from omotenashi.web.staff.problems import StaffPageRoute
from omotenashi.web.staff.rendering import render

router = APIRouter(include_in_schema=False, route_class=StaffPageRoute)
Viewer = Annotated[StaffSession, Depends(require_permission(Action.VIEW_CUSTOMER))]
STATUSES = ("open", "resolved", "all")


@router.get("/staff/friction")
def friction_inbox(
    request: Request,
    session: Viewer,
    severity: str = "",
    kind: str = "",
    step: str = "",
    status: str = "open",
    cursor: str | None = None,
) -> Response:
    runtime: Runtime = request.app.state.runtime
    member = session.member
    wid = member.workspace_id
    lang = member.language
    kind = kind if kind in KINDS else ""
    level = int(severity) if severity in ("1", "2", "3") else None
    status = status if status in STATUSES else "open"
    step = step.strip()[:128]
    with runtime.engines.read.connect() as conn:
        page = inbox.inbox(
            conn,
            wid,
            runtime.house_files[wid],
            lang,
            status=None if status == "all" else status,
            severity=level,
            kinds=[kind] if kind else [],
            step=step or None,
            cursor=cursor,
        )
    filters = {"severity": level or "", "kind": kind, "step": step, "status": status}
    more = None
    if page.next_cursor:
        more = "/staff/friction?" + urlencode(
            [*((k, v) for k, v in filters.items() if v), ("cursor", page.next_cursor)]
        )
    return render(
        request,
        "staff/friction.html",
        {
            "page": page,
            "filters": filters,
            "kinds": [(k, explain.title(k, lang), page.counts.get(k, 0)) for k in KINDS],
            "severities": [(n, explain.severity(n, lang)) for n in (3, 2, 1)],
            "statuses": [(s, explain.status(s, lang) if s != "all" else None) for s in STATUSES],
            "customer_path": customer_path,
            "more": more,
        },
    )
