"""The pages: the start page of a served workspace."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from omotenashi.core.clock import iso
from omotenashi.intake.status import status_of_store
from omotenashi.store import events

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("omotenashi.web") / "templates"))
templates.env.filters["iso"] = iso


@router.get("/")
def home(request: Request) -> Response:
    runtime = request.app.state.runtime
    statuses = status_of_store(runtime.engines, list(runtime.houses))
    recent = {}
    with runtime.engines.read.connect() as conn:
        for wid in runtime.houses:
            recent[wid] = events.recent(conn, wid, limit=15)
    base = str(request.base_url).rstrip("/")
    return templates.TemplateResponse(
        request,
        "home.html",
        {
            "houses": {wid: h.house for wid, h in runtime.houses.items()},
            "statuses": {s["workspace"]: s for s in statuses},
            "recent": recent,
            "base": base,
            "demo_key": runtime.demo_write_key,
        },
    )


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
