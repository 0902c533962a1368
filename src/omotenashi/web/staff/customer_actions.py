"""The forms of the customer page: each reads its fields, calls one `Memory` method and goes back to the page.

A success redirects (303) to the customer page with `?done=<what>`, said on the page in the reader's language.
A problem the staff member can fix (a note too long, a reason missing, a merge refused) shows the customer page
again, with the form filled in and the problem next to it, under the problem's status (400, 409). Anything else
(unknown customer, a role without the permission, a form without the session's token) is the staff error page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from omotenashi.bootstrap import Runtime
from omotenashi.core.errors import BadRequest, Conflict, NotFound, OmotenashiError
from omotenashi.i18n import translator
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.web.staff.auth import csrf_protect, require_permission
from omotenashi.web.staff.customer_view import customer_path
from omotenashi.web.staff.customers import customer_page
from omotenashi.web.staff.forms import read_form
from omotenashi.web.staff.problems import StaffPageRoute, problem

router = APIRouter(include_in_schema=False, route_class=StaffPageRoute, dependencies=[Depends(csrf_protect)])

Form = Annotated[dict[str, str], Depends(read_form)]
Writer = Annotated[StaffSession, Depends(require_permission(Action.WRITE_NOTE))]
Merger = Annotated[StaffSession, Depends(require_permission(Action.MERGE))]
Undoer = Annotated[StaffSession, Depends(require_permission(Action.UNDO_MERGE))]
Resolver = Annotated[StaffSession, Depends(require_permission(Action.RESOLVE_CONFLICT))]

# Problems shown next to the form they came from; the rest go to the error page.
FIXABLE = (BadRequest, Conflict)


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _done(customer_id: str, what: str, anchor: str) -> Response:
    return RedirectResponse(f"{customer_path(customer_id, done=what)}#{anchor}", status_code=303)


def _again(
    request: Request, session: StaffSession, customer_id: str, where: str, exc: OmotenashiError, form: dict[str, str]
) -> Response:
    """The customer page once more, the form as it was sent, and the problem next to it."""
    shown = problem(where, exc, translator(session.member.language))
    return customer_page(request, session, customer_id, problem=shown, form=form)


@router.post("/staff/customers/{cid}/notes")
def add_note(request: Request, cid: str, session: Writer, form: Form) -> Response:
    body = form.get("body", "")
    try:
        _runtime(request).memory.add_note(session.member, cid, body)
    except FIXABLE as exc:
        return _again(request, session, cid, "note", exc, form)
    return _done(cid, "note_added", "notes")


@router.post("/staff/notes/{note_id}")
def edit_note(request: Request, note_id: str, session: Writer, form: Form) -> Response:
    customer = form.get("customer", "")
    try:
        _runtime(request).memory.edit_note(session.member, note_id, form.get("body", ""))
    except FIXABLE as exc:
        if not customer:
            raise
        return _again(request, session, customer, f"note:{note_id}", exc, form)
    return _done(customer, "note_edited", "notes") if customer else RedirectResponse("/staff/customers", 303)


@router.post("/staff/customers/{cid}/preferences")
def set_preference(request: Request, cid: str, session: Writer, form: Form) -> Response:
    try:
        _runtime(request).memory.set_preference(
            session.member, cid, form.get("name", ""), form.get("value", ""), form.get("reason", "")
        )
    except FIXABLE as exc:
        return _again(request, session, cid, "preference", exc, form)
    return _done(cid, "preference_saved", "preferences")


@router.post("/staff/customers/{cid}/merge")
def merge(request: Request, cid: str, session: Merger, form: Form) -> Response:
    other = form.get("other", "").strip()
    try:
        _runtime(request).memory.merge(session.member, cid, other, form.get("reason", ""))
    except (*FIXABLE, NotFound) as exc:
        if isinstance(exc, NotFound) and f"`{other}`" not in exc.message:
            raise  # this customer is unknown: the error page, not this customer's page
        return _again(request, session, cid, "merge", exc, form)
    return _done(cid, "merged", "merges")


@router.post("/staff/merges/{merge_id}/undo")
def undo_merge(request: Request, merge_id: int, session: Undoer, form: Form) -> Response:
    customer = form.get("customer", "")
    try:
        _runtime(request).memory.undo_merge(session.member, merge_id, form.get("reason", ""))
    except FIXABLE as exc:
        if not customer:
            raise
        return _again(request, session, customer, f"undo:{merge_id}", exc, form)
    return _done(customer, "merge_undone", "merges") if customer else RedirectResponse("/staff/customers", 303)


@router.post("/staff/conflicts/{conflict_id}/resolve")
def resolve_conflict(request: Request, conflict_id: int, session: Resolver, form: Form) -> Response:
    _runtime(request).memory.resolve_conflict(session.member, conflict_id)
    customer = form.get("customer", "")
    return _done(customer, "conflict_resolved", "conflicts") if customer else RedirectResponse("/staff/customers", 303)
