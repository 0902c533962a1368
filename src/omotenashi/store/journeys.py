"""The SQL of journeys: each customer's position (current stage, current step per journey), their step history,
transition-time baselines per cohort, and the friction signals found at each step.

Read functions near the top (`position_of`, `positions_in_step`, `baseline`, …) are what other capabilities, such as
the friction detectors, code against: their signatures stay stable.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from omotenashi.store.sql import driver_sql, execute_many, fetch_in

LIFECYCLE = "lifecycle"  # the journey under which each customer's current stage is kept (step and step_index NULL)
ALL = "all"  # cohort_key and cohort_value of the baseline over every customer
COHORT_STATE = "journey_cohort"  # detector_state.detector of the cohort reader's per-customer memory
CONSUMER = "journeys"  # the log follower's name (its cursor)


@dataclass(frozen=True)
class Position:
    """Where a customer is in one journey (or, for journey `lifecycle`, which stage they are in)."""

    customer_id: str
    journey: str
    stage: str
    step: str | None
    step_index: int | None
    entered_at: int  # when they reached this step (lifecycle: when they entered this stage)
    last_event_at: int  # the latest event that counted for this journey
    last_seq: int
    cohort: dict[str, str]


@dataclass(frozen=True)
class StepRow:
    """One step a customer reached: when first, and when they next reached a later step (NULL while still here)."""

    customer_id: str
    journey: str
    step: str
    step_index: int
    entered_at: int
    left_at: int | None
    seq: int
    cohort: dict[str, str]


@dataclass(frozen=True)
class Baseline:
    """How long customers of a cohort take from a step to the next, as computed at `computed_at`."""

    journey: str
    step_index: int
    cohort_key: str  # "all", or a cohort field such as "plan"
    cohort_value: str
    reached: int
    moved_on: int
    p50_ms: int | None
    p90_ms: int | None
    computed_at: int


@dataclass(frozen=True)
class SignalCount:
    """How many friction signals of one kind and status were found at a step of a journey."""

    step: str
    kind: str
    status: str
    signals: int
    customers: int


def encode_cohort(cohort: Mapping[str, str]) -> str:
    """The stored form of a cohort: compact JSON with sorted keys (baselines read values out of it by pattern)."""
    return json.dumps(dict(cohort), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _cohort(text: str | None) -> dict[str, str]:
    return dict(_cohort_items(text or ""))


@functools.lru_cache(maxsize=10_000)
def _cohort_items(text: str) -> tuple[tuple[str, str], ...]:
    # A workspace has few distinct cohorts and every step row carries one: each text is parsed once.
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return ()
    return tuple((str(k), str(v)) for k, v in value.items()) if isinstance(value, dict) else ()


_POSITION_COLS = "customer_id, journey, stage, step, step_index, entered_at, last_event_at, last_seq, cohort"


def _position(row: Any) -> Position:
    return Position(row[0], row[1], row[2], row[3], row[4], int(row[5]), int(row[6]), int(row[7]), _cohort(row[8]))


# --- reads other capabilities code against ------------------------------------------------------------------------


def position_of(conn: Connection, workspace_id: str, customer_id: str, journey: str) -> Position | None:
    """The (base) customer's position in a journey, or None when they have not reached any of its steps."""
    sql = (
        f"SELECT {_POSITION_COLS} FROM journey_positions "  # noqa: S608 - constant columns
        "WHERE workspace_id = ? AND customer_id = ? AND journey = ?"
    )
    row = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, customer_id, journey)).first()
    return _position(row) if row is not None else None


def current_stage(conn: Connection, workspace_id: str, customer_id: str) -> Position | None:
    """The (base) customer's current stage (`Position.stage`) and since when (`entered_at`)."""
    return position_of(conn, workspace_id, customer_id, LIFECYCLE)


def positions_of(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> list[Position]:
    """Every position (all journeys, and the lifecycle stage) of these base customers."""
    sql = (
        f"SELECT {_POSITION_COLS} FROM journey_positions "  # noqa: S608 - constant columns
        "WHERE workspace_id = ? AND customer_id IN ({marks})"
    )
    return [_position(r) for r in fetch_in(conn, sql, (workspace_id,), customer_ids)]


def positions_in_step(
    conn: Connection,
    workspace_id: str,
    journey: str,
    step_index: int,
    *,
    entered_before: int | None = None,
    limit: int | None = None,
) -> list[Position]:
    """Customers whose current step in `journey` is `step_index` (oldest arrivals first), optionally only those who
    reached it before `entered_before` (epoch ms)."""
    sql = (
        f"SELECT {_POSITION_COLS} FROM journey_positions "  # noqa: S608 - constant columns
        "WHERE workspace_id = ? AND journey = ? AND step_index = ?"
    )
    params: list[Any] = [workspace_id, journey, step_index]
    if entered_before is not None:
        sql += " AND entered_at < ?"
        params.append(entered_before)
    sql += " ORDER BY entered_at, customer_id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_position(r) for r in conn.exec_driver_sql(driver_sql(conn, sql), tuple(params)).fetchall()]


def steps_of(conn: Connection, workspace_id: str, customer_id: str, journey: str) -> list[StepRow]:
    """The steps of a journey a (base) customer reached, in step order."""
    sql = (
        "SELECT customer_id, journey, step, step_index, entered_at, left_at, seq, cohort FROM journey_steps "
        "WHERE workspace_id = ? AND customer_id = ? AND journey = ? ORDER BY step_index"
    )
    rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, customer_id, journey)).fetchall()
    return [StepRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], _cohort(r[7])) for r in rows]


def _baseline(row: Any) -> Baseline:
    return Baseline(
        row[0],
        int(row[1]),
        row[2],
        row[3],
        int(row[4]),
        int(row[5]),
        None if row[6] is None else int(row[6]),
        None if row[7] is None else int(row[7]),
        int(row[8]),
    )


_BASELINE_COLS = "journey, step_index, cohort_key, cohort_value, reached, moved_on, p50_ms, p90_ms, computed_at"


def baselines(conn: Connection, workspace_id: str, journey: str) -> list[Baseline]:
    """Every stored baseline of a journey: per step, for everyone (`all`) and per cohort value."""
    sql = (
        f"SELECT {_BASELINE_COLS} FROM journey_baselines "  # noqa: S608 - constant columns
        "WHERE workspace_id = ? AND journey = ? ORDER BY step_index, cohort_key, cohort_value"
    )
    return [_baseline(r) for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, journey)).fetchall()]


def baseline(
    conn: Connection,
    workspace_id: str,
    journey: str,
    step_index: int,
    cohort: Mapping[str, str] | None = None,
    *,
    min_size: int = 20,
) -> Baseline | None:
    """The baseline to judge a customer at `step_index` against: time from that step to the next.

    Of the customer's cohort values (e.g. `{"plan": "team", "source": "partner"}`) whose baseline counts at least
    `min_size` customers who moved on, the most lenient (highest p90) — so "slower than usual" holds for every group
    the customer belongs to; else the baseline over everyone; None before baselines were computed.
    """
    sql = (
        f"SELECT {_BASELINE_COLS} FROM journey_baselines "  # noqa: S608 - constant columns
        "WHERE workspace_id = ? AND journey = ? AND step_index = ?"
    )
    found = [_baseline(r) for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, journey, step_index))]
    wanted = dict(cohort or {})
    fitting = [
        b
        for b in found
        if b.cohort_key != ALL
        and wanted.get(b.cohort_key) == b.cohort_value
        and b.moved_on >= min_size
        and b.p90_ms is not None
    ]
    if fitting:
        return max(fitting, key=lambda b: (b.p90_ms or 0, b.cohort_key))
    return next((b for b in found if b.cohort_key == ALL), None)


def stage_counts(conn: Connection, workspace_id: str) -> dict[str, int]:
    """How many (base) customers are in each stage now."""
    sql = "SELECT stage, COUNT(*) FROM journey_positions WHERE workspace_id = ? AND journey = ? GROUP BY stage"
    rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, LIFECYCLE)).fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def step_signals(conn: Connection, workspace_id: str, journey: str) -> list[SignalCount]:
    """Friction signals attached to a journey's steps (`signals.step` is the step's name), by step, kind, status."""
    sql = (
        "SELECT step, kind, status, COUNT(*), COUNT(DISTINCT customer_id) FROM signals "
        "WHERE workspace_id = ? AND journey = ? AND step IS NOT NULL GROUP BY step, kind, status"
    )
    rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, journey)).fetchall()
    return [SignalCount(str(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4])) for r in rows]


def newest_activity(conn: Connection, workspace_id: str) -> int | None:
    """The time of the workspace's latest attributed event (what "now" is for a store of past events)."""
    sql = "SELECT MAX(last_ts) FROM customer_stats WHERE workspace_id = ?"
    value = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id,)).scalar()
    return None if value is None else int(value)


# --- what the journeys follower reads and writes ------------------------------------------------------------------


def positions_for(
    conn: Connection, workspace_id: str, customer_ids: Iterable[str], journey: str
) -> dict[str, Position]:
    """Positions in one journey, by customer."""
    sql = (
        f"SELECT {_POSITION_COLS} FROM journey_positions "  # noqa: S608 - constant columns
        "WHERE workspace_id = ? AND journey = ? AND customer_id IN ({marks})"
    )
    return {r[0]: _position(r) for r in fetch_in(conn, sql, (workspace_id, journey), customer_ids)}


def step_rows_for(
    conn: Connection, workspace_id: str, customer_ids: Iterable[str], journeys: Iterable[str]
) -> dict[tuple[str, str], dict[int, StepRow]]:
    """Reached steps of these customers in these journeys: (customer, journey) → step index → row."""
    names = sorted(set(journeys))
    if not names:
        return {}
    marks = ",".join("?" * len(names))
    sql = (
        "SELECT customer_id, journey, step, step_index, entered_at, left_at, seq, cohort FROM journey_steps "  # noqa: S608
        f"WHERE workspace_id = ? AND journey IN ({marks}) AND customer_id IN ({{marks}})"
    )
    out: dict[tuple[str, str], dict[int, StepRow]] = {}
    for r in fetch_in(conn, sql, (workspace_id, *names), customer_ids):
        row = StepRow(r[0], r[1], r[2], int(r[3]), int(r[4]), r[5], int(r[6]), _cohort(r[7]))
        out.setdefault((row.customer_id, row.journey), {})[row.step_index] = row
    return out


def save_positions(conn: Connection, workspace_id: str, rows: Sequence[Position]) -> None:
    """Insert or replace positions."""
    execute_many(
        conn,
        "INSERT INTO journey_positions (workspace_id, customer_id, journey, stage, step, step_index, entered_at, "
        "last_event_at, last_seq, cohort) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, customer_id, journey) DO UPDATE SET stage = excluded.stage, "
        "step = excluded.step, step_index = excluded.step_index, entered_at = excluded.entered_at, "
        "last_event_at = excluded.last_event_at, last_seq = excluded.last_seq, cohort = excluded.cohort",
        [
            (
                workspace_id,
                p.customer_id,
                p.journey,
                p.stage,
                p.step,
                p.step_index,
                p.entered_at,
                p.last_event_at,
                p.last_seq,
                encode_cohort(p.cohort),
            )
            for p in rows
        ],
    )


def save_steps(conn: Connection, workspace_id: str, rows: Sequence[StepRow]) -> None:
    """Insert or replace reached steps."""
    execute_many(
        conn,
        "INSERT INTO journey_steps (workspace_id, customer_id, journey, step, step_index, entered_at, left_at, seq, "
        "cohort) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, customer_id, journey, step_index) DO UPDATE SET step = excluded.step, "
        "entered_at = excluded.entered_at, left_at = excluded.left_at, seq = excluded.seq, cohort = excluded.cohort",
        [
            (
                workspace_id,
                s.customer_id,
                s.journey,
                s.step,
                s.step_index,
                s.entered_at,
                s.left_at,
                s.seq,
                encode_cohort(s.cohort),
            )
            for s in rows
        ],
    )


def set_cohorts(conn: Connection, workspace_id: str, cohorts: Mapping[str, Mapping[str, str]]) -> None:
    """Give every position and reached step of these customers their (changed) cohort."""
    rows = [(encode_cohort(c), workspace_id, cid) for cid, c in cohorts.items()]
    for table in ("journey_positions", "journey_steps"):
        execute_many(conn, f"UPDATE {table} SET cohort = ? WHERE workspace_id = ? AND customer_id = ?", rows)


def cohort_states(conn: Connection, workspace_id: str, customer_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """What the cohort reader remembers of each customer: values and where each came from."""
    sql = (
        "SELECT customer_id, state FROM detector_state "
        "WHERE workspace_id = ? AND detector = ? AND customer_id IN ({marks})"
    )
    out: dict[str, dict[str, Any]] = {}
    for cid, text in fetch_in(conn, sql, (workspace_id, COHORT_STATE), customer_ids):
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            out[cid] = value
    return out


def save_cohort_states(conn: Connection, workspace_id: str, states: Mapping[str, Mapping[str, Any]], now: int) -> None:
    """Insert or replace what the cohort reader remembers of these customers."""
    execute_many(
        conn,
        "INSERT INTO detector_state (workspace_id, detector, customer_id, state, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, detector, customer_id) DO UPDATE SET state = excluded.state, "
        "updated_at = excluded.updated_at",
        [
            (workspace_id, COHORT_STATE, cid, json.dumps(state, separators=(",", ":"), sort_keys=True), now)
            for cid, state in states.items()
        ],
    )


def events_before(
    conn: Connection, workspace_id: str, customer_id: str, before: tuple[int, int] | None, limit: int
) -> list[tuple[int, int, str, str | None, str | None, str | None]]:
    """The customer's events, newest first, older than `before` (ts, seq): (ts, seq, type, event, name, properties)."""
    sql = (
        "SELECT e.ts, e.seq, e.type, e.event, e.name, e.properties FROM event_customers ec "
        "JOIN events e ON e.seq = ec.seq AND e.workspace_id = ec.workspace_id "
        "WHERE ec.workspace_id = ? AND ec.customer_id = ?"
    )
    params: list[Any] = [workspace_id, customer_id]
    if before is not None:
        sql += " AND (ec.ts < ? OR (ec.ts = ? AND ec.seq < ?))"
        params += [before[0], before[0], before[1]]
    sql += " ORDER BY ec.ts DESC, ec.seq DESC LIMIT ?"
    params.append(limit)
    rows = conn.exec_driver_sql(driver_sql(conn, sql), tuple(params)).fetchall()
    return [(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5]) for r in rows]


def forget(conn: Connection, workspace_id: str) -> None:
    """Remove every journey row of the workspace and rewind the follower, so it rebuilds them from the log."""
    for sql in (
        "DELETE FROM journey_positions WHERE workspace_id = ?",
        "DELETE FROM journey_steps WHERE workspace_id = ?",
        "DELETE FROM journey_baselines WHERE workspace_id = ?",
    ):
        conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id,))
    conn.exec_driver_sql(
        driver_sql(conn, "DELETE FROM detector_state WHERE workspace_id = ? AND detector = ?"),
        (workspace_id, COHORT_STATE),
    )
    conn.exec_driver_sql(
        driver_sql(conn, "DELETE FROM cursors WHERE workspace_id = ? AND consumer = ?"), (workspace_id, CONSUMER)
    )


def replace_baselines(conn: Connection, workspace_id: str, journey: str, rows: Sequence[Baseline]) -> None:
    """Replace a journey's baselines with freshly computed ones."""
    conn.exec_driver_sql(
        driver_sql(conn, "DELETE FROM journey_baselines WHERE workspace_id = ? AND journey = ?"),
        (workspace_id, journey),
    )
    execute_many(
        conn,
        "INSERT INTO journey_baselines (workspace_id, journey, step_index, cohort_key, cohort_value, reached, "
        "moved_on, p50_ms, p90_ms, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                workspace_id,
                b.journey,
                b.step_index,
                b.cohort_key,
                b.cohort_value,
                b.reached,
                b.moved_on,
                b.p50_ms,
                b.p90_ms,
                b.computed_at,
            )
            for b in rows
        ],
    )
