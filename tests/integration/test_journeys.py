"""Journeys on real SQLite and real PostgreSQL: positions and step history kept by the follower (late and shuffled
events included), cohorts at signup, and baselines computed through Ibis giving the same numbers on every store."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.core.clock import iso
from omotenashi.simulator import WorldConfig, generate
from omotenashi.store import customers as customers_repo
from omotenashi.store import journeys as repo
from omotenashi.store.journeys import ALL, LIFECYCLE
from tests import pg

HOUR = 3_600_000
MIN = 60_000
T0 = 1_780_000_000_000
STEPS = ("Account Created", "Profile Completed", "First Project Created", "Teammate Invited")
WORLD = WorldConfig(customers=80, days=30, seed=5)


def send(runtime: Runtime, *messages: dict[str, Any], drain: bool = True) -> None:
    """Messages through intake (source web), each with its own timestamp (epoch ms in `at`)."""
    lines = []
    for m in messages:
        body = {"type": "track", "messageId": uuid.uuid4().hex, **m}
        body["timestamp"] = iso(body.pop("at"))
        lines.append(json.dumps(body).encode())
    report = runtime.intake.import_lines(lines, runtime.intake.source("shop", "web"))
    assert not report.rejected, report.rejected
    if drain:
        runtime.follower.drain()


def base(runtime: Runtime, user: str) -> str:
    with runtime.engines.read.connect() as conn:
        return customers_repo.find_identities(conn, "shop", [("user_id", user)])[("user_id", user)]


def steps_by_user(runtime: Runtime, users: list[str]) -> dict[str, list[tuple[int, int, int | None]]]:
    with runtime.engines.read.connect() as conn:
        bases = customers_repo.find_identities(conn, "shop", [("user_id", u) for u in users])
        out = {}
        for u in users:
            if ("user_id", u) in bases:
                rows = repo.steps_of(conn, "shop", bases[("user_id", u)], "onboarding")
                out[u] = [(r.step_index, r.entered_at, r.left_at) for r in rows]
        return out


def positions_by_user(runtime: Runtime, users: list[str]) -> dict[str, tuple[Any, ...]]:
    with runtime.engines.read.connect() as conn:
        bases = customers_repo.find_identities(conn, "shop", [("user_id", u) for u in users])
        out = {}
        for u in users:
            p = repo.position_of(conn, "shop", bases[("user_id", u)], "onboarding") if ("user_id", u) in bases else None
            if p is not None:
                out[u] = (p.stage, p.step, p.step_index, p.entered_at, p.last_event_at, p.cohort)
        return out


def expected_steps(messages: list[bytes]) -> dict[str, dict[int, int]]:
    """Straight from the messages: the first time each user did each onboarding step."""
    first: dict[str, dict[int, int]] = {}
    for raw in messages:
        m = msgspec.json.decode(raw)
        if m.get("type") == "track" and m.get("event") in STEPS:
            ts = _ms(m["timestamp"])
            steps = first.setdefault(m["userId"], {})
            index = STEPS.index(m["event"])
            steps[index] = min(ts, steps.get(index, ts))
    return first


def _ms(text: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def import_in_chunks(runtime: Runtime, messages: list[bytes], size: int = 250) -> None:
    """Feed a world in chunks, following each before the next: late messages reach the follower in later batches."""
    source = runtime.intake.source("shop", "web")
    for start in range(0, len(messages), size):
        runtime.intake.import_lines(messages[start : start + size], source)
        runtime.follower.drain()


@pytest.fixture
def other_store(store_url: str, tmp_path: Path, pg_admin_url: str) -> Iterator[str]:
    """A second, empty store of the same kind."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    url = pg.create_database(pg_admin_url)
    yield url
    pg.drop_database(pg_admin_url, url)


@pytest.mark.slow
def test_positions_and_step_history_follow_the_simulated_onboarding(runtime: Runtime) -> None:
    world = generate(WORLD)
    import_in_chunks(runtime, world.messages)
    expected = expected_steps(world.messages)
    assert len(expected) >= 15
    users = sorted(expected)
    found = steps_by_user(runtime, users)
    positions = positions_by_user(runtime, users)
    for user, steps in expected.items():
        order = sorted(steps)
        rows = {i: (entered, left) for i, entered, left in found[user]}
        assert {i: rows[i][0] for i in rows} == steps, user
        for k, index in enumerate(order):
            later = [steps[j] for j in order[k + 1 :]]
            assert rows[index][1] == (max(steps[index], min(later)) if later else None), user
        furthest = order[-1]
        stage, step, step_index, entered_at, _, cohort = positions[user]
        assert (stage, step, step_index, entered_at) == ("onboard", STEPS[furthest], furthest, steps[furthest])
        # Everyone who signed up in the window has the cohort the simulator gave them.
        summary = next(c for c in world.customers if c["userId"] == user)
        assert cohort == summary["cohort"], user
    with runtime.engines.read.connect() as conn:
        stages = repo.stage_counts(conn, "shop")
    assert set(stages) <= {"discover", "purchase", "onboard", "use", "support", "renew", "recommend"}
    assert sum(stages.values()) >= len(expected)


@pytest.mark.slow
def test_shuffled_arrival_gives_the_same_steps_and_positions_as_time_order(
    runtime: Runtime, other_store: str, house_file: Path
) -> None:
    ordered = generate(WORLD)
    shuffled = generate(WORLD, shuffle=True)
    assert ordered.messages != shuffled.messages and sorted(ordered.messages) == sorted(shuffled.messages)
    import_in_chunks(runtime, ordered.messages)
    other = build(Settings(house_file=house_file, store_url=other_store))
    try:
        import_in_chunks(other, shuffled.messages, size=120)
        users = sorted(expected_steps(ordered.messages))
        assert steps_by_user(runtime, users) == steps_by_user(other, users)
        assert positions_by_user(runtime, users) == positions_by_user(other, users)
        # Applying everything again changes nothing: the follower's tables are a function of the events.
        before = steps_by_user(other, users), positions_by_user(other, users)
        other.writer.call(lambda conn: conn.exec_driver_sql("DELETE FROM cursors WHERE consumer = 'journeys'"))
        other.follower.drain()
        assert (steps_by_user(other, users), positions_by_user(other, users)) == before
    finally:
        other.close()


def test_a_late_earlier_step_fixes_when_steps_were_entered_and_left(runtime: Runtime) -> None:
    u = {"userId": "u-late"}
    send(
        runtime,
        {**u, "event": "Account Created", "at": T0},
        {**u, "event": "First Project Created", "at": T0 + 3 * HOUR},
    )
    assert steps_by_user(runtime, ["u-late"])["u-late"] == [(0, T0, T0 + 3 * HOUR), (2, T0 + 3 * HOUR, None)]
    send(runtime, {**u, "event": "Profile Completed", "at": T0 + HOUR})  # arrives late
    assert steps_by_user(runtime, ["u-late"])["u-late"] == [
        (0, T0, T0 + HOUR),
        (1, T0 + HOUR, T0 + 3 * HOUR),
        (2, T0 + 3 * HOUR, None),
    ]
    send(runtime, {**u, "event": "Account Created", "at": T0 - HOUR})  # an even earlier first step, late
    send(runtime, {**u, "event": "Profile Completed", "at": T0 + 2 * HOUR})  # a repeat changes nothing
    assert steps_by_user(runtime, ["u-late"])["u-late"] == [
        (0, T0 - HOUR, T0 + HOUR),
        (1, T0 + HOUR, T0 + 3 * HOUR),
        (2, T0 + 3 * HOUR, None),
    ]
    position = positions_by_user(runtime, ["u-late"])["u-late"]
    assert position[:4] == ("onboard", "First Project Created", 2, T0 + 3 * HOUR)


def test_the_current_stage_is_that_of_the_latest_event_whatever_the_arrival_order(runtime: Runtime) -> None:
    u = {"userId": "u-stage"}

    def stage() -> tuple[str, int, int]:
        with runtime.engines.read.connect() as conn:
            p = repo.current_stage(conn, "shop", base(runtime, "u-stage"))
        assert p is not None and p.journey == LIFECYCLE and p.step is None
        return p.stage, p.entered_at, p.last_event_at

    send(runtime, {**u, "event": "Account Created", "at": T0}, {**u, "event": "Task Created", "at": T0 + 5 * HOUR})
    assert stage() == ("use", T0 + 5 * HOUR, T0 + 5 * HOUR)
    send(runtime, {**u, "event": "Ticket Created", "at": T0 + 6 * HOUR})
    assert stage() == ("support", T0 + 6 * HOUR, T0 + 6 * HOUR)
    send(runtime, {**u, "event": "Task Created", "at": T0 + 5 * HOUR + 30 * MIN})  # late, older than the latest
    assert stage() == ("support", T0 + 6 * HOUR, T0 + 6 * HOUR)
    send(runtime, {**u, "event": "Ticket Created", "at": T0 + 5 * HOUR + 50 * MIN})  # late: the run began earlier
    assert stage() == ("support", T0 + 5 * HOUR + 50 * MIN, T0 + 6 * HOUR)
    send(runtime, {**u, "event": "Ticket Created", "at": T0 + 4 * HOUR})  # before the use in between: no change
    assert stage() == ("support", T0 + 5 * HOUR + 50 * MIN, T0 + 6 * HOUR)
    send(runtime, {**u, "type": "page", "name": "Dashboard", "at": T0 + 7 * HOUR,
                   "properties": {"url": "https://app.tsumiki.example/app"}})  # fmt: skip
    assert stage() == ("use", T0 + 7 * HOUR, T0 + 7 * HOUR)


def test_the_cohort_is_the_one_at_signup_even_when_told_late(runtime: Runtime) -> None:
    u = {"userId": "u-cohort"}
    send(runtime, {**u, "type": "identify", "traits": {"plan": "business", "source": "partner"}, "at": T0 + 9 * HOUR})
    send(runtime, {**u, "event": "Account Created", "at": T0 + HOUR})
    assert positions_by_user(runtime, ["u-cohort"])["u-cohort"][5] == {"plan": "business", "source": "partner"}
    send(runtime, {**u, "type": "identify", "traits": {"plan": "free"}, "at": T0 + 30 * MIN})  # earlier, late
    send(runtime, {**u, "event": "Signed Up", "properties": {"plan": "team"}, "at": T0})  # the signup says best
    cohort = {"plan": "team", "source": "partner", "signup_month": "2026-05"}
    assert positions_by_user(runtime, ["u-cohort"])["u-cohort"][5] == cohort
    with runtime.engines.read.connect() as conn:
        (row,) = repo.steps_of(conn, "shop", base(runtime, "u-cohort"), "onboarding")
        assert row.cohort == cohort
        assert repo.current_stage(conn, "shop", base(runtime, "u-cohort")).cohort == cohort  # type: ignore[union-attr]


def known_steps(runtime: Runtime) -> None:
    """Ten customers who moved on after 1..10 minutes (odd ones on plan free), two who did not."""
    messages: list[dict[str, Any]] = []
    for k in range(1, 13):
        user = {"userId": f"k{k}"}
        plan = "free" if k % 2 else "team"
        messages.append({**user, "event": "Signed Up", "properties": {"plan": plan, "source": "organic"}, "at": T0})
        messages.append({**user, "event": "Account Created", "at": T0})
        if k <= 10:
            messages.append({**user, "event": "Profile Completed", "at": T0 + k * MIN})
    send(runtime, *messages)


def test_baselines_are_the_same_known_numbers_on_every_store(runtime: Runtime) -> None:
    known_steps(runtime)
    assert runtime.journeys.refresh() > 0
    with runtime.engines.read.connect() as conn:
        found = {(b.step_index, b.cohort_key, b.cohort_value): b for b in repo.baselines(conn, "shop", "onboarding")}
        everyone = found[(0, ALL, ALL)]
        assert (everyone.reached, everyone.moved_on, everyone.p50_ms, everyone.p90_ms) == (12, 10, 5 * MIN, 9 * MIN)
        free, team = found[(0, "plan", "free")], found[(0, "plan", "team")]
        assert (free.reached, free.moved_on, free.p50_ms, free.p90_ms) == (6, 5, 5 * MIN, 7 * MIN)
        assert (team.reached, team.moved_on, team.p50_ms, team.p90_ms) == (6, 5, 6 * MIN, 8 * MIN)
        assert found[(0, "signup_month", "2026-05")].moved_on == 10
        assert found[(1, ALL, ALL)].moved_on == 0 and found[(1, ALL, ALL)].p90_ms is None
        # The detectors' read: a cohort's own baseline only with enough customers, the most lenient of them.
        assert repo.baseline(conn, "shop", "onboarding", 0, {"plan": "team"}, min_size=5) == team
        assert (
            repo.baseline(conn, "shop", "onboarding", 0, {"plan": "team", "source": "organic"}, min_size=5)
            == found[(0, "source", "organic")]
        )
        assert repo.baseline(conn, "shop", "onboarding", 0, {"plan": "team"}, min_size=6) == everyone
        assert repo.baseline(conn, "shop", "onboarding", 5) is None
        waiting = repo.positions_in_step(conn, "shop", "onboarding", 0)
        assert sorted(p.customer_id for p in waiting) == sorted([base(runtime, "k11"), base(runtime, "k12")])
        assert repo.positions_in_step(conn, "shop", "onboarding", 0, entered_before=T0) == []


def test_journeys_rebuild_derives_the_same_rows_again(runtime: Runtime) -> None:
    known_steps(runtime)
    users = [f"k{k}" for k in range(1, 13)]
    before = steps_by_user(runtime, users), positions_by_user(runtime, users)
    runtime.journeys.rebuild("shop")
    assert all(rows == [] for rows in steps_by_user(runtime, users).values())
    runtime.follower.drain()
    assert (steps_by_user(runtime, users), positions_by_user(runtime, users)) == before
