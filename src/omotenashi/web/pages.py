"""The public start page of a served workspace: figures only, no customer's data."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from omotenashi.core.clock import iso
from omotenashi.demo.accounts import DEMO_PASSWORD, DEMO_STAFF
from omotenashi.intake.status import status_of_store
from omotenashi.web.portal.demo import demo_entries

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("omotenashi.web") / "templates"))
templates.env.filters["iso"] = iso


@router.get("/")
def home(request: Request) -> Response:
    runtime = request.app.state.runtime
    statuses = status_of_store(runtime.engines, list(runtime.houses))
    people = {wid: runtime.memory.count(wid) for wid in runtime.houses}
    base = str(request.base_url).rstrip("/")
    demo = runtime.demo_write_key is not None
    return templates.TemplateResponse(
        request,
        "home.html",
        {
            "houses": {wid: h.house for wid, h in runtime.houses.items()},
            "statuses": {s["workspace"]: s for s in statuses},
            "people": people,
            "base": base,
            "demo_key": runtime.demo_write_key,
            "demo_staff": DEMO_STAFF if demo else (),
            "demo_password": DEMO_PASSWORD if demo else None,
            "portal_demo": demo_entries(runtime) if demo else [],
        },
    )


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
