"""The journey map as the JSON API shows it (never the storage rows), and how a map becomes it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from omotenashi.i18n import translator
from omotenashi.journeys import funnel
from omotenashi.journeys.journey_map import Finding, JourneyMap, JourneyView, StepView
from omotenashi.journeys.words import BUCKET_LABELS, STAGE_LABELS, duration, finding_text, percent


class BucketPublic(BaseModel):
    """Customers who moved on to the next step within a range of time."""

    from_ms: int
    to_ms: int | None = Field(description="Exclusive upper bound; null for the last, open-ended bucket.")
    label: str
    customers: int


class CohortPublic(BaseModel):
    """A cohort's stored baseline at a step."""

    key: str = Field(description="The cohort field, e.g. plan, source, signup_month.")
    value: str
    reached: int
    moved_on: int
    p50_ms: int | None
    p90_ms: int | None


class FindingPublic(BaseModel):
    """Why a step is abnormal (see docs/journeys.md, "First moment of friction")."""

    kind: str = Field(description="drop_off, delay or cohort_delay")
    text: str = Field(description="The finding in plain words, in the requested language.")
    rate: float | None = Field(description="This step's share (drop_off, delay).")
    others: float | None = Field(description="The pooled share over the journey's other judged steps.")
    cohort_key: str | None
    cohort_value: str | None
    ratio: float | None = Field(description="cohort_delay: the cohort's p90 over everyone's.")


class SignalPublic(BaseModel):
    """Friction signals found at a step, by kind and status."""

    kind: str
    status: str = Field(description="open or resolved")
    signals: int
    customers: int


class StepPublic(BaseModel):
    """One step of a journey: conversion, time to the next step, what became of those still here."""

    index: int
    name: str = Field(description="The step's `track` event.")
    next: str | None = Field(description="The next step; null for the last.")
    reached: int
    moved_on: int
    conversion: float | None = Field(description="moved_on / reached; null for the last step.")
    waiting: int = Field(description="Still here, within the threshold.")
    stalled: int = Field(description="Still here past the threshold, and still active.")
    left: int = Field(description="Still here, and nothing at all from them for `journeys.dropout_days`.")
    late: int = Field(description="Moved on, but later than the threshold.")
    p50_ms: int | None
    p90_ms: int | None
    threshold_ms: int | None
    threshold_from: str | None = Field(description="deadline (the house file's) or p90.")
    histogram: list[BucketPublic]
    cohorts: list[CohortPublic]
    findings: list[FindingPublic]
    signals: list[SignalPublic]


class JourneyPublic(BaseModel):
    """A journey with its steps and its first moment of friction."""

    id: str
    title: str
    stage: str
    friction_step: int | None = Field(description="Index of the step of the first moment of friction; null if none.")
    baselines_at: int | None = Field(description="When the cohort baselines were computed, epoch ms.")
    steps: list[StepPublic]


class StagePublic(BaseModel):
    """One of the seven stages: customers in it now, and its journeys."""

    stage: str
    label: str
    customers: int
    journeys: list[JourneyPublic]


class JourneyMapPublic(BaseModel):
    """The journey map of the workspace."""

    as_of: int | None = Field(description="The time outcomes are judged at: the latest activity (or now), epoch ms.")
    stages: list[StagePublic]


def _finding(f: Finding, step: StepView, lang: str) -> FindingPublic:
    values: dict[str, object] = {"rate": percent(f.rate, lang), "others": percent(f.others, lang)}
    if f.kind == "delay":
        values["threshold"] = duration(step.threshold_ms, lang)
    if f.kind == "cohort_delay":
        values = {"key": f.cohort_key, "value": f.cohort_value, "ratio": f"{f.ratio or 0:.1f}"}
    return FindingPublic(
        kind=f.kind,
        text=finding_text(f.kind, lang, **values),
        rate=f.rate,
        others=f.others,
        cohort_key=f.cohort_key,
        cohort_value=f.cohort_value,
        ratio=f.ratio,
    )


def step_public(step: StepView, lang: str) -> StepPublic:
    _ = translator(lang)
    bounds = (0, *funnel.BUCKETS)
    return StepPublic(
        index=step.index,
        name=step.name,
        next=step.next_name,
        reached=step.reached,
        moved_on=step.moved_on,
        conversion=step.conversion,
        waiting=step.waiting,
        stalled=step.stalled,
        left=step.left,
        late=step.late,
        p50_ms=step.p50_ms,
        p90_ms=step.p90_ms,
        threshold_ms=step.threshold_ms,
        threshold_from=step.threshold_from,
        histogram=[
            BucketPublic(
                from_ms=bounds[k],
                to_ms=funnel.BUCKETS[k] if k < len(funnel.BUCKETS) else None,
                label=_(BUCKET_LABELS[k]),
                customers=n,
            )
            for k, n in enumerate(step.histogram)
        ],
        cohorts=[
            CohortPublic(
                key=b.cohort_key,
                value=b.cohort_value,
                reached=b.reached,
                moved_on=b.moved_on,
                p50_ms=b.p50_ms,
                p90_ms=b.p90_ms,
            )
            for b in step.cohorts
        ],
        findings=[_finding(f, step, lang) for f in step.findings],
        signals=[
            SignalPublic(kind=s.kind, status=s.status, signals=s.signals, customers=s.customers) for s in step.signals
        ],
    )


def journey_public(view: JourneyView, lang: str) -> JourneyPublic:
    return JourneyPublic(
        id=view.id,
        title=view.title,
        stage=view.stage,
        friction_step=view.friction,
        baselines_at=view.baselines_at,
        steps=[step_public(s, lang) for s in view.steps],
    )


def map_public(journey_map: JourneyMap, lang: str) -> JourneyMapPublic:
    _ = translator(lang)
    return JourneyMapPublic(
        as_of=journey_map.as_of,
        stages=[
            StagePublic(
                stage=s.stage,
                label=_(STAGE_LABELS[s.stage]),
                customers=s.customers,
                journeys=[journey_public(j, lang) for j in s.journeys],
            )
            for s in journey_map.stages
        ],
    )
