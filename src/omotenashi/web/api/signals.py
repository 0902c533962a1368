"""The signals API for staff: friction signals as JSON, with the staff session's cookie (`GET /api/signals`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from omotenashi.bootstrap import Runtime
from omotenashi.friction import inbox
from omotenashi.i18n import LANGUAGES
from omotenashi.memory.profile import resolve_customer
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.web.schemas import ErrorResponse
from omotenashi.web.staff.auth import require_permission

router = APIRouter(prefix="/api/signals", tags=["friction"])
Viewer = Annotated[StaffSession, Depends(require_permission(Action.VIEW_CUSTOMER))]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "No live staff session."},
    403: {"model": ErrorResponse, "description": "The role may not view customers."},
    404: {"model": ErrorResponse, "description": "No such customer (with `customer`)."},
}


class SignalPublic(BaseModel):
    """One friction signal, explained in the reader's language."""

    id: str
    customer_id: str
    user_ids: list[str]
    kind: str = Field(description="stall, help_loop, rage_click, dead_click, error_click, form_abandonment, …")
    title: str
    severity: int = Field(description="1 low … 3 high")
    status: Literal["open", "resolved"]
    explanation: str = Field(description="What the customer went through, in plain words")
    first_seen: int = Field(description="When the events first showed it (epoch ms, event time)")
    last_seen: int
    resolved_at: int | None
    journey: str | None
    step: str | None = Field(description="The journey step the customer was at when it began")
    evidence: list[int] = Field(description="Event seqs that show it")
    customer_url: str


class SignalsPublic(BaseModel):
    lang: str
    signals: list[SignalPublic]
    next_cursor: str | None


def signal_public(s: inbox.Shown) -> SignalPublic:
    """The wire form of a signal."""
    from omotenashi.web.staff.customer_view import customer_path

    return SignalPublic(
        id=s.id,
        customer_id=s.customer_id,
        user_ids=s.user_ids,
        kind=s.kind,
        title=s.title,
        severity=s.severity,
        status="resolved" if s.status == "resolved" else "open",
        explanation=s.explanation,
        first_seen=s.first_seen,
        last_seen=s.last_seen,
        resolved_at=s.resolved_at,
        journey=s.journey,
        step=s.step,
        evidence=s.evidence,
        customer_url=customer_path(s.customer_id),
    )


@router.get("", responses=_ERRORS)
def signals(
    request: Request,
    session: Viewer,
    customer: str | None = None,
    status: Literal["open", "resolved", "all"] = "open",
    severity: Annotated[int | None, Query(ge=1, le=3)] = None,
    kind: Annotated[list[str] | None, Query()] = None,
    step: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    lang: str | None = None,
) -> SignalsPublic:
    """Friction signals, newest first: the inbox (filtered), or one customer's (`customer`, with everyone merged
    into them)."""
    runtime: Runtime = request.app.state.runtime
    member = session.member
    wid = member.workspace_id
    house = runtime.house_files[wid]
    language = lang if lang in LANGUAGES else member.language
    with runtime.engines.read.connect() as conn:
        if customer is not None:
            _, members = resolve_customer(conn, wid, customer)
            rows = inbox.of_customer(conn, wid, house, members, language)
            rows = [r for r in rows if status == "all" or r.status == status]
            return SignalsPublic(lang=language, signals=[signal_public(r) for r in rows[:limit]], next_cursor=None)
        page = inbox.inbox(
            conn,
            wid,
            house,
            language,
            status=None if status == "all" else status,
            severity=severity,
            kinds=kind or [],
            step=step,
            cursor=cursor,
            limit=limit,
        )
    return SignalsPublic(lang=language, signals=[signal_public(r) for r in page.rows], next_cursor=page.next_cursor)
