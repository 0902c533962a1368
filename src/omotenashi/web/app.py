"""The FastAPI app factory: routes, error mapping, templates; the runtime is handed in, never imported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from omotenashi import __version__
from omotenashi.bootstrap import Runtime
from omotenashi.web import errors, pages
from omotenashi.web.api import care as care_api
from omotenashi.web.api import customers as customers_api
from omotenashi.web.api import signals as signals_api
from omotenashi.web.api import staff as staff_api
from omotenashi.web.api import status, tracking
from omotenashi.web.portal import me as portal_me
from omotenashi.web.portal import sign_in as portal_sign_in
from omotenashi.web.schemas import BatchRequest, SegmentMessage
from omotenashi.web.staff import anticipation as anticipation_pages
from omotenashi.web.staff import care as care_pages
from omotenashi.web.staff import customer_actions, customers, rights
from omotenashi.web.staff import friction as friction_pages
from omotenashi.web.staff import goodwill as goodwill_pages
from omotenashi.web.staff import journeys as journeys_pages
from omotenashi.web.staff import pages as staff_pages
from omotenashi.web.staff import team as team_pages
from omotenashi.web.throttle import Throttle


def create_app(runtime: Runtime, *, close_on_shutdown: bool = True) -> FastAPI:
    """An app serving one runtime's workspaces."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if close_on_shutdown:
            runtime.close()

    app = FastAPI(
        title="omotenashi",
        version=__version__,
        description="Anticipatory customer care on first-party data. The `/v1/*` endpoints speak Segment's "
        "HTTP Tracking API, so existing trackers work unchanged.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.throttle = Throttle(runtime.settings.sign_in_limits)
    errors.install(app)
    app.include_router(tracking.router)
    app.include_router(status.router)
    app.include_router(pages.router)
    app.include_router(staff_api.router)
    app.include_router(staff_pages.router)
    app.include_router(customers_api.router)
    app.include_router(customers.router)
    app.include_router(customer_actions.router)
    app.include_router(journeys_pages.router)
    app.include_router(anticipation_pages.router)
    app.include_router(journeys_pages.api)
    app.include_router(friction_pages.router)
    app.include_router(signals_api.router)
    app.include_router(care_api.router)
    app.include_router(rights.router)
    app.include_router(team_pages.router)
    app.include_router(care_pages.router)
    app.include_router(goodwill_pages.router)
    app.include_router(portal_sign_in.router)
    app.include_router(portal_me.router)
    app.mount("/static", StaticFiles(directory=str(resources.files("omotenashi.web") / "static")), name="static")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (BatchRequest, SegmentMessage):
                doc = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(doc.pop("$defs", {}))
                components[model.__name__] = doc
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
