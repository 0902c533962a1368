"""Response schemas of the customers API (the wire format; never storage rows)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class WhyPublic(BaseModel):
    """Why this staff member may see an item: the purpose it is kept for."""

    purpose: str = Field(description="The purpose's id, e.g. `service` or `care`.")
    text: str = Field(description="What the purpose is for, in plain words, in the briefing's language.")


class FactPublic(BaseModel):
    """One thing known about the customer, where it came from, and why it is shown."""

    value: Any = Field(description="The value: text, a flag, or for quiet hours `{start, end, timezone?}`.")
    origin: str | None = Field(description="`customer`, `staff`, `inferred` or `workspace default`.")
    source: str | None = Field(description="The source it came from, when a touchpoint sent it.")
    at: int | None = Field(description="When it was said, epoch milliseconds (UTC).")
    why: WhyPublic


class ActivityPublic(BaseModel):
    """Something the customer did, in plain words."""

    text: str = Field(description="One sentence, e.g. `Completed an order of $30.00 (3 items)`.")
    at: int = Field(description="When, epoch milliseconds (UTC).")
    type: str | None = Field(description="The event's type: track, identify, page, screen, group or alias.")
    event: str | None = Field(description="A track event's name, as the touchpoint sent it.")
    why: WhyPublic


class MatterPublic(BaseModel):
    """Something open that staff should look at, e.g. an identifier shared by two different accounts."""

    kind: str = Field(description="`identity_conflict`.")
    conflict_id: int = Field(description="Mark it as looked at with `POST /staff/conflicts/{id}/resolve`.")
    identifier_kind: str = Field(description="The kind of the shared identifier, e.g. `anonymous_id`.")
    reason: str | None = Field(description="Why it is open, e.g. `different_user_ids`.")
    user_ids: list[str] = Field(description="The different userIds involved, when that is the reason.")
    at: int = Field(description="When it was noticed, epoch milliseconds (UTC).")
    why: WhyPublic


class NotePublic(BaseModel):
    """A staff note on the customer (the newest first)."""

    id: str
    text: str
    at: int = Field(description="When it was written, epoch milliseconds (UTC).")
    author_id: str = Field(description="The staff member who wrote it.")
    version: int = Field(description="1 for an unchanged note; every edit adds one (earlier text is kept).")
    why: WhyPublic


class NextStepPublic(BaseModel):
    """One anticipated next step or need, with its chance."""

    step: str = Field(description="The step or need, e.g. `billing`, `help`, `Teammate Invited`.")
    title: str = Field(description="The step in plain words, in the reader's language.")
    probability: float


class AnticipationPublic(BaseModel):
    """What the live model anticipates for the customer, with its reasons."""

    kind: str = Field(
        description="buys_again, expected_purchases, still_active, churn_risk, support_contact_risk or next_step."
    )
    title: str = Field(description="What is anticipated, in plain words.")
    score: float = Field(
        description="A probability (buys_again, still_active, churn_risk, support_contact_risk; next_step: the "
        "likeliest step's) or a number of purchase days (expected_purchases)."
    )
    value: str = Field(description="The score as shown, e.g. `72%`.")
    level: str = Field(
        description="`watch` when the customer is slipping away, at risk of not renewing or about to need help "
        "(see `tag`), `good`, or empty."
    )
    tag: str | None = Field(default=None, description="What `watch` means here, in plain words.")
    note: str | None
    steps: list[NextStepPublic] = Field(
        default_factory=list, description="next_step: the three likeliest next steps, likeliest first."
    )
    synthetic: bool = Field(
        default=False, description="Computed from synthetic (made-up) data, such as the demo's simulated company."
    )
    reasons: list[str] = Field(description="The model's top reasons for this customer, strongest first.")
    computed_at: int = Field(description="When it was computed, epoch milliseconds (UTC).")
    as_of: int = Field(description="The end of the history it was computed from, epoch milliseconds (UTC).")
    model_id: str = Field(description="The stored model that made it (its holdout report is kept with it).")
    why: WhyPublic


class CountsPublic(BaseModel):
    events: int = Field(description="Events remembered for the customer, of every merged record.")
    merged_records: int = Field(description="Other customer records merged into this one.")
    open_matters: int
    notes: int = Field(description="Notes in `notes` (the newest few).")


class BriefingPublic(BaseModel):
    """What to know before contacting a customer; only data kept for service or care, each item with its purpose."""

    customer_id: str = Field(description="The customer as one person (merged records are answered by their survivor).")
    asked_for: str = Field(description="The id asked for.")
    lang: str = Field(description="The language of the texts: en or ja.")
    name: FactPublic | None = Field(description="The customer's name, if they gave one.")
    language: FactPublic | None
    tone: FactPublic | None
    channel: FactPublic | None = Field(description="The preferred channel in general.")
    channels: dict[str, FactPublic] = Field(description="A preferred channel per purpose, keyed by purpose.")
    quiet_hours: FactPublic | None
    no_first_contact: FactPublic | None = Field(description="True: wait for the customer to get in touch.")
    timezone: FactPublic | None
    journey: FactPublic | None = Field(
        description="Where the customer is in their journeys, and their current stage, in plain words (null: none yet)."
    )
    recent: list[ActivityPublic] = Field(description="Recent activity, newest first.")
    open_matters: list[MatterPublic]
    notes: list[NotePublic]
    counts: CountsPublic
    first_seen: int | None = Field(description="First event, epoch milliseconds (UTC).")
    last_seen: int | None = Field(description="Latest event, epoch milliseconds (UTC).")
    anticipations: list[AnticipationPublic] = Field(
        default_factory=list, description="What the live model anticipates (empty when nothing is scored)."
    )
