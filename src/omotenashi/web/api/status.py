"""Workspace status as JSON, for the holder of one of the workspace's write keys."""

from __future__ import annotations

from fastapi import APIRouter, Request

from omotenashi.intake.status import status_of_store
from omotenashi.web.api.tracking import write_key_from
from omotenashi.web.schemas import ErrorResponse, WorkspaceStatus

router = APIRouter(prefix="/api", tags=["status"])


@router.get(
    "/status",
    summary="Stored events, customers, duplicates and rejections of the write key's workspace.",
    responses={401: {"model": ErrorResponse, "description": "Missing, unknown or revoked write key."}},
)
def status(request: Request) -> list[WorkspaceStatus]:
    runtime = request.app.state.runtime
    source = runtime.intake.authenticate(write_key_from(request))
    return [WorkspaceStatus(**s) for s in status_of_store(runtime.engines, [source.workspace_id])]
