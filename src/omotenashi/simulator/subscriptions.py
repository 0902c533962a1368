"""Plans and money (purchase and renew stages) and whether the customer would recommend the product.

Paid signups start a 14-day trial. Subscriptions renew every 30 days; at each renewal the customer may cancel, and
that grows likelier with unresolved friction in the last 45 days and with their usage falling against their own
baseline. Free customers do not cancel: they go dormant (silent) with a daily chance that the same things raise.
Churn and support-risk models can therefore learn something real from this synthetic world.
"""

from __future__ import annotations

import math

from omotenashi.simulator.company import CANCEL_REASONS, CURRENCY, PLANS, TRIAL_DAYS
from omotenashi.simulator.interface import fill_form, working_click
from omotenashi.simulator.state import Life
from omotenashi.simulator.timeline import SERVER
from omotenashi.simulator.world import DAY_MS, HOUR_MS

PERIOD_MS = 30 * DAY_MS
LOOKBACK_MS = 45 * DAY_MS
PAYMENT_FAILURE = 0.03
DORMANCY = 0.0012  # daily chance a free customer with no friction and steady use goes silent for good
MAX_DORMANCY = 0.2


def _amount(life: Life, plan: str) -> int:
    return PLANS[plan].seat_price * max(1, life.customer.team_size)


def churn_chance(life: Life, ms: int) -> float:
    """The chance of cancelling at a renewal at `ms`."""
    chance = PLANS[life.plan].base_churn * _risk(life, ms)
    return min(chance, 0.7)


def dormancy_chance(life: Life, ms: int) -> float:
    """The daily chance that a free customer goes silent for good."""
    light = 1.5 if life.customer.engagement == "light" else 1.0
    return min(DORMANCY * light * _risk(life, ms), MAX_DORMANCY)


def _risk(life: Life, ms: int) -> float:
    """How much friction and falling use multiply the chance of leaving."""
    risk = math.pow(3.0, min(3.0, life.book.pressure(ms, LOOKBACK_MS)))
    if life.decline is not None and life.decline.factor(ms) < 0.7:
        risk *= 3.0
    if life.customer.engagement == "power":
        risk *= 0.6
    if not life.onboarded:
        risk *= 1.5
    return risk


def start_existing(life: Life) -> None:
    """A paid customer from before the window: their next renewal falls on their signup's day in the period."""
    if life.plan == "free":
        return
    start = life.config.start_ms
    life.renew_ms = start + (life.customer.signup_ms - start) % PERIOD_MS


def start_trial(life: Life, t: int) -> None:
    """A paid signup begins with a trial."""
    life.tl.track(t, "Trial Started", {"plan": life.plan, "trial_days": TRIAL_DAYS}, SERVER)
    life.trial_end_ms = t + TRIAL_DAYS * DAY_MS


def on_day(life: Life, day_ms: int) -> None:
    """Trials ending, renewals and payment retries on this day."""
    end = day_ms + DAY_MS
    if life.trial_end_ms is not None and life.trial_end_ms < end:
        ms, life.trial_end_ms = life.trial_end_ms, None
        _trial_end(life, ms)
    if life.payment_retry_ms is not None and life.payment_retry_ms < end:
        ms, life.payment_retry_ms = life.payment_retry_ms, None
        _retry(life, ms)
    if life.renew_ms is not None and life.renew_ms < end:
        ms, life.renew_ms = life.renew_ms, None
        _renewal(life, ms)


def _trial_end(life: Life, ms: int) -> None:
    rng = life.rng
    chance = 0.7 * (1.0 if life.onboarded else 0.45) * math.pow(0.6, min(4.0, life.book.pressure(ms, LOOKBACK_MS)))
    if life.quiet(ms):
        chance *= 0.1
    converted = rng.random() < chance
    life.tl.track(ms, "Trial Ended", {"plan": life.plan, "converted": converted}, SERVER)
    if converted:
        _started(life, ms + rng.randint(1_000, 60_000), life.plan, "trial")
    else:
        life.plan = "free"
        life.tl.identify(ms + 1_000, {"plan": "free"}, SERVER)


def _started(life: Life, ms: int, plan: str, previous: str) -> None:
    life.plan = plan
    props = {
        "plan": plan,
        "previous_plan": previous,
        "seats": max(1, life.customer.team_size),
        "amount": _amount(life, plan),
        "currency": CURRENCY,
    }
    life.tl.track(ms, "Subscription Started", props, SERVER)
    life.tl.identify(ms + 500, {"plan": plan}, SERVER)
    life.renew_ms = ms + PERIOD_MS


def _renewal(life: Life, ms: int) -> None:
    rng = life.rng
    if life.gone(ms):
        return
    if rng.random() < churn_chance(life, ms):
        _cancel(life, ms - rng.randint(HOUR_MS, 3 * DAY_MS), ms, _reason(life, ms))
        return
    if rng.random() < PAYMENT_FAILURE:
        props = {"plan": life.plan, "amount": _amount(life, life.plan), "currency": CURRENCY, "reason": "card_declined"}
        life.tl.track(ms, "Payment Failed", props, SERVER)
        life.payment_retry_ms = ms + 3 * DAY_MS
        return
    _renewed(life, ms)


def _renewed(life: Life, ms: int) -> None:
    props = {
        "plan": life.plan,
        "seats": max(1, life.customer.team_size),
        "amount": _amount(life, life.plan),
        "currency": CURRENCY,
        "period": "30d",
    }
    life.tl.track(ms, "Subscription Renewed", props, SERVER)
    life.renew_ms = ms + PERIOD_MS


def _retry(life: Life, ms: int) -> None:
    """After a failed payment most customers update their card; the rest lose their subscription."""
    rng = life.rng
    if not life.quiet(ms) and rng.random() < 0.6:
        t = life.after_busy(ms - rng.randint(HOUR_MS, DAY_MS))
        life.tl.page(t, "billing")
        t, _ = fill_form(life, t + rng.randint(3_000, 10_000), "billing", open_page=False)
        life.busy_until = t
        _renewed(life, max(ms, t + rng.randint(1_000, 30_000)))
    else:
        _cancel(life, ms, ms, "payment_failed")


def _cancel(life: Life, ms: int, ends_ms: int, reason: str) -> None:
    """The customer cancels at `ms`; they leave when the paid period ends."""
    life.tl.track(ms, "Subscription Cancelled", {"plan": life.plan, "reason": reason}, SERVER)
    life.cancelled_ms = ms
    life.churned_ms = ends_ms
    life.churn_reason = reason


def _reason(life: Life, ms: int) -> str:
    rng = life.rng
    if life.decline is not None and life.decline.factor(ms) < 0.7 and rng.random() < 0.5:
        return rng.choice(("project_ended", "switched_tool"))
    if life.book.pressure(ms, LOOKBACK_MS) >= 1 and rng.random() < 0.6:
        return rng.choice(("hard_to_use", "missing_feature", "switched_tool"))
    return rng.choice(CANCEL_REASONS)


def upgrade(life: Life, t: int) -> int:
    """A free customer upgrades to the team plan from the pricing page."""
    rng = life.rng
    life.tl.page(t, "pricing")
    t += rng.randint(10_000, 90_000)
    t = working_click(life, t, "upgrade", lambda ts: life.tl.page(ts, "billing", path="/app/settings/billing/upgrade"))
    t, _ = fill_form(life, t, "billing", open_page=False)
    _started(life, t + rng.randint(500, 3_000), "team", "free")
    life.upgraded_ms = t
    return t + 5_000


def survey(life: Life, t: int) -> int:
    """The in-app NPS question: friction lowers the score; promoters sometimes share a referral link."""
    rng = life.rng
    pressure = life.book.pressure(t, LOOKBACK_MS)
    score = max(0, min(10, round(rng.gauss(8.3 - 1.6 * pressure, 1.4))))
    life.nps = score
    life.tl.track(t, "Survey Submitted", {"survey": "nps", "score": score})
    t += rng.randint(2_000, 20_000)
    if score >= 9 and rng.random() < 0.35:
        life.tl.track(t, "Referral Link Shared", {"channel": rng.choice(("email", "copy_link", "social"))})
    return t
