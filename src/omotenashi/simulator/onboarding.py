"""Discovering the product, signing up, and the onboarding journey — with planted stalls.

The expected steps are Account Created → Profile Completed → First Project Created → Teammate Invited. How long a
step usually takes depends on the cohort (source, plan and signup month), drawn from a log-normal cut off at its
97th percentile. A planted stall keeps the customer in one step for 3 to 8 times the cohort's 90th percentile, or
for good; they either go quiet (no visits at all) or stay active elsewhere in the product. Look-alikes: slow but
normal customers up to the 97th percentile. In this world everyone who drops out of onboarding is a planted stall.
"""

from __future__ import annotations

import math

from omotenashi.simulator import subscriptions, support
from omotenashi.simulator.company import MARKETING_PAGES, ONBOARDING_STEPS, REFERRERS, STEP_FORMS
from omotenashi.simulator.frictions import STALL, variant_of
from omotenashi.simulator.interface import fill_form
from omotenashi.simulator.state import Life, Stall
from omotenashi.simulator.timeline import iso
from omotenashi.simulator.topics import TOPIC_OF_STEP
from omotenashi.simulator.world import DAY_MS, HOUR_MS, MINUTE_MS, Customer, WorldConfig, weighted

STEP_TIMING = {  # median and log-normal sigma of the time from the step before
    "Profile Completed": (12 * MINUTE_MS, 1.0),
    "First Project Created": (8 * HOUR_MS, 1.1),
    "Teammate Invited": (2 * DAY_MS, 0.9),
}
Z90 = 1.2816
Z97 = 1.8808
STALL_SHARE = 0.18
STALL_STEPS = (("Profile Completed", 20), ("First Project Created", 40), ("Teammate Invited", 40))


def cohort_factor(c: Customer, step: str, config: WorldConfig) -> float:
    """How much faster or slower than usual this customer's cohort takes a step."""
    factor = {"partner": 0.5, "referral": 0.8}.get(c.source, 1.0)
    if step == "Teammate Invited":
        factor *= {"free": 1.6, "team": 1.0, "business": 0.5}[c.plan]
    if step == "First Project Created" and c.signup_ms >= config.start_ms + config.days * DAY_MS // 2:
        factor *= 0.7  # guided templates launched half-way through the window: later cohorts are quicker
    return factor


def median_ms(c: Customer, step: str, config: WorldConfig) -> int:
    """The cohort's median time for a step."""
    return int(STEP_TIMING[step][0] * cohort_factor(c, step, config))


def p90_ms(c: Customer, step: str, config: WorldConfig) -> int:
    """The cohort's 90th percentile for a step (of customers who are not stalled)."""
    return int(median_ms(c, step, config) * math.exp(Z90 * STEP_TIMING[step][1]))


def _normal_delay(life: Life, step: str) -> int:
    sigma = STEP_TIMING[step][1]
    z = life.rng.gauss(0, 1)
    while z > Z97:
        z = life.rng.gauss(0, 1)
    return max(30_000, int(median_ms(life.customer, step, life.config) * math.exp(sigma * z)))


def signup(life: Life) -> None:
    """Visits to the marketing site, then signing up: the discover and purchase stages, and Account Created."""
    c, rng, tl = life.customer, life.rng, life.tl
    t = c.signup_ms - rng.randint(1, 10) * DAY_MS
    for _ in range(rng.randint(0, 2)):
        for k, page in enumerate(rng.sample(MARKETING_PAGES, rng.randint(1, 3))):
            tl.page(t, page, referrer=REFERRERS[c.source] if k == 0 else None, anonymous=True)
            t += rng.randint(10_000, 120_000)
        t += rng.randint(HOUR_MS, 2 * DAY_MS)
    t = c.signup_ms
    tl.page(t, rng.choice(("home", "pricing")), referrer=REFERRERS[c.source], anonymous=True)
    t += rng.randint(20_000, 200_000)
    tl.signed_in = False
    t, _ = fill_form(life, t, "signup")
    tl.signed_in = True
    t += rng.randint(300, 2_000)
    tl.track(t, "Signed Up", {"plan": c.plan, "source": c.source})
    tl.identify(t + 50, traits(c, c.plan))
    t += rng.randint(500, 3_000)
    created = tl.track(t, "Account Created", {"account_name": c.company})
    life.steps["Account Created"] = t
    if c.plan != "free":
        subscriptions.start_trial(life, t + 1_000)
    _plan_steps(life, t)
    _enter(life, "Account Created", created, t)


def traits(c: Customer, plan: str) -> dict[str, object]:
    """What an identify call says about the customer."""
    return {
        "email": c.email,
        "name": c.name,
        "company": c.company,
        "plan": plan,
        "createdAt": iso(c.signup_ms),
        "language": c.language,
        "timezone": c.timezone,
        "source": c.source,
    }


def _plan_steps(life: Life, t: int) -> None:
    """When each step will happen, and whether one of them stalls."""
    c, rng, config = life.customer, life.rng, life.config
    stalled = None
    if rng.random() < STALL_SHARE * (1.5 if c.troubled else 1.0):
        stalled = weighted(rng, STALL_STEPS)
    plan: list[tuple[str, int]] = []
    for step in ONBOARDING_STEPS[1:]:
        if step == stalled:
            p90 = p90_ms(c, step, config)
            if t + 3 * p90 < config.end_ms:
                variant = variant_of(rng, STALL)
                resolves = rng.random() < (0.45 if variant == "active_elsewhere" else 0.25)
                until = t + int(rng.uniform(3.0, 8.0) * p90) if resolves else None
                life.stall_plan = (step, variant, until)
                if until is None:
                    break
                t = until
                plan.append((step, t))
                continue
        t += _normal_delay(life, step)
        plan.append((step, t))
    life.step_plan = plan


def on_day(life: Life, day_ms: int) -> None:
    """Onboarding steps that happen on this day, each in a short visit of its own."""
    end = day_ms + DAY_MS
    while life.step_plan and life.step_plan[0][1] < end:
        step, ms = life.step_plan.pop(0)
        if life.gone(ms):
            life.step_plan.clear()
            return
        _step(life, step, ms)


def _step(life: Life, step: str, ms: int) -> None:
    rng, tl = life.rng, life.tl
    ms = life.after_busy(ms)
    tl.page(ms - rng.randint(5_000, 30_000), "dashboard")
    t, _ = fill_form(life, ms, STEP_FORMS[step])
    t += rng.randint(300, 1_500)
    if step == "First Project Created":
        life.projects += 1
        props: dict[str, object] = {"project_id": f"P-{life.customer.index:06d}-1", "template": rng.random() < 0.5}
    elif step == "Teammate Invited":
        props = {"role": rng.choice(("member", "admin")), "invitees": rng.randint(1, max(1, life.customer.team_size))}
    else:
        props = {}
    mid = tl.track(t, step, props)
    life.steps[step] = t
    life.busy_until = t
    life.sessions.append((ms, mid))
    stall = life.stall
    if stall is not None and stall.step == step:
        stall.label.end_ms = t
        stall.label.evidence.append(mid)
        stall.resolved_ms = t
    _enter(life, step, mid, t)


def _enter(life: Life, done: str, mid: str, t: int) -> None:
    """After a step: if the next one is the planted stall, the customer is stuck from now on."""
    plan = life.stall_plan
    index = ONBOARDING_STEPS.index(done)
    if plan is None or index + 1 >= len(ONBOARDING_STEPS) or ONBOARDING_STEPS[index + 1] != plan[0]:
        return
    step, variant, until = plan
    c, config = life.customer, life.config
    p90 = p90_ms(c, step, config)
    label = life.book.add(
        STALL,
        variant,
        t,
        [mid],
        detectable_ms=t + p90,
        step=step,
        previous_step=done,
        cohort={"plan": c.plan, "source": c.source, "signup_month": c.signup_month},
        cohort_median_ms=median_ms(c, step, config),
        cohort_p90_ms=p90,
        topic=TOPIC_OF_STEP.get(step),
    )
    life.stall = Stall(step, t, mid, None, variant, label)
    if variant == "gone_quiet":
        life.silent_until = until if until is not None else config.end_ms + 1
    else:
        support.after_friction(life, t + p90, TOPIC_OF_STEP.get(step), 0.4)


def finish(life: Life) -> None:
    """Add to the stall's evidence the visits the customer made while stuck (none, when they went quiet)."""
    stall = life.stall
    if stall is None:
        return
    until = stall.resolved_ms if stall.resolved_ms is not None else life.config.end_ms
    during = [mid for ms, mid in life.sessions if stall.entered_ms < ms < until and mid not in stall.label.evidence]
    stall.label.evidence[1:1] = during[:5]
    stall.label.details["visits_while_stuck"] = len(during)
