"""Transition-time baselines: per journey, step and cohort, how many customers reached the step, how many moved on,
and the median and 90th percentile of the time from the step to the next — as Ibis expressions over
`journey_steps`, so the same code runs on SQLite, on PostgreSQL and on a warehouse.

Percentiles are taken from a `percent_rank()` window (Ibis compiles no `quantile()` on SQLite): the p-th percentile
is the largest time whose percent rank is at most p — the "lower" percentile, `numpy.quantile(x, p, method="lower")`:
of n sorted times, the one at (0-based) position floor(p × (n − 1)). It is always one of the observed times.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import ibis

from omotenashi.config.journeys import JourneysSection
from omotenashi.journeys.backend import fetch
from omotenashi.store.journeys import ALL, Baseline

STEPS_TABLE = "journey_steps"


def lower_percentile(values: Sequence[int], p: float) -> int | None:
    """The percentile the baselines compute, in plain Python (for checks and explanations)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.floor(p * (len(ordered) - 1) + 1e-9)]


def transitions(steps: Any, workspace_id: str, journey: str) -> Any:
    """A journey's reached steps with whether the customer moved on and how long that took (ms)."""
    t = steps.filter((steps.workspace_id == workspace_id) & (steps.journey == journey))
    return t.mutate(moved=t.left_at.notnull(), duration=t.left_at - t.entered_at)


def cohort_value(t: Any, key: str) -> Any:
    """The value of one cohort field, read from the stored cohort (compact JSON: `"plan":"team"`)."""
    if key == ALL:
        return ibis.literal(ALL)
    return t.cohort.re_extract(f'"{key}":"([^"]*)"', 1)


def baseline_expr(steps: Any, workspace_id: str, journey: str, key: str) -> Any:
    """Per step and value of the cohort field `key` (or `all`): reached, moved_on, p50_ms, p90_ms."""
    t = transitions(steps, workspace_id, journey)
    t = t.mutate(cohort_value=cohort_value(t, key))
    t = t.filter(t.cohort_value.notnull() & (t.cohort_value != ""))
    window = ibis.window(group_by=[t.step_index, t.cohort_value, t.moved], order_by=t.duration)
    t = t.mutate(rank=ibis.percent_rank().over(window))
    return t.group_by([t.step_index, t.cohort_value]).aggregate(
        reached=t.count(),
        moved_on=t.count(where=t.moved),
        p50_ms=t.duration.max(where=t.moved & (t.rank <= 0.5)),
        p90_ms=t.duration.max(where=t.moved & (t.rank <= 0.9)),
    )


def _int(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def compute(con: Any, section: JourneysSection, workspace_id: str, journey: str, now: int) -> list[Baseline]:
    """Every baseline of one journey: for everyone, and for each value of each of the journey's cohort fields."""
    out: list[Baseline] = []
    for key in [ALL, *section.journeys[journey].cohort]:
        out += compute_one(con, workspace_id, journey, key, now)
    return sorted(out, key=lambda b: (b.step_index, b.cohort_key != ALL, b.cohort_key, b.cohort_value))


def compute_one(con: Any, workspace_id: str, journey: str, key: str, now: int) -> list[Baseline]:
    """The baselines of one journey for one cohort field (or `all`)."""
    rows = fetch(con, baseline_expr(con.table(STEPS_TABLE), workspace_id, journey, key))
    return [
        Baseline(
            journey=journey,
            step_index=int(r["step_index"]),
            cohort_key=key,
            cohort_value=str(r["cohort_value"]),
            reached=int(r["reached"]),
            moved_on=int(r["moved_on"]),
            p50_ms=_int(r["p50_ms"]),
            p90_ms=_int(r["p90_ms"]),
            computed_at=now,
        )
        for r in rows
    ]
