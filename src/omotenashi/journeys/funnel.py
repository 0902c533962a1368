"""What the journey map counts over history, as Ibis expressions: per step, how long customers took to move on
(in fixed buckets), and what became of those still there (waiting, stalled, left, or done with the journey)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ibis

from omotenashi.journeys.backend import fetch
from omotenashi.journeys.baselines import transitions

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
# Upper bounds of the time-to-next-step buckets; the last bucket is "two weeks or more".
BUCKETS = (MINUTE, 10 * MINUTE, HOUR, 6 * HOUR, DAY, 3 * DAY, 7 * DAY, 14 * DAY)
OUTCOMES = ("waiting", "stalled", "left", "done")


@dataclass(frozen=True)
class Outcome:
    """Customers whose current step is `step_index`, by what became of them."""

    step_index: int
    outcome: str
    customers: int


def histogram_expr(steps: Any, workspace_id: str, journey: str) -> Any:
    """Per step, how many customers moved on within each bucket of time (`bucket` indexes BUCKETS; len = more)."""
    t = transitions(steps, workspace_id, journey)
    t = t.filter(t.moved)
    bucket = ibis.cases(*((t.duration < bound, k) for k, bound in enumerate(BUCKETS)), else_=len(BUCKETS))
    t = t.mutate(bucket=bucket)
    return t.group_by([t.step_index, t.bucket]).aggregate(customers=t.count())


def late_expr(steps: Any, workspace_id: str, journey: str, thresholds: Mapping[int, int]) -> Any:
    """Per step, how many customers moved on but took longer than the step's threshold."""
    t = transitions(steps, workspace_id, journey)
    late = ibis.literal(False)
    for index, limit in sorted(thresholds.items()):
        late = late | ((t.step_index == index) & (t.duration > limit))
    t = t.filter(t.moved & late)
    return t.group_by(t.step_index).aggregate(customers=t.count())


def late(con: Any, workspace_id: str, journey: str, thresholds: Mapping[int, int]) -> dict[int, int]:
    """Per step index, customers who moved on later than the threshold."""
    if not thresholds:
        return {}
    rows = fetch(con, late_expr(con.table("journey_steps"), workspace_id, journey, thresholds))
    return {int(r["step_index"]): int(r["customers"]) for r in rows}


def outcomes_expr(
    positions: Any,
    stats: Any,
    workspace_id: str,
    journey: str,
    *,
    last_index: int,
    thresholds: Mapping[int, int],
    as_of: int,
    dropout_ms: int,
) -> Any:
    """Customers by current step and outcome, as of `as_of`:

    `done` at the last step; `left` when nothing at all came from them for `dropout_ms`; `stalled` when they have
    waited at the step longer than its threshold (deadline, or the p90 of the time to move on); else `waiting`.
    """
    p = positions.filter((positions.workspace_id == workspace_id) & (positions.journey == journey))
    s = stats.filter(stats.workspace_id == workspace_id).select("customer_id", "last_ts")
    j = p.left_join(s, p.customer_id == s.customer_id)
    last_seen = ibis.coalesce(j.last_ts, j.last_event_at)
    waited = ibis.literal(as_of) - j.entered_at
    idle = ibis.literal(as_of) - last_seen
    cases: list[tuple[Any, str]] = [(j.step_index >= last_index, "done"), (idle >= dropout_ms, "left")]
    for index, limit in sorted(thresholds.items()):
        cases.append(((j.step_index == index) & (waited > limit), "stalled"))
    j = j.mutate(outcome=ibis.cases(*cases, else_="waiting"))
    return j.group_by([j.step_index, j.outcome]).aggregate(customers=j.count())


def histogram(con: Any, workspace_id: str, journey: str) -> dict[int, list[int]]:
    """Per step index, customer counts per bucket (len(BUCKETS) + 1 numbers)."""
    rows = fetch(con, histogram_expr(con.table("journey_steps"), workspace_id, journey))
    out: dict[int, list[int]] = {}
    for r in rows:
        counts = out.setdefault(int(r["step_index"]), [0] * (len(BUCKETS) + 1))
        counts[int(r["bucket"])] += int(r["customers"])
    return out


def outcomes(
    con: Any,
    workspace_id: str,
    journey: str,
    *,
    last_index: int,
    thresholds: Mapping[int, int],
    as_of: int,
    dropout_ms: int,
) -> list[Outcome]:
    """Customers by current step and outcome (see `outcomes_expr`)."""
    expr = outcomes_expr(
        con.table("journey_positions"),
        con.table("customer_stats"),
        workspace_id,
        journey,
        last_index=last_index,
        thresholds=thresholds,
        as_of=as_of,
        dropout_ms=dropout_ms,
    )
    return [Outcome(int(r["step_index"]), str(r["outcome"]), int(r["customers"])) for r in fetch(con, expr)]
