"""Workspace status as JSON."""

from __future__ import annotations

from fastapi import APIRouter, Request

from omotenashi.intake.status import status_of_store
from omotenashi.web.schemas import WorkspaceStatus

router = APIRouter(prefix="/api", tags=["status"])


@router.get("/status", summary="Stored events, customers, duplicates and rejections per workspace.")
def status(request: Request) -> list[WorkspaceStatus]:
    runtime = request.app.state.runtime
    return [WorkspaceStatus(**s) for s in status_of_store(runtime.engines, list(runtime.houses))]
