"""The customers API for staff: the briefing before a contact, as JSON, with the staff session's cookie."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request

from omotenashi.bootstrap import Runtime
from omotenashi.memory.briefing import Briefing, Fact, Why
from omotenashi.staff.permissions import Action
from omotenashi.staff.sessions import StaffSession
from omotenashi.web.api.customer_schemas import (
    ActivityPublic,
    AnticipationPublic,
    BriefingPublic,
    CountsPublic,
    FactPublic,
    MatterPublic,
    NextStepPublic,
    NotePublic,
    WhyPublic,
)
from omotenashi.web.schemas import ErrorResponse
from omotenashi.web.staff.auth import require_permission

router = APIRouter(prefix="/api/customers", tags=["customers"])


def _why(w: Why) -> WhyPublic:
    return WhyPublic(purpose=w.purpose, text=w.text)


def _fact_of(f: Fact) -> FactPublic:
    return FactPublic(value=f.value, origin=f.origin, source=f.source, at=f.at, why=_why(f.why))


def _fact(f: Fact | None) -> FactPublic | None:
    return None if f is None else _fact_of(f)


def briefing_public(b: Briefing, lang: str) -> BriefingPublic:
    """The wire form of a briefing."""
    facts = {f.label: f for f in b.facts}
    matters = [
        MatterPublic(
            kind="identity_conflict",
            conflict_id=int(m.detail["conflict_id"]),
            identifier_kind=str(m.detail.get("kind", "")),
            reason=m.detail.get("why"),
            user_ids=[str(u) for u in m.detail.get("user_ids") or []],
            at=m.at,
            why=_why(m.why),
        )
        for m in b.open_matters
    ]
    return BriefingPublic(
        customer_id=b.customer_id,
        asked_for=b.profile.asked_for,
        lang=lang,
        name=_fact(b.name),
        language=_fact(facts.get("language")),
        tone=_fact(facts.get("tone")),
        channel=_fact(facts.get("channel")),
        channels={k.split(".", 1)[1]: _fact_of(f) for k, f in facts.items() if k.startswith("channel.")},
        quiet_hours=_fact(facts.get("quiet_hours")),
        no_first_contact=_fact(facts.get("no_first_contact")),
        timezone=_fact(facts.get("timezone")),
        journey=_fact(b.journey),
        recent=[
            ActivityPublic(
                text=line.text,
                at=line.at,
                type=line.detail.get("type"),
                event=line.detail.get("event"),
                why=_why(line.why),
            )
            for line in b.recent
        ],
        open_matters=matters,
        notes=[
            NotePublic(
                id=str(n.detail["id"]),
                text=n.text,
                at=n.at,
                author_id=str(n.detail["author"]),
                version=int(n.detail["version"]),
                why=_why(n.why),
            )
            for n in b.notes
        ],
        counts=CountsPublic(
            events=b.events, merged_records=b.merged_records, open_matters=len(matters), notes=len(b.notes)
        ),
        first_seen=b.first_ts,
        last_seen=b.last_ts,
        anticipations=[
            AnticipationPublic(
                kind=a.kind,
                title=a.title,
                score=a.score,
                value=a.value,
                level=a.level,
                tag=a.tag,
                note=a.note,
                steps=[NextStepPublic(step=step, title=title, probability=p) for step, title, p in a.steps],
                synthetic=a.synthetic,
                reasons=a.reasons,
                computed_at=a.computed_at,
                as_of=a.as_of,
                model_id=a.model_id,
                why=_why(b.anticipation_why),
            )
            for a in b.anticipations
            if b.anticipation_why is not None
        ],
    )


@router.get(
    "/{cid}/briefing",
    summary="What to know before contacting a customer, each item with the purpose that lets you see it.",
    description="Only data kept for service or care appears. Every call is written to the customer's access log.",
    responses={
        401: {"model": ErrorResponse, "description": "No live staff session."},
        403: {"model": ErrorResponse, "description": "The role may not view customers."},
        404: {"model": ErrorResponse, "description": "No such customer in this workspace."},
    },
)
def briefing(
    request: Request,
    cid: str,
    session: Annotated[StaffSession, Depends(require_permission(Action.VIEW_CUSTOMER))],
    lang: Literal["en", "ja"] | None = None,
) -> BriefingPublic:
    runtime: Runtime = request.app.state.runtime
    language = lang or session.member.language
    return briefing_public(runtime.memory.briefing(session.member, cid, language), language)
