"""The signed-in customer's pages: what we know about you, your choices, corrections, download and erasure.

Forms redirect (303) back to `/portal/me?done=<what>`, said on the page in the reader's language. A correction the
customer can fix (an empty or too long value) shows the page again with the problem next to that trait (400).
"""

from __future__ import annotations

import io
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from omotenashi.bootstrap import Runtime
from omotenashi.core.clock import iso
from omotenashi.core.errors import BadRequest, NotFound
from omotenashi.core.purposes import ConsentMethod
from omotenashi.i18n import N_, translator
from omotenashi.privacy import links
from omotenashi.privacy.links import PortalSession
from omotenashi.web.portal.auth import COOKIE, csrf_protect, current_customer, now_ms
from omotenashi.web.portal.problems import PortalPageRoute
from omotenashi.web.portal.rendering import date_words, language_of, render, runtime_of
from omotenashi.web.portal.view import KnowledgeView
from omotenashi.web.portal.wording import REMOVED, PortalWording
from omotenashi.web.staff.forms import read_form
from omotenashi.web.staff.rendering import SECURITY_HEADERS

router = APIRouter(include_in_schema=False, route_class=PortalPageRoute)

Customer = Annotated[PortalSession, Depends(current_customer)]
Posted = Annotated[PortalSession, Depends(csrf_protect)]
Form = Annotated[dict[str, str], Depends(read_form)]

ME_PATH = "/portal/me"
MAX_VALUE_CHARS = 2000
EMPTY_VALUE = N_("Please write the corrected value.")
VALUE_TOO_LONG = N_("That is too long: at most 2,000 characters.")
NOT_YOURS = N_("We hold no such detail about you.")


def _view(request: Request, runtime: Runtime, customer: PortalSession) -> tuple[KnowledgeView, PortalWording]:
    lang = language_of(request)
    wid = customer.workspace_id
    words = PortalWording(translator(lang), lang, runtime.house_files[wid])
    knowledge = runtime.privacy.knowledge(wid, customer.customer_id)
    _, day = date_words(request)
    return KnowledgeView(knowledge, words, runtime.privacy.hashed_kinds(wid), day), words


def _anticipated(runtime: Runtime, customer: PortalSession, lang: str) -> dict[str, Any] | None:
    """What the models expect of the customer, with the model's reasons and the purpose it serves."""
    from omotenashi.anticipation.behaviour_words import watch_levels
    from omotenashi.anticipation.words import describe
    from omotenashi.memory.briefing import why

    house = runtime.house_files[customer.workspace_id]
    if house.anticipation is None:
        return None
    with runtime.engines.read.connect() as conn:
        stored = runtime.anticipation.of_customer(conn, customer.workspace_id, customer.customer_id)
    if not stored:
        return None
    return {
        "items": describe(stored, lang, house.anticipation.slipping_below, watch_levels(house.anticipation)),
        "why": why(house, house.anticipation.purposes[0], lang),
    }


def me_page(
    request: Request,
    customer: PortalSession,
    *,
    done: str = "",
    done_values: dict[str, str] | None = None,
    problem: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """“What we know about you” (also shown again, with the problem next to its form, after a correction failed)."""
    runtime = runtime_of(request)
    view, words = _view(request, runtime, customer)
    events = view.events()
    held_events = {e.key for e in events}
    context: dict[str, Any] = {
        "v": view,
        "name": view.name(),
        "choices": view.choices(),
        "identifiers": view.identifiers(),
        "traits": view.traits(),
        "preferences": view.preferences(),
        "notes": view.notes(),
        "events": events,
        "access": view.access(),
        "anticipated": _anticipated(runtime, customer, language_of(request)),
        "kept": [(name, why) for name, why in view.kept_after_erasure() if name in held_events],
        "gpc_now": bool(getattr(request.state, "gpc_recorded", False)),
        "gpc_withdrawn": view.gpc_withdrawn(),
        "done": words.done(done, done_values or {}) if done else None,
        "done_code": done,
        "problem": problem,
        "page_path": ME_PATH,
    }
    return render(request, "portal/me.html", context, status_code=status_code)


@router.get(ME_PATH)
def me(request: Request, customer: Customer, done: str = "", purpose: str = "", name: str = "") -> Response:
    runtime = runtime_of(request)
    lang = language_of(request)
    words = PortalWording(translator(lang), lang, runtime.house_files[customer.workspace_id])
    values = {"purpose": words.purpose_title(purpose[:64]), "name": name[:128]}
    return me_page(request, customer, done=done, done_values=values)


def _back(done: str, anchor: str, **values: str) -> Response:
    query = urlencode({"done": done, **values})
    return RedirectResponse(f"{ME_PATH}?{query}#{anchor}", status_code=303)


@router.post("/portal/consent")
def change_consent(request: Request, customer: Posted, form: Form) -> Response:
    runtime = runtime_of(request)
    purpose = form.get("purpose", "")
    choice = form.get("choice", "")
    if choice not in ("grant", "withdraw"):
        raise BadRequest("choose grant or withdraw")
    receipt = runtime.privacy.change_consent(
        customer.workspace_id, customer.customer_id, purpose, choice == "grant", ConsentMethod.PORTAL, "portal"
    )
    done = "consent_unchanged" if receipt is None else ("consent_granted" if choice == "grant" else "consent_withdrawn")
    return _back(done, f"purpose-{purpose}", purpose=purpose)


@router.post("/portal/traits")
def correct_trait(request: Request, customer: Posted, form: Form) -> Response:
    runtime = runtime_of(request)
    name = form.get("name", "")
    value = form.get("value", "").strip()
    known = {t.label for t in runtime.privacy.knowledge(customer.workspace_id, customer.customer_id).traits}
    problem = None
    if name not in known:
        problem = NOT_YOURS
    elif not value:
        problem = EMPTY_VALUE
    elif len(value) > MAX_VALUE_CHARS:
        problem = VALUE_TOO_LONG
    if problem is not None:
        _ = translator(language_of(request))
        where = f"trait:{name}" if name in known else "page"
        shown = {"where": where, "message": _(problem), "value": value}
        return me_page(request, customer, problem=shown, status_code=400)
    runtime.privacy.correct(customer.workspace_id, customer.customer_id, name, value, reason="corrected in the portal")
    return _back("corrected", "details", name=name)


@router.get("/portal/export.zip")
def export(request: Request, customer: Customer) -> Response:
    runtime = runtime_of(request)
    buffer = io.BytesIO()
    runtime.privacy.export(customer.workspace_id, customer.customer_id, buffer)
    filename = f"my-data-{customer.workspace_id}-{iso(now_ms())[:10]}.zip"
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(buffer.getvalue(), media_type="application/zip", headers=headers)


@router.get("/portal/erase")
def erase_form(request: Request, customer: Customer) -> Response:
    runtime = runtime_of(request)
    view, _ = _view(request, runtime, customer)
    events = view.events()
    held = {e.key for e in events}
    context = {
        "counts": {
            "identifiers": len(view.k.identifiers),
            "traits": len(view.k.traits),
            "preferences": len(view.k.preferences),
            "notes": len(view.k.notes),
            "events": sum(e.count or 0 for e in events),
            "access": len(view.k.access),
            "choices": sum(1 for c in view.k.consent if c.last is not None),
        },
        "kept": [(name, why) for name, why in view.kept_after_erasure() if name in held],
    }
    return render(request, "portal/erase.html", context)


@router.post("/portal/erase")
def erase(request: Request, customer: Posted) -> Response:
    runtime = runtime_of(request)
    receipt = runtime.privacy.erase(customer.workspace_id, customer.customer_id, via="portal")
    token = request.cookies.get(COOKIE, "")
    runtime.writer.call(lambda conn: links.end_session(conn, token, now=now_ms()))
    # The page that follows belongs to nobody signed in: the receipt is all that is left to show.
    request.state.portal_workspace = customer.workspace_id
    request.state.portal_session = None
    lang = language_of(request)
    words = PortalWording(translator(lang), lang, runtime.house_files[customer.workspace_id])
    kept = [
        (name, int(entry.get("count", 0)), _why(entry.get("why"), lang))
        for name, entry in sorted(receipt.get("kept", {}).items())
    ]
    order = list(REMOVED)
    removed_tables = sorted(
        receipt.get("removed", {}).items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
    )
    removed = [(words.removed(table), n) for table, n in removed_tables if n]
    context = {"receipt": receipt, "kept": kept, "removed": removed, "page_path": "/portal/"}
    response = render(request, "portal/erased.html", context)
    response.delete_cookie(COOKIE, path="/portal")
    return response


def _why(why: Any, lang: str) -> str:
    if isinstance(why, dict):
        return str(why.get("ja") if lang == "ja" and why.get("ja") else why.get("en", ""))
    return str(why or "")


@router.get("/portal/{rest:path}")
def not_here(request: Request, rest: str) -> Response:
    """Any other portal address: the portal's own page, not the API's JSON (registered last, so it only catches
    what no other portal route took)."""
    raise NotFound(f"no portal page `{rest[:100]}`")
