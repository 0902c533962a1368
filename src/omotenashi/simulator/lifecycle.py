"""One customer's window, day by day: billing, onboarding, visits, support, and whether they stay.

Everything is drawn from the customer's own random stream, so a customer's life does not depend on anyone else's.
"""

from __future__ import annotations

from typing import Any

from omotenashi.simulator import decline, onboarding, subscriptions, support, usage
from omotenashi.simulator.frictions import Book, plan_episodes, support_days
from omotenashi.simulator.state import Life
from omotenashi.simulator.text import Writer
from omotenashi.simulator.timeline import Timeline, iso
from omotenashi.simulator.world import DAY_MS, WorldConfig, draw_customer


def live(config: WorldConfig, index: int) -> Life:
    """Customer `index`'s messages and labels over the window."""
    rng = config.rng(index)
    c = draw_customer(config, index, rng)
    life = Life(
        config=config,
        customer=c,
        rng=rng,
        tl=Timeline(c, rng, config.start_ms, config.end_ms),
        book=Book(c),
        writer=Writer(rng, c.language, c.first_name),
        plan=c.plan,
    )
    if c.existing:
        first_day = 0
        subscriptions.start_existing(life)
        decline.plan(life)
    else:
        first_day = life.day_of(c.signup_ms)
        onboarding.signup(life)
        life.identified = True
    life.due = plan_episodes(rng, c, config, first_day)
    for day in support_days(rng, c, config, first_day):
        support.arise(life, config.start_ms + day * DAY_MS)
    for day in range(first_day, config.days):
        day_ms = config.start_ms + day * DAY_MS
        if life.gone(day_ms):
            break
        subscriptions.on_day(life, day_ms)
        onboarding.on_day(life, day_ms)
        usage.visits(life, day_ms)
        support.on_day(life, day_ms)
        _dormancy(life, day_ms)
    onboarding.finish(life)
    decline.finish(life)
    _keep_to_window(life)
    return life


def _dormancy(life: Life, day_ms: int) -> None:
    """A free customer may stop coming, for good, without a word."""
    if life.plan != "free" or not life.onboarded or life.churned_ms is not None:
        return
    roll = life.rng.random()
    if roll < subscriptions.MAX_DORMANCY and roll < subscriptions.dormancy_chance(life, day_ms):
        decline.fade_to_dormancy(life, day_ms)


def _keep_to_window(life: Life) -> None:
    """Labels only speak of what the window shows: evidence that was written, ends and signals inside it."""
    end = life.config.end_ms
    dropped = life.tl.dropped
    kept = []
    for label in life.book.labels:
        label.evidence = [mid for mid in label.evidence if mid not in dropped]
        if label.end_ms is not None and label.end_ms >= end:
            label.end_ms = None
        if label.start_ms >= end or not label.evidence:
            continue
        if label.detectable_ms is not None and label.detectable_ms >= end:
            continue
        kept.append(label)
    life.book.labels = kept


def summary(life: Life) -> dict[str, Any]:
    """One line of customers.jsonl: who the customer is, what was planted in their window, how it ended."""
    c = life.customer
    kinds: dict[str, int] = {}
    for label in life.book.labels:
        kinds[label.kind] = kinds.get(label.kind, 0) + 1
    end = life.config.end_ms
    churned = life.churned_ms if life.churned_ms is not None and life.churned_ms < end else None
    reason = life.churn_reason
    if churned is None and life.stall is not None and life.silent_until > end:  # stuck in onboarding, never back
        churned, reason = life.stall.entered_ms, "gone_quiet_in_onboarding"
    return {
        "synthetic": True,
        "userId": c.user_id,
        "anonymousIds": [a for a in (c.web_id, c.app_id) if a is not None],
        "existing": c.existing,
        "signup": iso(c.signup_ms),
        "cohort": {"plan": c.plan, "source": c.source, "signup_month": c.signup_month},
        "plan_at_end": life.plan,
        "engagement": c.engagement,
        "baseline_visits_per_week": round(c.weekly * life.config.scale, 2),
        "language": c.language,
        "timezone": c.timezone,
        "troubled": c.troubled,
        "habits": [h for h, on in (("double_clicker", c.double_clicker), ("doc_reader", c.doc_reader)) if on],
        "visits": len(life.sessions),
        "messages": sum(life.tl.counts.values()),
        "support_contacts": life.contacts,
        "frictions": kinds,
        "unresolved_frictions": sum(1 for label in life.book.labels if label.end_ms is None),
        "vacation": None if life.vacation is None else [iso(life.vacation[0]), iso(life.vacation[1])],
        "cancelled": None if life.cancelled_ms is None or life.cancelled_ms >= end else iso(life.cancelled_ms),
        "churned": None if churned is None else iso(churned),
        "churn_reason": reason if churned is not None else None,
        "upgraded": None if life.upgraded_ms is None else iso(life.upgraded_ms),
        "nps": life.nps,
    }
