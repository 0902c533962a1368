"""Quiet decline: a customer's use sliding against their own baseline, planted with a label — and its look-alikes.

Planted on established customers who visit at least about once a week (so there is a baseline to fall from):
from a start day, visits slide to 5–30 % of the baseline over one to three weeks; some recover later. Unresolved
friction starts some declines too, and a free customer with a habit fades out this way before going dormant.

Every decline that happened is labelled, and the label says whether the window shows it (`visible`) and from when
(`detectable_ms`): the first day on which the visits since the start are fewer than the visits before it would give
by chance less than once in a hundred (the exact test of two rates: given both periods' visits together, how many
fall after the start is binomial with the share of time after it). A slide that starts late in the window, that is
shallow for a light customer, or that recovers before it shows, is no less real, but nobody reading the visits
could tell it from chance: it is not counted as missed, and a signal about it is no false alarm either. The test
stops at a `Subscription Cancelled` (after it, falling use is the announced end).

Look-alikes: a holiday (five to ten days of nothing, then back to normal), and customers whose use is low and stays
low, whom a global threshold would flag but their own baseline does not. Paying customers who cancel simply stop
when their period ends: churn, announced by `Subscription Cancelled`, not a quiet decline.
"""

from __future__ import annotations

import math

from omotenashi.simulator.frictions import QUIET_DECLINE
from omotenashi.simulator.state import Decline, Life
from omotenashi.simulator.world import DAY_MS, WEEK_MS

PLANTED_SHARE = 0.12
AFTER_FRICTION = 0.1
MIN_WEEKLY = 1.0  # visits per week (after `scale`) for a planted decline
BASELINE_DAYS = 28
FOLLOW_DAYS = 14
VACATION_SHARE = 0.12
VISIBLE_LEVEL = 0.01  # so few visits after the start would come by chance less than once in a hundred
MIN_DAYS_AFTER = 7  # a fall is judged over a week at least


def _effective_weekly(life: Life) -> float:
    return life.customer.weekly * life.config.scale


def _new_decline(life: Life, start_ms: int, cause: str) -> Decline:
    rng = life.rng
    ramp = rng.randint(7, 21) * DAY_MS
    recover = start_ms + ramp + rng.randint(7, 21) * DAY_MS if rng.random() < 0.2 else None
    return Decline(start_ms, ramp, rng.uniform(0.05, 0.3), recover, cause)


def plan(life: Life) -> None:
    """Whether this customer's use will slide, or they will take a holiday, during the window."""
    c, config, rng = life.customer, life.config, life.rng
    if not c.existing or config.days < BASELINE_DAYS + FOLLOW_DAYS:
        return
    if _effective_weekly(life) >= MIN_WEEKLY and rng.random() < PLANTED_SHARE * (2.0 if c.troubled else 1.0):
        day = rng.randint(BASELINE_DAYS, config.days - FOLLOW_DAYS)
        life.decline = _new_decline(life, config.start_ms + day * DAY_MS + rng.randrange(DAY_MS), "planted")
        return
    if _effective_weekly(life) >= 0.8 and rng.random() < VACATION_SHARE:
        day = rng.randint(14, config.days - 14)
        start = config.start_ms + day * DAY_MS
        life.vacation = (start, start + rng.randint(5, 10) * DAY_MS)


def start_after_friction(life: Life, t: int) -> None:
    """Unresolved friction sometimes starts a decline, when there is a baseline to decline from."""
    c, config, rng = life.customer, life.config, life.rng
    if life.decline is not None or _effective_weekly(life) < 0.7 or rng.random() >= AFTER_FRICTION:
        return
    known_since = config.start_ms if c.existing else life.steps.get("Teammate Invited")
    start = t + rng.randint(1, 5) * DAY_MS
    if known_since is None or start - known_since < 21 * DAY_MS or start + FOLLOW_DAYS * DAY_MS > config.end_ms:
        return
    life.decline = _new_decline(life, start, "after_friction")


def fade_to_dormancy(life: Life, day_ms: int) -> None:
    """A free customer going dormant fades out first when they have a habit to fade from; otherwise they just stop.
    A decline planted for later gives way to the fade (it would never have come)."""
    if (life.decline is None or life.decline.start_ms > day_ms) and _effective_weekly(life) >= 0.7:
        fade = _new_decline(life, day_ms, "before_dormancy")
        fade.floor, fade.recover_ms = 0.0, None
        life.decline = fade
        life.churned_ms = day_ms + fade.ramp_ms
    else:
        life.churned_ms = day_ms + DAY_MS
    life.churn_reason = "dormant"


def finish(life: Life) -> None:
    """Label the decline, now that the visits before and after its start are known."""
    d, config = life.decline, life.config
    if d is None or d.start_ms >= config.end_ms or life.gone(d.start_ms):
        return
    since = max(config.start_ms, life.steps.get("Teammate Invited", life.customer.signup_ms))
    before = [(ms, mid) for ms, mid in life.sessions if since <= ms < d.start_ms]
    if not before:
        return  # nothing to fall from
    after = [(ms, mid) for ms, mid in life.sessions if ms >= d.start_ms]
    weeks = max(1.0, (d.start_ms - since) / WEEK_MS)
    end_ms = d.recover_ms if d.recover_ms is not None and d.recover_ms < config.end_ms else None
    visible_ms = visible_from(life, d.start_ms, since, len(before), [ms for ms, _ in after], end_ms)
    d.label = life.book.add(
        QUIET_DECLINE,
        "gradual",
        d.start_ms,
        [mid for _, mid in before[-3:]] + [mid for _, mid in after[:5]],
        end_ms=end_ms,
        detectable_ms=visible_ms,
        visible=visible_ms is not None,
        baseline_per_week=round(_effective_weekly(life), 2),
        observed_before_per_week=round(len(before) / weeks, 2),
        visits_after=len(after),
        floor=round(d.floor, 2),
        ramp_days=d.ramp_ms // DAY_MS,
        cause=d.cause,
    )


def visible_from(
    life: Life, start_ms: int, since: int, before: int, after: list[int], end_ms: int | None
) -> int | None:
    """The first day (from a week after the start) on which the visits since the start are too few, against the
    visits before it, to be chance (see the module's doc); None when the window, the recovery or a cancellation
    comes first."""
    config = life.config
    stop = min(config.end_ms, end_ms or config.end_ms, life.cancelled_ms or config.end_ms)
    t, i = start_ms + MIN_DAYS_AFTER * DAY_MS, 0
    while t <= stop:
        while i < len(after) and after[i] < t:
            i += 1
        share = (t - start_ms) / (t - since)
        if binomial_cdf(i, before + i, share) < VISIBLE_LEVEL:
            return t
        t += DAY_MS
    return None


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    if k >= n:
        return 1.0
    return sum(math.comb(n, i) * p**i * (1.0 - p) ** (n - i) for i in range(k + 1))
