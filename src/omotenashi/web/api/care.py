"""The care API for staff tools and integrations: the care queue and each playbook's outcome as JSON, with the staff
session's cookie (`GET /api/care/items`, `GET /api/care/items/{id}`, `GET /api/care/outcomes`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from omotenashi.bootstrap import Runtime
from omotenashi.care.queue import VIEWS, Row
from omotenashi.core.errors import BadRequest
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.web.schemas import ErrorResponse
from omotenashi.web.staff.auth import require_permission

router = APIRouter(prefix="/api/care", tags=["care"])
Viewer = Annotated[StaffSession, Depends(require_permission(Action.VIEW_CUSTOMER))]
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The workspace has no `care:` section."},
    401: {"model": ErrorResponse, "description": "No live staff session."},
    403: {"model": ErrorResponse, "description": "The role may not view customers."},
    404: {"model": ErrorResponse, "description": "No such care item."},
}


class CareItemPublic(BaseModel):
    """A care item, in the reader's language."""

    id: str
    customer_id: str
    playbook: str = Field(description="A playbook id of the house file, or `reach_a_person`")
    title: str = Field(description="What the item is for (its playbook's title)")
    reason: str = Field(description="Why it exists, in plain words: the signal's own explanation, the anticipation…")
    trigger: Literal["signal", "anticipation", "deadline", "schedule"]
    arm: Literal["treated", "holdout"]
    status: Literal["open", "claimed", "resolved", "held_out", "closed"]
    priority: int = Field(description="0 urgent, 1 high, 2 normal, 3 low")
    team: str | None
    owner_id: str | None
    owner: str | None = Field(description="The owner's name")
    due_at: int = Field(description="Epoch ms")
    overdue: bool
    created_at: int
    resolved_at: int | None
    outcome: str | None = Field(description="What staff said happened, or how it closed by itself")
    recovered: bool | None = Field(description="Whether the customer recovered within the playbook's outcome window")
    reassignments: int
    ping_pong: int = Field(description="Reassignments back to someone who had it before")
    url: str


class CareItemsPublic(BaseModel):
    lang: str
    view: str
    items: list[CareItemPublic]


class ArmPublic(BaseModel):
    items: int
    read: int = Field(description="Items whose outcome window has passed")
    recovered: int
    rate: float | None


class OutcomePublic(BaseModel):
    playbook: str
    recovered_when: str
    within_days: int
    treated: ArmPublic
    holdout: ArmPublic
    difference: float | None = Field(description="Recovery rate of the treated minus the holdout's")
    interval_95: list[float] | None = Field(description="Newcombe's 95 % interval of the difference")
    verdict: Literal["helped", "harmed", "unclear", "too_early"]


def _public(r: Row) -> CareItemPublic:
    i = r.item
    return CareItemPublic(
        id=i.id,
        customer_id=i.customer_id,
        playbook=i.playbook,
        title=r.title,
        reason=r.reason,
        trigger=i.trigger,
        arm=i.arm,
        status=i.status,
        priority=i.priority,
        team=i.team,
        owner_id=i.owner_id,
        owner=r.owner,
        due_at=i.due_at,
        overdue=r.overdue,
        created_at=i.created_at,
        resolved_at=i.resolved_at,
        outcome=i.outcome,
        recovered=None if i.recovered is None else bool(i.recovered),
        reassignments=i.reassignments,
        ping_pong=i.ping_pong,
        url=f"/staff/care/{i.id}",
    )


def _runtime(request: Request, workspace_id: str) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    if workspace_id not in runtime.care.workspaces:
        raise BadRequest("this workspace has no playbooks yet", hint="add a `care:` section to the house file")
    return runtime


@router.get("/items", responses=_ERRORS)
def items(
    request: Request,
    session: Viewer,
    view: Annotated[str, Query(description=f"One of: {', '.join(VIEWS)}")] = "mine",
) -> CareItemsPublic:
    """The care queue: a view of the signed-in member's items, most urgent first."""
    member = session.member
    runtime = _runtime(request, member.workspace_id)
    if view not in VIEWS:
        raise BadRequest(f"unknown view `{view}`", hint=f"one of: {', '.join(VIEWS)}")
    rows = runtime.care.queue(member, view)
    return CareItemsPublic(lang=member.language, view=view, items=[_public(r) for r in rows])


@router.get("/items/{item_id}", responses=_ERRORS)
def item(request: Request, item_id: str, session: Viewer) -> CareItemPublic:
    """One care item."""
    member = session.member
    runtime = _runtime(request, member.workspace_id)
    return _public(runtime.care.item(member, item_id).row)


@router.get("/outcomes", responses=_ERRORS)
def outcomes(request: Request, session: Viewer) -> list[OutcomePublic]:
    """Did each playbook help? Treated customers against the random holdout."""
    wid = session.member.workspace_id
    runtime = _runtime(request, wid)
    return [
        OutcomePublic(
            playbook=o.playbook,
            recovered_when=o.recovered_when,
            within_days=o.within_days,
            treated=ArmPublic(
                items=o.treated.items, read=o.treated.read, recovered=o.treated.recovered, rate=o.treated.rate
            ),
            holdout=ArmPublic(
                items=o.holdout.items, read=o.holdout.read, recovered=o.holdout.recovered, rate=o.holdout.rate
            ),
            difference=o.difference,
            interval_95=[o.interval.low, o.interval.high] if o.interval else None,
            verdict=o.verdict,
        )
        for o in runtime.care.outcomes(wid)
    ]
