"""The house file's `anticipation:` section: which events are purchases, subscriptions and support contacts, the
models' horizons and thresholds, and what they may read (checked in `anticipation_check.py`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from omotenashi.config.types import Slug, Strict


class ChurnSection(Strict):
    started_events: list[str] = Field(
        default_factory=lambda: ["Subscription Started", "Subscription Renewed"],
        min_length=1,
        description="`track` events that start or renew a subscription: after one, the customer is a subscriber.",
    )
    ended_events: list[str] = Field(
        default_factory=lambda: ["Subscription Cancelled"],
        min_length=1,
        description="`track` events that end a subscription (cancelled, not renewed): what churn risk anticipates.",
    )
    horizon_days: int = Field(
        default=30, ge=7, le=365, description="Churn risk: the chance a subscriber's subscription ends within it."
    )
    watch_above: float = Field(
        default=0.1, gt=0, lt=1, description="A subscriber is *at risk of not renewing* at or above this chance."
    )


class SupportContactSection(Strict):
    events: list[str] = Field(
        default_factory=lambda: ["Ticket Created", "Ticket Reopened", "Chat Started"],
        min_length=1,
        description="`track` events that are the customer contacting support (tickets, chats, calls).",
    )
    horizon_days: int = Field(
        default=7, ge=1, le=90, description="Support-contact risk: the chance the customer contacts support within it."
    )
    watch_above: float = Field(
        default=0.1, gt=0, lt=1, description="A customer is *about to need help* at or above this chance."
    )


class AnticipationSection(Strict):
    purchase_events: list[str] = Field(
        default_factory=lambda: ["Order Completed"],
        min_length=1,
        description="The `track` events that are purchases; each customer's purchase days are read from them.",
    )
    amount_property: str = Field(
        default="revenue", description="The purchase event's property holding its amount (spend features)."
    )
    purposes: list[Slug] = Field(
        default_factory=lambda: ["care"],
        min_length=1,
        description="Only events kept for one of these purposes are read, and only customers who allow them scored.",
    )
    candidate: Literal["boosted", "none"] = Field(
        default="boosted",
        description="The model tried against BG/NBD and Pareto/NBD; promoted only if it beats both on the holdout.",
    )
    horizon_days: int = Field(
        default=90, ge=7, le=730, description="How far ahead anticipations look: expected purchases, buying again."
    )
    holdout_days: int = Field(
        default=90,
        ge=14,
        le=730,
        description="The most recent days held out to check every model before one is used (time-based split).",
    )
    slipping_below: float = Field(
        default=0.5,
        gt=0,
        lt=1,
        description="A customer who has bought more than once is slipping away when P(still active) falls below it.",
    )
    refresh_hours: int = Field(
        default=24, ge=1, le=24 * 31, description="How often `serve` scores again (`omotenashi score` at any time)."
    )
    churn: ChurnSection | None = Field(
        default=None,
        description="Churn and renewal risk of subscribers, from usage, friction, support and journey stage "
        "(off when absent).",
    )
    support_contact: SupportContactSection | None = Field(
        default=None,
        description="Support-contact risk: who will contact support soon, from the same behaviour (off when absent).",
    )
    next_step: bool = Field(
        default=False, description="Anticipate each customer's likeliest next journey step or need (top 3)."
    )
    count_events: list[str] = Field(
        default_factory=list,
        description="More `track` events the churn and support-contact models count as features (last 7 and 30 "
        "days), e.g. `Payment Failed`.",
    )
    behaviour_holdout_days: int = Field(
        default=28,
        ge=7,
        le=365,
        description="Churn, support-contact and next-step models are checked on this last stretch of history "
        "before one is used (time-based split).",
    )
