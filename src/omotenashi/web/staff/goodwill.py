"""The goodwill ledger (`/staff/goodwill`): every grant with who, why and how much, the grants waiting for a lead's
approval (approve or reject, never one's own), and what the reader may still grant this period."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from omotenashi.bootstrap import Runtime
from omotenashi.core.errors import BadRequest, OmotenashiError
from omotenashi.i18n import N_, translator
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.store import staff as staff_repo
from omotenashi.web.errors import status_of
from omotenashi.web.staff.auth import csrf_protect, require_permission
from omotenashi.web.staff.care_problems import care_explain
from omotenashi.web.staff.forms import read_form
from omotenashi.web.staff.problems import StaffPageRoute
from omotenashi.web.staff.rendering import render

router = APIRouter(include_in_schema=False, route_class=StaffPageRoute)
Viewer = Annotated[StaffSession, Depends(require_permission(Action.VIEW_CUSTOMER))]
Lead = Annotated[StaffSession, Depends(require_permission(Action.APPROVE_GOODWILL))]
Form = Annotated[dict[str, str], Depends(read_form)]
GOODWILL = "/staff/goodwill"
KIND_LABELS = {
    "credit": N_("credit"),
    "extension": N_("extension"),
    "gift": N_("gift"),
    "fee_waiver": N_("fee waiver"),
}
STATUS_LABELS = {
    "granted": N_("granted"),
    "pending": N_("waiting for approval"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
}
DONE = {
    "approved": N_("The grant is approved."),
    "rejected": N_("The grant is rejected; its value is back in the budgets."),
}


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _page(
    request: Request, session: StaffSession, *, done: str = "", problem: str | None = None, status: int = 200
) -> Response:
    runtime = _runtime(request)
    member = session.member
    wid = member.workspace_id
    if wid not in runtime.care.workspaces:
        raise BadRequest("this workspace has no playbooks yet", hint="add a `care:` section to the house file")
    _ = translator(member.language)
    house = runtime.house_files[wid]
    assert house.care is not None
    with runtime.engines.read.connect() as conn:
        names = {m.id: m.name for m in staff_repo.list_staff(conn, wid)}
    reasons = {
        code: labels.get(member.language) or labels.get("en", code)
        for code, labels in house.care.goodwill.reason_codes.items()
    }
    ledger = runtime.care.ledger(wid)
    context = {
        "pending": [g for g in ledger if g.status == "pending"],
        "ledger": ledger,
        "names": names,
        "reasons": reasons,
        "kind_labels": {k: _(v) for k, v in KIND_LABELS.items()},
        "status_labels": {k: _(v) for k, v in STATUS_LABELS.items()},
        "budget": runtime.care.budget(wid, member),
        "done": _(DONE[done]) if done in DONE else None,
        "problem": problem,
        "page_path": GOODWILL,
    }
    return render(request, "staff/goodwill.html", context, status_code=status)


@router.get(GOODWILL)
def ledger_page(request: Request, session: Viewer, done: str = "") -> Response:
    return _page(request, session, done=done)


@router.post(GOODWILL + "/{grant_id}/decide", dependencies=[Depends(csrf_protect)])
def decide(request: Request, grant_id: str, session: Lead, form: Form) -> Response:
    approve = form.get("decision") == "approve"
    try:
        _runtime(request).care.decide(session.member, grant_id, approve=approve, note=form.get("note", ""))
    except OmotenashiError as exc:
        return _page(
            request, session, problem=care_explain(exc, translator(session.member.language)), status=status_of(exc)
        )
    return RedirectResponse(f"{GOODWILL}?done={'approved' if approve else 'rejected'}", status_code=303)
