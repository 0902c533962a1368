"""The journey map: stages → journeys → steps, each step with its conversion, how long customers took to move on,
where they stall or leave, and the first moment of friction of each journey with the signals found there.

**First moment of friction.** A journey's earliest step (in step order) with at least one abnormal finding, among
the steps that have a next step and that at least `journeys.min_cohort_size` customers reached:

- `drop_off`: the share of the step's customers who left there (still at the step, nothing at all from them for
  `journeys.dropout_days`) is at least twice the pooled share over the journey's other judged steps, and the
  difference is unlikely to be chance (a one-sided two-proportion z-test, z ≥ 2);
- `delay`: the same test for the share who took longer than the step's threshold to move on or are still at the step
  past it (and not gone); the threshold is the next step's `deadline_hours` when declared, else the step's p90 time
  to move on (so about a tenth of those who moved on are late by construction, at every step alike);
- `cohort_delay`: a cohort's p90 time to move on is at least 1.5 × everyone's, over at least `min_cohort_size`
  customers of that cohort who moved on.

A journey with a single judged step is judged on its cohorts only. None when no step is abnormal. The signals shown
there are the friction signals whose `journey` and `step` (the step the customer was at) name it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.config.journeys import STAGES, JourneySpec, JourneysSection
from omotenashi.journeys import baselines, funnel
from omotenashi.journeys.mapping import journey_stage
from omotenashi.store import journeys as repo
from omotenashi.store.journeys import ALL, Baseline, SignalCount

RATE_FACTOR = 2.0
MIN_Z = 2.0
DELAY_RATIO = 1.5


@dataclass(frozen=True)
class Finding:
    """Why a step is abnormal."""

    kind: str  # drop_off, delay, cohort_delay
    rate: float | None = None  # this step's share (drop_off, delay)
    others: float | None = None  # the pooled share over the journey's other judged steps
    cohort_key: str | None = None
    cohort_value: str | None = None
    ratio: float | None = None  # the cohort's p90 over everyone's


@dataclass
class StepView:
    """One step of a journey on the map."""

    index: int
    name: str
    next_name: str | None
    reached: int = 0
    moved_on: int = 0
    waiting: int = 0
    stalled: int = 0
    left: int = 0
    late: int = 0  # moved on, but later than the threshold
    p50_ms: int | None = None
    p90_ms: int | None = None
    threshold_ms: int | None = None
    threshold_from: str | None = None  # deadline or p90
    histogram: list[int] = field(default_factory=list)
    cohorts: list[Baseline] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    signals: list[SignalCount] = field(default_factory=list)

    @property
    def delayed(self) -> int:
        """Customers who took longer than the threshold: moved on late, or still here past it."""
        return self.late + self.stalled

    @property
    def conversion(self) -> float | None:
        """Share of the customers who reached the step that moved on (None for the last step or nobody)."""
        if self.next_name is None or not self.reached:
            return None
        return self.moved_on / self.reached


@dataclass
class JourneyView:
    """One journey on the map."""

    id: str
    title: str
    stage: str
    steps: list[StepView]
    friction: int | None = None  # index of the step of the first moment of friction
    baselines_at: int | None = None


@dataclass
class StageView:
    stage: str
    customers: int
    journeys: list[JourneyView]


@dataclass
class JourneyMap:
    as_of: int | None
    stages: list[StageView]

    @property
    def journeys(self) -> dict[str, JourneyView]:
        return {j.id: j for s in self.stages for j in s.journeys}


def _others(steps: Sequence[StepView], index: int, count: str, judged: set[int]) -> tuple[int, int]:
    """(customers counted, customers who reached) pooled over the judged steps other than `index`."""
    others = [s for s in steps if s.index in judged and s.index != index]
    return sum(getattr(s, count) for s in others), sum(s.reached for s in others)


def z_score(hits: int, n: int, other_hits: int, other_n: int) -> float:
    """One-sided two-proportion z statistic: how far hits/n is above other_hits/other_n, in standard errors."""
    if not n or not other_n:
        return 0.0
    pooled = (hits + other_hits) / (n + other_n)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / other_n))
    if spread == 0:
        return 0.0
    return (hits / n - other_hits / other_n) / spread


def judge(steps: Sequence[StepView], min_size: int) -> int | None:
    """Fill each step's findings (see the module's docstring); the index of the first abnormal step, or None."""
    judged = {s.index for s in steps if s.next_name is not None and s.reached >= min_size}
    for step in steps:
        step.findings = []
        if step.index not in judged:
            continue
        for kind, count in (("drop_off", "left"), ("delay", "delayed")):
            hits = getattr(step, count)
            other_hits, other_n = _others(steps, step.index, count, judged)
            rate = hits / step.reached
            others = other_hits / other_n if other_n else 0.0
            z = z_score(hits, step.reached, other_hits, other_n)
            if other_n and hits and rate >= RATE_FACTOR * others and z >= MIN_Z:
                step.findings.append(Finding(kind, rate=rate, others=others))
        if step.p90_ms:
            for b in step.cohorts:
                if b.moved_on >= min_size and b.p90_ms is not None and b.p90_ms >= DELAY_RATIO * step.p90_ms:
                    ratio = b.p90_ms / step.p90_ms
                    step.findings.append(
                        Finding("cohort_delay", cohort_key=b.cohort_key, cohort_value=b.cohort_value, ratio=ratio)
                    )
    return next((s.index for s in steps if s.findings), None)


def _thresholds(spec: JourneySpec, steps: list[StepView]) -> dict[int, int]:
    """Each step's threshold: the next step's deadline when declared, else the step's p90 time to move on."""
    out: dict[int, int] = {}
    for step in steps[:-1]:
        deadline = spec.deadline_hours.get(spec.steps[step.index + 1])
        if deadline is not None:
            step.threshold_ms, step.threshold_from = int(deadline * funnel.HOUR), "deadline"
        elif step.p90_ms:
            step.threshold_ms, step.threshold_from = step.p90_ms, "p90"
        if step.threshold_ms is not None:
            out[step.index] = step.threshold_ms
    return out


def _count_live(con: Any, workspace_id: str, journey: str, steps: list[StepView]) -> None:
    """Reached, moved on, p50 and p90 for everyone, as of now (cohorts come from the stored baselines)."""
    for b in baselines.compute_one(con, workspace_id, journey, ALL, 0):
        if b.step_index < len(steps):
            step = steps[b.step_index]
            step.reached, step.moved_on, step.p50_ms, step.p90_ms = b.reached, b.moved_on, b.p50_ms, b.p90_ms


def _outcomes(
    con: Any, section: JourneysSection, workspace_id: str, journey: str, steps: list[StepView], as_of: int | None
) -> None:
    thresholds = _thresholds(section.journeys[journey], steps)
    for index, counts in funnel.histogram(con, workspace_id, journey).items():
        if index < len(steps):
            steps[index].histogram = counts
    for index, n in funnel.late(con, workspace_id, journey, thresholds).items():
        if index < len(steps):
            steps[index].late = n
    if as_of is None:
        return
    found = funnel.outcomes(
        con,
        workspace_id,
        journey,
        last_index=len(steps) - 1,
        thresholds=thresholds,
        as_of=as_of,
        dropout_ms=section.dropout_days * funnel.DAY,
    )
    for o in found:
        if o.step_index < len(steps) and o.outcome in ("waiting", "stalled", "left"):
            setattr(steps[o.step_index], o.outcome, o.customers)


def journey_view(
    con: Any,
    conn: Connection,
    house: HouseFile,
    workspace_id: str,
    journey: str,
    lang: str,
    as_of: int | None,
) -> JourneyView:
    """One journey's funnel, time distributions, outcomes, first moment of friction and signals."""
    section = house.journeys
    assert section is not None
    spec = section.journeys[journey]
    names = spec.steps
    empty = [0] * (len(funnel.BUCKETS) + 1)
    steps = [
        StepView(i, n, names[i + 1] if i + 1 < len(names) else None, histogram=list(empty)) for i, n in enumerate(names)
    ]
    _count_live(con, workspace_id, journey, steps)
    stored = [b for b in repo.baselines(conn, workspace_id, journey) if b.cohort_key != ALL]
    for b in stored:
        if b.step_index < len(steps):
            steps[b.step_index].cohorts.append(b)
    _outcomes(con, section, workspace_id, journey, steps, as_of)
    by_step: dict[str, list[SignalCount]] = {}
    for sc in repo.step_signals(conn, workspace_id, journey):
        by_step.setdefault(sc.step, []).append(sc)
    for step in steps:
        step.signals = sorted(by_step.get(step.name, []), key=lambda sc: (sc.status != "open", -sc.signals, sc.kind))
    title = journey
    if spec.title is not None:
        title = spec.title.ja if lang == "ja" and spec.title.ja else spec.title.en
    stage = journey_stage(section, journey) or "onboard"
    computed = max((b.computed_at for b in stored), default=None)
    view = JourneyView(journey, title, stage, steps, baselines_at=computed)
    view.friction = judge(steps, section.min_cohort_size)
    return view


def build_map(con: Any, conn: Connection, house: HouseFile, workspace_id: str, lang: str, now: int) -> JourneyMap:
    """The whole map of a workspace, as of its latest activity (or now, if that is earlier)."""
    newest = repo.newest_activity(conn, workspace_id)
    as_of = None if newest is None else min(newest, now)
    counts = repo.stage_counts(conn, workspace_id)
    section = house.journeys
    views = [
        journey_view(con, conn, house, workspace_id, jid, lang, as_of) for jid in (section.journeys if section else {})
    ]
    stages = [StageView(s, counts.get(s, 0), [v for v in views if v.stage == s]) for s in STAGES]
    return JourneyMap(as_of, stages)
