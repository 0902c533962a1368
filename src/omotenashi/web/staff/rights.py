"""Staff pages for rights requests that arrived by e-mail, phone or letter: enter them, track the legal deadline
(one month) and the identity check, and complete them with the same machinery as the portal (`Privacy`).

A request is completed only once the requester's identity is verified: an export is then downloaded here, an
erasure shows its receipt. For roles with `handle_rights_requests` (privacy officer, administrator).
"""

from __future__ import annotations

import io
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from omotenashi.bootstrap import Runtime
from omotenashi.core.clock import iso, to_epoch_ms, utc_now
from omotenashi.core.errors import BadRequest, NotFound, OmotenashiError
from omotenashi.i18n import N_, Translate, translator
from omotenashi.privacy.service import Identity
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.store import rights as rights_store
from omotenashi.store.rights import RightsRequest
from omotenashi.web.staff.auth import csrf_protect, require_permission
from omotenashi.web.staff.forms import read_form
from omotenashi.web.staff.problems import StaffPageRoute, explain
from omotenashi.web.staff.rendering import SECURITY_HEADERS, render

router = APIRouter(include_in_schema=False, route_class=StaffPageRoute)

Officer = Annotated[StaffSession, Depends(require_permission(Action.HANDLE_RIGHTS_REQUESTS))]
Form = Annotated[dict[str, str], Depends(read_form)]

RIGHTS_PATH = "/staff/rights"
CHANNELS = ("email", "phone", "letter")
DAY_MS = 86_400_000

KINDS = {
    "access": N_("Access: what we hold"),
    "export": N_("Export: a copy of everything"),
    "correct": N_("Correction"),
    "erase": N_("Erasure"),
}
VIA = {
    "email": N_("e-mail"),
    "phone": N_("phone call"),
    "letter": N_("letter"),
    "portal": N_("privacy portal"),
    "cli": N_("command line"),
    "staff": N_("staff"),
}
VERIFICATION = {
    "unverified": N_("not yet verified"),
    "verified": N_("verified"),
    "failed": N_("could not be verified"),
}
STATUS = {
    "open": N_("open"),
    "in_progress": N_("in progress"),
    "completed": N_("completed"),
    "refused": N_("refused"),
}
OUTCOMES = {
    "erased": N_("erased"),
    "export": N_("copy handed over"),
    "access": N_("copy handed over"),
    "correct": N_("corrected"),
}
DONE = {
    "opened": N_("The request was recorded. Its deadline is one month from today."),
    "verified": N_("The requester's identity is marked as verified."),
    "failed": N_("The identity check is marked as failed: the request cannot be completed."),
    "unverified": N_("The identity check is open again."),
    "completed": N_("The request is completed."),
}
# What the privacy service says in English, said again for the page in the reader's language.
_SAID_AGAIN: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"nobody is known by (?P<identity>.*)", re.S),
        N_("Nobody is known by %(identity)s here. Answer the requester that we hold no data about them."),
    ),
    (
        re.compile(r"`.*` is not KIND:VALUE", re.S),
        N_("Write the identifier as KIND:VALUE, e.g. email:ann@example.com or user_id:42."),
    ),
    (re.compile(r"verify the requester's identity first"), N_("Verify the requester's identity first.")),
    (re.compile(r"the request names nobody we know"), N_("The request names nobody we know.")),
    (re.compile(r"request `.*` is already completed", re.S), N_("This request is already completed.")),
    (re.compile(r"no customer `.*` in this workspace", re.S), N_("The customer is no longer here: already erased?")),
]


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _now() -> int:
    return to_epoch_ms(utc_now())


def _said(exc: OmotenashiError, _: Translate) -> str:
    return explain(exc, _, _SAID_AGAIN)


def _get(runtime: Runtime, workspace_id: str, request_id: str) -> RightsRequest:
    with runtime.engines.read.connect() as conn:
        found = rights_store.get(conn, workspace_id, request_id)
    if found is None:
        raise NotFound(f"no rights request `{request_id}`", hint="see the list at /staff/rights")
    return found


def _row(req: RightsRequest, now: int, _: Translate) -> dict[str, Any]:
    """A request in words, with how its deadline stands."""
    closed = req.status in ("completed", "refused")
    customer = req.customer_id if req.customer_id and not req.customer_id.startswith("erased:") else None
    return {
        "r": req,
        "kind": _(KINDS.get(req.kind, req.kind)),
        "via": _(VIA[req.via]) if req.via in VIA else req.via,
        "verification": _(VERIFICATION.get(req.verification, req.verification)),
        "status": _(STATUS.get(req.status, req.status)),
        "outcome": _(OUTCOMES[req.outcome]) if req.outcome in OUTCOMES else (req.outcome or ""),
        "identifier_kind": (req.identity or "").partition(":")[0],
        "customer": customer,
        "overdue": not closed and req.due_at < now,
        "days_left": (req.due_at - now) // DAY_MS,
        "closed": closed,
        "may_complete": not closed and req.verification == "verified" and req.customer_id is not None,
        "export_ready": req.status == "completed" and req.kind in ("export", "access") and customer is not None,
    }


def _list_page(
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
    now = _now()
    rows = [_row(r, now, _) for r in runtime.privacy.requests(session.member.workspace_id)]
    rows.sort(key=lambda row: (row["closed"], row["r"].due_at))
    context = {
        "rows": rows,
        "kinds": KINDS,
        "channels": [(c, VIA[c]) for c in CHANNELS],
        "done": _(DONE[done]) if done in DONE else None,
        "problem": problem,
        "form": form or {},
        "page_path": RIGHTS_PATH,
    }
    return render(request, "staff/rights.html", context, status_code=status_code)


@router.get(RIGHTS_PATH)
def requests_page(request: Request, session: Officer, done: str = "") -> Response:
    return _list_page(request, session, done=done)


@router.post(RIGHTS_PATH, dependencies=[Depends(csrf_protect)])
def open_request(request: Request, session: Officer, form: Form) -> Response:
    runtime = _runtime(request)
    member = session.member
    try:
        identity = Identity.parse(form.get("identity", "").strip())
        opened = runtime.privacy.open_request(
            member.workspace_id, form.get("kind", ""), identity, form.get("via", ""), member.id
        )
    except (BadRequest, NotFound) as exc:
        said = _said(exc, translator(member.language))
        return _list_page(
            request, session, problem=said, form=form, status_code=400 if isinstance(exc, BadRequest) else 404
        )
    return RedirectResponse(f"{RIGHTS_PATH}/{opened.id}?done=opened", status_code=303)


@router.get(RIGHTS_PATH + "/{rid}")
def request_page(request: Request, rid: str, session: Officer, done: str = "") -> Response:
    return _detail_page(request, session, rid, done=done)


def _detail_page(
    request: Request,
    session: StaffSession,
    rid: str,
    *,
    done: str = "",
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    runtime = _runtime(request)
    _ = translator(session.member.language)
    req = _get(runtime, session.member.workspace_id, rid)
    house = runtime.house_files[session.member.workspace_id]
    kept = []
    if req.receipt and isinstance(req.receipt.get("kept"), dict):
        lang = session.member.language
        for name, entry in sorted(req.receipt["kept"].items()):
            why = entry.get("why") or {}
            kept.append(
                (name, entry.get("count", 0), why.get("ja") if lang == "ja" and why.get("ja") else why.get("en"))
            )
    context = {
        "row": _row(req, _now(), _),
        "receipt": req.receipt,
        "kept": kept,
        "removed": sorted((req.receipt or {}).get("removed", {}).items()),
        "contents": sorted((req.receipt or {}).get("contents", {}).items()),
        "done": _(DONE[done]) if done in DONE else None,
        "problem": problem,
        "workspace_name": house.workspace.name,
        "page_path": f"{RIGHTS_PATH}/{rid}",
    }
    return render(request, "staff/rights_request.html", context, status_code=status_code)


@router.post(RIGHTS_PATH + "/{rid}/verification", dependencies=[Depends(csrf_protect)])
def verification(request: Request, rid: str, session: Officer, form: Form) -> Response:
    runtime = _runtime(request)
    member = session.member
    _get(runtime, member.workspace_id, rid)
    state = form.get("state", "")
    runtime.privacy.set_verification(member.workspace_id, rid, state, member.id)
    return RedirectResponse(f"{RIGHTS_PATH}/{rid}?done={state}", status_code=303)


@router.post(RIGHTS_PATH + "/{rid}/complete", dependencies=[Depends(csrf_protect)])
def complete(request: Request, rid: str, session: Officer) -> Response:
    runtime = _runtime(request)
    member = session.member
    _get(runtime, member.workspace_id, rid)
    try:
        # The copy made here only counts what it holds for the receipt; the download makes a fresh one.
        runtime.privacy.complete_request(member.workspace_id, rid, member.id, io.BytesIO())
    except (BadRequest, NotFound) as exc:
        said = _said(exc, translator(member.language))
        return _detail_page(request, session, rid, problem=said, status_code=400)
    return RedirectResponse(f"{RIGHTS_PATH}/{rid}?done=completed", status_code=303)


@router.get(RIGHTS_PATH + "/{rid}/export.zip")
def download(request: Request, rid: str, session: Officer) -> Response:
    runtime = _runtime(request)
    wid = session.member.workspace_id
    req = _get(runtime, wid, rid)
    if not _row(req, _now(), translator("en"))["export_ready"]:
        raise BadRequest("complete an export or access request first", hint="verify the identity, then complete it")
    assert req.customer_id is not None
    buffer = io.BytesIO()
    runtime.privacy.export(wid, req.customer_id, buffer)
    filename = f"rights-request-{rid}-{iso(_now())[:10]}.zip"
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(buffer.getvalue(), media_type="application/zip", headers=headers)
