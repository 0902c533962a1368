"""The care queue (`/staff/care`): my items, my team's, unassigned, overdue, held out, done; one item's page with
everything to act on it (claim, send the suggested message after editing it, log a call, reassign with a reason,
resolve with an outcome, grant goodwill); the outbox's dead letters; and whether each playbook helped."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from omotenashi.bootstrap import Runtime
from omotenashi.care.words import item_title
from omotenashi.core.errors import BadRequest, OmotenashiError
from omotenashi.i18n import N_, translator
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.web.errors import status_of
from omotenashi.web.staff.auth import csrf_protect, require_permission
from omotenashi.web.staff.care_problems import care_explain
from omotenashi.web.staff.customer_view import customer_path
from omotenashi.web.staff.forms import read_form
from omotenashi.web.staff.goodwill import KIND_LABELS, STATUS_LABELS
from omotenashi.web.staff.problems import StaffPageRoute
from omotenashi.web.staff.rendering import render

# What the item's actions are and how they went, in the reader's language.
ACTION_KINDS = {
    "message": N_("message"),
    "call": N_("call"),
    "webhook": N_("notification"),
    "slack": N_("notification"),
}
ACTION_STATUSES = {
    "queued": N_("queued"),
    "sent": N_("sent"),
    "dead": N_("not delivered"),
    "cancelled": N_("cancelled"),
}

router = APIRouter(include_in_schema=False, route_class=StaffPageRoute)
Viewer = Annotated[StaffSession, Depends(require_permission(Action.VIEW_CUSTOMER))]
Worker = Annotated[StaffSession, Depends(require_permission(Action.WORK_CARE))]
Form = Annotated[dict[str, str], Depends(read_form)]
CARE = "/staff/care"

VIEW_LABELS = {
    "mine": N_("My items"),
    "team": N_("My team's"),
    "unassigned": N_("Unassigned"),
    "overdue": N_("Overdue"),
    "open": N_("All open"),
    "held_out": N_("Held out"),
    "done": N_("Done"),
}
DONE = {
    "claimed": N_("The item is yours now."),
    "sent": N_("The message is on its way."),
    "waiting": N_("The message is queued: %(why)s"),
    "call": N_("The call is in the item's history."),
    "reassigned": N_("The item was reassigned."),
    "resolved": N_("The item is resolved. Thank you."),
    "granted": N_("Goodwill granted: it is in the ledger."),
    "pending": N_("Goodwill asked for: a lead approves it, and its value is held from your budget meanwhile."),
    "retried": N_("The delivery is back in the queue."),
}


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _configured(runtime: Runtime, workspace_id: str) -> None:
    if workspace_id not in runtime.care.workspaces:
        raise BadRequest("this workspace has no playbooks yet", hint="add a `care:` section to the house file")


@router.get(CARE)
def queue_page(request: Request, session: Viewer, view: str = "mine") -> Response:
    runtime = _runtime(request)
    member = session.member
    _configured(runtime, member.workspace_id)
    view = view if view in VIEW_LABELS else "mine"
    _ = translator(member.language)
    context = {
        "rows": runtime.care.queue(member, view),
        "view": view,
        "views": [(v, _(label)) for v, label in VIEW_LABELS.items()],
        "counts": runtime.care.counts(member.workspace_id),
        "page_path": f"{CARE}?view={view}",
    }
    return render(request, "staff/care.html", context)


def _item_page(
    request: Request,
    session: StaffSession,
    item_id: str,
    *,
    done: str = "",
    problem: str | None = None,
    status: int = 200,
) -> Response:
    runtime = _runtime(request)
    member = session.member
    _configured(runtime, member.workspace_id)
    view = runtime.care.item(member, item_id)
    _ = translator(member.language)
    said = None
    if done == "waiting":
        said = _(DONE["waiting"]) % {
            "why": view.may_message.words(member.language, request.query_params.get("when", ""))
        }
    elif done in DONE:
        said = _(DONE[done])
    house = runtime.house_files[member.workspace_id]
    assert house.care is not None
    context: dict[str, Any] = {
        "v": view,
        "done": said,
        "problem": problem,
        "customer_path": customer_path,
        "currency": house.care.goodwill.currency,
        "kinds": house.care.goodwill.kinds,
        "kind_labels": {k: _(v) for k, v in KIND_LABELS.items()},
        "grant_statuses": {k: _(v) for k, v in STATUS_LABELS.items()},
        "action_kinds": {k: _(v) for k, v in ACTION_KINDS.items()},
        "action_statuses": {k: _(v) for k, v in ACTION_STATUSES.items()},
        "reasons": [
            (code, labels.get(member.language) or labels.get("en", code))
            for code, labels in house.care.goodwill.reason_codes.items()
        ],
        "page_path": f"{CARE}/{item_id}",
    }
    return render(request, "staff/care_item.html", context, status_code=status)


@router.get(CARE + "/outbox")
def outbox_page(request: Request, session: Viewer) -> Response:
    runtime = _runtime(request)
    member = session.member
    _configured(runtime, member.workspace_id)
    return render(
        request,
        "staff/care_outbox.html",
        {"dead": runtime.care.dead_letters(member.workspace_id), "page_path": CARE + "/outbox"},
    )


@router.post(CARE + "/actions/{action_id}/retry", dependencies=[Depends(csrf_protect)])
def retry(request: Request, action_id: str, session: Worker) -> Response:
    _runtime(request).care.retry(session.member, action_id)
    return RedirectResponse(f"{CARE}/outbox?done=retried", status_code=303)


@router.get(CARE + "/outcomes")
def outcomes_page(request: Request, session: Viewer) -> Response:
    runtime = _runtime(request)
    member = session.member
    _configured(runtime, member.workspace_id)
    house = runtime.house_files[member.workspace_id]
    rows = [(item_title(house, o.playbook, member.language), o) for o in runtime.care.outcomes(member.workspace_id)]
    return render(request, "staff/care_outcomes.html", {"rows": rows, "page_path": CARE + "/outcomes"})


@router.get(CARE + "/{item_id}")
def item_page(request: Request, item_id: str, session: Viewer, done: str = "") -> Response:
    return _item_page(request, session, item_id, done=done)


def _act(request: Request, session: StaffSession, item_id: str, step: Any, done: str) -> Response:
    """Run one step of work; a refusal shows the item's page again with the problem, nothing changed."""
    try:
        extra = step()
    except OmotenashiError as exc:
        problem = care_explain(exc, translator(session.member.language))
        return _item_page(request, session, item_id, problem=problem, status=status_of(exc))
    suffix = f"&{extra}" if isinstance(extra, str) and extra else ""
    return RedirectResponse(f"{CARE}/{item_id}?done={done}{suffix}", status_code=303)


@router.post(CARE + "/{item_id}/claim", dependencies=[Depends(csrf_protect)])
def claim(request: Request, item_id: str, session: Worker) -> Response:
    return _act(request, session, item_id, lambda: _runtime(request).care.claim(session.member, item_id), "claimed")


@router.post(CARE + "/{item_id}/send", dependencies=[Depends(csrf_protect)])
def send(request: Request, item_id: str, session: Worker, form: Form) -> Response:
    runtime = _runtime(request)
    outcome: dict[str, str] = {}

    def step() -> None:
        decision = runtime.care.send_message(session.member, item_id, form.get("subject", ""), form.get("body", ""))
        outcome["done"] = "sent" if decision.now else "waiting"

    response = _act(request, session, item_id, step, "sent")
    if outcome.get("done") == "waiting":
        return RedirectResponse(f"{CARE}/{item_id}?done=waiting", status_code=303)
    return response


@router.post(CARE + "/{item_id}/call", dependencies=[Depends(csrf_protect)])
def call(request: Request, item_id: str, session: Worker, form: Form) -> Response:
    care = _runtime(request).care
    return _act(request, session, item_id, lambda: care.log_call(session.member, item_id, form.get("note", "")), "call")


@router.post(CARE + "/{item_id}/reassign", dependencies=[Depends(csrf_protect)])
def reassign(request: Request, item_id: str, session: Worker, form: Form) -> Response:
    care = _runtime(request).care
    to, reason = form.get("to", ""), form.get("reason", "")
    return _act(request, session, item_id, lambda: care.reassign(session.member, item_id, to, reason), "reassigned")


@router.post(CARE + "/{item_id}/resolve", dependencies=[Depends(csrf_protect)])
def resolve(request: Request, item_id: str, session: Worker, form: Form) -> Response:
    care = _runtime(request).care
    outcome, note = form.get("outcome", ""), form.get("note", "")
    return _act(request, session, item_id, lambda: care.resolve(session.member, item_id, outcome, note), "resolved")


@router.post(CARE + "/{item_id}/goodwill", dependencies=[Depends(csrf_protect)])
def grant(request: Request, item_id: str, session: Worker, form: Form) -> Response:
    care = _runtime(request).care
    made: dict[str, str] = {}

    def step() -> None:
        try:
            value = float(form.get("value", "").replace(",", "."))
        except ValueError:
            raise BadRequest(
                f"“{form.get('value', '')}” is not an amount", hint="write a number, e.g. 10 or 7.50"
            ) from None
        g = care.grant(
            session.member,
            item_id=item_id,
            kind=form.get("kind", ""),
            value=value,
            reason_code=form.get("reason", ""),
            note=form.get("note", ""),
        )
        made["status"] = g.status

    response = _act(request, session, item_id, step, "granted")
    if made.get("status") == "pending":
        return RedirectResponse(f"{CARE}/{item_id}?done=pending", status_code=303)
    return response
