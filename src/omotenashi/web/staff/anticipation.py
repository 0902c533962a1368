"""The anticipation page (`GET /staff/anticipation`): the model in use and how well it predicted the history held
out (baselines side by side), a candidate that was not promoted and why, earlier models, and who is slipping away."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from omotenashi.anticipation.behaviour_words import watch_levels
from omotenashi.anticipation.words import describe
from omotenashi.bootstrap import Runtime
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.store import anticipations as repo
from omotenashi.store import customers as customers_repo
from omotenashi.web.staff.anticipation_behaviour import behaviour_sections
from omotenashi.web.staff.auth import require_permission
from omotenashi.web.staff.customer_view import customer_path
from omotenashi.web.staff.problems import StaffPageRoute
from omotenashi.web.staff.rendering import render

router = APIRouter(include_in_schema=False, route_class=StaffPageRoute)
Viewer = Annotated[StaffSession, Depends(require_permission(Action.VIEW_CUSTOMER))]
TITLES = {"bgnbd": "BG/NBD", "paretonbd": "Pareto/NBD", "boosted": "Boosted (Pareto/NBD × gradient boosting)"}
MEASURES = (("mae", True), ("rmse", True), ("correlation", False), ("auc", False))


def _report(holdout: dict[str, Any]) -> list[dict[str, Any]]:
    """Per measure: each model's figure and whether it is the best of them."""
    models = holdout.get("models", [])
    rows = []
    for measure, lower in MEASURES:
        values = [m.get(measure) for m in models]
        finite = [v for v in values if isinstance(v, int | float)]
        best = (min(finite) if lower else max(finite)) if finite else None
        rows.append({"measure": measure, "lower": lower, "cells": [(v, v == best) for v in values]})
    return rows


@router.get("/staff/anticipation")
def anticipation_page(request: Request, session: Viewer) -> Response:
    runtime: Runtime = request.app.state.runtime
    member = session.member
    wid = member.workspace_id
    section = runtime.house_files[wid].anticipation
    lang = member.language
    watch = watch_levels(section)
    with runtime.engines.read.connect() as conn:
        live = repo.live_model(conn, wid)
        history = repo.model_history(conn, wid, family=repo.PURCHASE)
        counts = repo.counts(conn, wid)
        below = section.slipping_below if section else 0.5
        slipping = repo.slipping_away(conn, wid, below, limit=25)
        likely = repo.ranked(conn, wid, "buys_again", lowest=False, limit=10)
        behaviour = behaviour_sections(conn, wid, lang, watch)
        people = [p for sec in behaviour for p in sec.get("people", [])]
        ids = {a.customer_id for a in [*slipping, *likely]} | {p["id"] for p in people}
        # Customers are named as the company knows them (their user ids), as the friction inbox does.
        users = customers_repo.user_ids_of(conn, wid, ids)

    def label(customer_id: str) -> str:
        return ", ".join(sorted(users.get(customer_id, ()))) or customer_id

    for person in people:
        person["label"] = label(person["id"])
    rejected = next((m for m in history if m.status == repo.CANDIDATE and live and m.fitted_at == live.fitted_at), None)

    def shown(items: list[repo.Anticipation]) -> list[dict[str, Any]]:
        return [
            {
                "path": customer_path(a.customer_id),
                "id": a.customer_id,
                "label": label(a.customer_id),
                "shown": describe([a], lang, below, watch)[0],
            }
            for a in items
        ]

    return render(
        request,
        "staff/anticipation.html",
        {
            "configured": section is not None,
            "section": section,
            "live": live,
            "rejected": rejected,
            "history": history,
            "counts": counts,
            "titles": TITLES,
            "report": _report(live.holdout) if live else [],
            "models": live.holdout.get("models", []) if live else [],
            "slipping": shown(slipping),
            "likely": shown(likely),
            "behaviour": behaviour,
        },
    )
