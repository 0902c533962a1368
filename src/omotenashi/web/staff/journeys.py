"""The journey map: a staff page (`/staff/journeys`) and its JSON (`/api/journeys`, `/api/journeys/{journey}`).

Both show, per stage, the customers in it now and its journeys: each step with its conversion, the time customers
took to move on (a chart per step), where they wait, stall or leave, and the first moment of friction with the
signals found there. Charts are drawn by `/static/journeys.js` (Chart.js, vendored) from `data-chart` attributes;
every number is also in a table, so the page reads without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from omotenashi.bootstrap import Runtime
from omotenashi.friction import explain
from omotenashi.i18n import translator
from omotenashi.journeys.words import BUCKET_LABELS, STAGE_LABELS, duration, percent
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.web.schemas import ErrorResponse
from omotenashi.web.staff.auth import csrf_protect, require_permission
from omotenashi.web.staff.journeys_schemas import (
    JourneyMapPublic,
    JourneyPublic,
    StepPublic,
    journey_public,
    map_public,
)
from omotenashi.web.staff.problems import StaffPageRoute
from omotenashi.web.staff.rendering import render

router = APIRouter(include_in_schema=False, route_class=StaffPageRoute)
api = APIRouter(prefix="/api/journeys", tags=["journeys"])

Viewer = Annotated[StaffSession, Depends(require_permission(Action.VIEW_CUSTOMER))]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "No live staff session."},
    403: {"model": ErrorResponse, "description": "The role may not view customers."},
}


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _chart(step: StepPublic, lang: str) -> dict[str, object]:
    """What `journeys.js` draws for a step: how many customers moved on within each bucket of time."""
    _ = translator(lang)
    return {
        "labels": [_(label) for label in BUCKET_LABELS],
        "values": [b.customers for b in step.histogram],
        "title": _("Customers by time to the next step"),
    }


@router.get("/staff/journeys")
def journeys_page(request: Request, session: Viewer, done: str = "") -> Response:
    member = session.member
    lang = member.language
    runtime = _runtime(request)
    section = runtime.house_files[member.workspace_id].journeys
    public = map_public(runtime.journeys.map(member, lang), lang)
    _ = translator(lang)
    funnels = {
        j.id: {
            "labels": [s.name for s in j.steps],
            "values": [s.reached for s in j.steps],
            "highlight": j.friction_step,
            "title": _("Customers who reached each step"),
        }
        for stage in public.stages
        for j in stage.journeys
    }
    charts = {(j.id, s.index): _chart(s, lang) for stage in public.stages for j in stage.journeys for s in j.steps}
    return render(
        request,
        "staff/journeys.html",
        {
            "map": public,
            "funnels": funnels,
            "charts": charts,
            "done": done,
            "duration": lambda ms: duration(ms, lang),
            "percent": lambda share: percent(share, lang),
            "stage_label": lambda stage: _(STAGE_LABELS.get(stage) or stage),
            "signal_title": lambda kind: explain.title(kind, lang),
            "configured": bool(section and section.journeys),
            "dropout_days": section.dropout_days if section else 14,
        },
    )


@router.post("/staff/journeys/refresh", dependencies=[Depends(csrf_protect)])
def refresh_baselines(request: Request, session: Viewer) -> Response:
    _runtime(request).journeys.refresh(session.member.workspace_id)
    return RedirectResponse("/staff/journeys?done=refreshed", status_code=303)


@api.get("", summary="The journey map: stages, journeys, steps and first moments of friction.", responses=_ERRORS)
def journey_map(request: Request, session: Viewer, lang: Literal["en", "ja"] | None = None) -> JourneyMapPublic:
    language = lang or session.member.language
    return map_public(_runtime(request).journeys.map(session.member, language), language)


@api.get(
    "/{journey}",
    summary="One journey: its steps, conversion, time to the next step, outcomes and first moment of friction.",
    responses={**_ERRORS, 404: {"model": ErrorResponse, "description": "No such journey in the house file."}},
)
def one_journey(
    request: Request, journey: str, session: Viewer, lang: Literal["en", "ja"] | None = None
) -> JourneyPublic:
    language = lang or session.member.language
    return journey_public(_runtime(request).journeys.journey(session.member, journey, language), language)
