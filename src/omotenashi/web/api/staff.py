"""The signed-in staff member, as JSON, for scripts and pages that call the staff API with their session cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from omotenashi.staff import accounts
from omotenashi.staff.permissions import Action, allowed_actions
from omotenashi.staff.sessions import StaffSession
from omotenashi.web.schemas import ErrorResponse
from omotenashi.web.staff.auth import current_staff, require_permission

router = APIRouter(prefix="/api/staff", tags=["staff"])


class StaffMemberPublic(BaseModel):
    """A member of the workspace's staff, as an administrator sees them."""

    id: str
    email: str
    name: str
    role: str = Field(description="frontline, lead, privacy_officer or admin")
    language: str = Field(description="en or ja")
    disabled_at: int | None = Field(description="When they were stopped from signing in, epoch ms; null if active.")


class StaffPublic(BaseModel):
    """A staff member as the API shows them."""

    id: str
    workspace: str
    email: str
    name: str
    role: str = Field(description="frontline, lead, privacy_officer or admin")
    language: str = Field(description="The language pages are shown in: en or ja.")
    permissions: list[str] = Field(description="What the role allows, e.g. view_customer, write_note.")
    session_expires_at: int = Field(description="When the session ends, epoch milliseconds (UTC).")


@router.get(
    "/me",
    summary="The staff member the session cookie belongs to, and what their role allows.",
    responses={401: {"model": ErrorResponse, "description": "No live staff session."}},
)
def me(session: Annotated[StaffSession, Depends(current_staff)]) -> StaffPublic:
    m = session.member
    return StaffPublic(
        id=m.id,
        workspace=m.workspace_id,
        email=m.email,
        name=m.name,
        role=m.role,
        language=m.language,
        permissions=[a.value for a in allowed_actions(m.role)],
        session_expires_at=session.expires_at,
    )


@router.get(
    "",
    summary="Everyone on the workspace's staff (administrators only).",
    responses={
        401: {"model": ErrorResponse, "description": "No live staff session."},
        403: {"model": ErrorResponse, "description": "The role may not manage staff."},
    },
)
def list_staff(
    request: Request, session: Annotated[StaffSession, Depends(require_permission(Action.MANAGE_STAFF))]
) -> list[StaffMemberPublic]:
    with request.app.state.runtime.engines.read.connect() as conn:
        members = accounts.members(conn, session.member.workspace_id)
    return [
        StaffMemberPublic(
            id=m.id, email=m.email, name=m.name, role=m.role, language=m.language, disabled_at=m.disabled_at
        )
        for m in members
    ]
