"""Baseline math on known data (the Ibis expression, on an in-memory SQLite), and the first-moment-of-friction rules."""

from __future__ import annotations

import json
import sqlite3

import ibis
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omotenashi.journeys import funnel
from omotenashi.journeys.backend import fetch
from omotenashi.journeys.baselines import baseline_expr, lower_percentile
from omotenashi.journeys.journey_map import StepView, judge, z_score
from omotenashi.store.journeys import Baseline

MIN = 60_000


def steps_table(rows: list[tuple[str, int, int, int | None, dict[str, str]]]):  # type: ignore[no-untyped-def]
    """An in-memory journey_steps of (customer, step_index, entered_at, left_at, cohort)."""
    raw = sqlite3.connect(":memory:")
    raw.execute(
        "CREATE TABLE journey_steps (workspace_id TEXT, customer_id TEXT, journey TEXT, step TEXT, "
        "step_index BIGINT, entered_at BIGINT, left_at BIGINT, seq BIGINT, cohort TEXT)"
    )
    raw.executemany(
        "INSERT INTO journey_steps VALUES ('shop', ?, 'onboarding', ?, ?, ?, ?, ?, ?)",
        [
            (c, f"step {i}", i, entered, left, n, json.dumps(cohort, separators=(",", ":"), sort_keys=True))
            for n, (c, i, entered, left, cohort) in enumerate(rows)
        ],
    )
    con = ibis.sqlite.from_connection(raw)
    return con, con.table("journey_steps")


def known_rows() -> list[tuple[str, int, int, int | None, dict[str, str]]]:
    rows: list[tuple[str, int, int, int | None, dict[str, str]]] = []
    # Step 0: ten customers who moved on after 1..10 minutes (odd ones on plan free), two still there.
    for k in range(1, 11):
        rows.append((f"c{k}", 0, 0, k * MIN, {"plan": "free" if k % 2 else "team"}))
    rows.append(("c11", 0, 0, None, {"plan": "free"}))
    rows.append(("c12", 0, 0, None, {}))  # no plan: counted for everyone only
    # Step 1: three customers, 5, 5 and 60 minutes (ties).
    rows += [("c1", 1, MIN, 6 * MIN, {}), ("c2", 1, 2 * MIN, 7 * MIN, {}), ("c3", 1, 3 * MIN, 63 * MIN, {})]
    return rows


def by(rows: list[dict[str, object]]) -> dict[tuple[object, object], dict[str, object]]:
    return {(r["step_index"], r["cohort_value"]): r for r in rows}


def test_known_small_data_gives_known_counts_and_percentiles():
    con, steps = steps_table(known_rows())
    everyone = by(fetch(con, baseline_expr(steps, "shop", "onboarding", "all")))
    assert everyone[(0, "all")] == {
        "step_index": 0,
        "cohort_value": "all",
        "reached": 12,
        "moved_on": 10,
        "p50_ms": 5 * MIN,  # of 1..10: position floor(0.5 × 9) = 4 → 5 minutes
        "p90_ms": 9 * MIN,  # position floor(0.9 × 9) = 8 → 9 minutes
    }
    assert everyone[(1, "all")]["p50_ms"] == 5 * MIN and everyone[(1, "all")]["p90_ms"] == 5 * MIN
    plans = by(fetch(con, baseline_expr(steps, "shop", "onboarding", "plan")))
    assert set(plans) == {(0, "free"), (0, "team")}
    free, team = plans[(0, "free")], plans[(0, "team")]
    assert (free["reached"], free["moved_on"], free["p50_ms"], free["p90_ms"]) == (6, 5, 5 * MIN, 7 * MIN)
    assert (team["reached"], team["moved_on"], team["p50_ms"], team["p90_ms"]) == (5, 5, 6 * MIN, 8 * MIN)
    assert fetch(con, baseline_expr(steps, "other", "onboarding", "all")) == []
    con.disconnect()


def test_the_histogram_puts_each_move_in_its_bucket():
    con, steps = steps_table(known_rows())
    rows = fetch(con, funnel.histogram_expr(steps, "shop", "onboarding"))
    counts = {(r["step_index"], r["bucket"]): r["customers"] for r in rows}
    # 1 minute is not under a minute; 1..9 minutes are in 1–10 min, 10 minutes is in 10–60 min.
    assert counts == {(0, 1): 9, (0, 2): 1, (1, 1): 2, (1, 3): 1}
    con.disconnect()


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=60), st.sampled_from([0.5, 0.9]))
def test_the_percentile_is_numpys_lower_one(values: list[int], p: float) -> None:
    assert lower_percentile(values, p) == int(np.quantile(np.array(values), p, method="lower"))


def test_percentiles_of_nothing_are_none():
    assert lower_percentile([], 0.9) is None


def step(index: int, reached: int, *, left: int = 0, stalled: int = 0, late: int = 0, last: bool = False) -> StepView:
    return StepView(
        index, f"s{index}", None if last else f"s{index + 1}", reached=reached, left=left, stalled=stalled, late=late
    )


def test_the_first_moment_of_friction_is_the_earliest_abnormal_step():
    steps = [
        step(0, 200, left=4),
        step(1, 190, left=30),  # 16 % left here against 2-3 % elsewhere
        step(2, 150, left=4, stalled=40),  # abnormal too, but later
        step(3, 100, last=True),
    ]
    assert judge(steps, min_size=20) == 1
    assert [f.kind for f in steps[1].findings] == ["drop_off"]
    assert steps[1].findings[0].rate == pytest.approx(30 / 190)
    assert steps[1].findings[0].others == pytest.approx(8 / 350)
    assert [f.kind for f in steps[2].findings] == ["delay"]
    assert steps[0].findings == [] and steps[3].findings == []


def test_alike_steps_small_steps_and_chance_differences_are_not_abnormal():
    alike = [step(0, 200, left=10), step(1, 190, left=9), step(2, 180, left=11), step(3, 170, last=True)]
    assert judge(alike, min_size=20) is None
    small = [step(0, 200, left=2), step(1, 15, left=10), step(2, 180, left=2), step(3, 10, last=True)]
    assert judge(small, min_size=20) is None  # step 1 has too few customers to judge
    chance = [step(0, 131, left=5), step(1, 134, left=2), step(2, 123, left=2), step(3, 100, last=True)]
    assert z_score(5, 131, 4, 257) < 2
    assert judge(chance, min_size=20) is None  # over twice the others' share, but likely chance


def test_a_cohort_much_slower_than_everyone_is_abnormal():
    steps = [step(0, 200), step(1, 190), step(2, 150, last=True)]
    steps[1].p90_ms = 60 * MIN
    steps[1].cohorts = [
        Baseline("j", 1, "plan", "free", 90, 80, 30 * MIN, 100 * MIN, 0),  # 1.67 × everyone's p90
        Baseline("j", 1, "plan", "tiny", 5, 5, 30 * MIN, 500 * MIN, 0),  # too few to count
        Baseline("j", 1, "plan", "team", 90, 80, 30 * MIN, 80 * MIN, 0),
    ]
    assert judge(steps, min_size=20) == 1
    (finding,) = steps[1].findings
    assert (finding.kind, finding.cohort_key, finding.cohort_value) == ("cohort_delay", "plan", "free")
    assert finding.ratio == pytest.approx(100 / 60)
