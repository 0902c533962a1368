"""Staff pages about customers: the search, and the customer page (briefing, timeline, notes, merges, conflicts).

Every view of a customer's page is written to the customer's access log by `Memory.customer_page`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from omotenashi.bootstrap import Runtime
from omotenashi.i18n import translator
from omotenashi.memory.profile import Profile
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.web.staff.auth import require_permission
from omotenashi.web.staff.customer_view import (
    CustomerView,
    current_id,
    customer_path,
    page_context,
    search_rows,
)
from omotenashi.web.staff.problems import Problem, StaffPageRoute
from omotenashi.web.staff.rendering import render
from omotenashi.web.staff.wording import Wording

router = APIRouter(include_in_schema=False, route_class=StaffPageRoute)

# htmx asks for the next page of the timeline with this target; it gets the items alone, not the whole page.
TIMELINE_MORE = "timeline-more"

Viewer = Annotated[StaffSession, Depends(require_permission(Action.VIEW_CUSTOMER))]


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get("/staff/customers")
def customers(request: Request, session: Viewer, q: str = "", after: str = "") -> Response:
    runtime = _runtime(request)
    member = session.member
    house = runtime.house_files[member.workspace_id]
    query = q.strip()[:200]
    found: list[tuple[Profile, str | None]]
    more: str | None = None
    if query:
        found = [(hit.profile, hit.matched) for hit in runtime.memory.find(member, query)]
    else:
        page, cursor = runtime.memory.recent_page(member, after=_cursor(after))
        found = [(p, None) for p in page]
        more = f"{cursor[0]}.{cursor[1]}" if cursor is not None else None
    words = Wording(translator(member.language), member.language)
    context = {"q": query, "rows": search_rows(found, house), "words": words, "more": more, "paged": bool(after)}
    return render(request, "staff/customers.html", context)


def _cursor(text: str) -> tuple[int, str] | None:
    """The cursor of the recent customers' next page, as `more` wrote it ("last_ts.customer_id"); None to start."""
    ts, sep, cid = text.partition(".")
    if not sep or not ts.isdigit() or not cid:
        return None  # none, or not one we wrote: the first page
    return int(ts), cid[:40]


def customer_page(
    request: Request,
    session: StaffSession,
    customer_id: str,
    *,
    cursor: str | None = None,
    kinds: list[str] | None = None,
    event: str = "",
    done: str = "",
    problem: Problem | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """The customer page (also shown again, with the form filled in, when a form on it had a problem)."""
    runtime = _runtime(request)
    member = session.member
    page = runtime.memory.customer_page(
        member,
        customer_id,
        member.language,
        cursor=cursor,
        kinds=set(kinds) if kinds else None,
        event_name=event.strip()[:200] or None,
    )
    view = CustomerView(runtime, member, page, member.language)
    context = page_context(view, done=done, problem=problem, form=form)
    htmx_more = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == TIMELINE_MORE
    template = "staff/customer/timeline_items.html" if htmx_more else "staff/customer.html"
    return render(request, template, context, status_code=problem.status if problem else 200)


@router.get("/staff/customers/{cid}")
def customer(
    request: Request,
    cid: str,
    session: Viewer,
    cursor: str | None = None,
    kind: Annotated[list[str] | None, Query()] = None,
    event: str = "",
    done: str = "",
) -> Response:
    root = current_id(_runtime(request), session.member, cid)
    if root != cid:
        # The customer was merged into another: their page is the surviving customer's.
        query = request.url.query
        return RedirectResponse(customer_path(root) + (f"?{query}" if query else ""), status_code=303)
    return customer_page(request, session, cid, cursor=cursor, kinds=kind, event=event, done=done)
