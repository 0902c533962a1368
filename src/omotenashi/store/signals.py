"""The SQL of friction's signals: upserted by customer, kind and key; taken back; resolved; the inbox; and what the
detectors read of journeys and devices. What the detectors keep between looks is `store.detector_state`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Connection

from omotenashi.store.cursors import EventRow
from omotenashi.store.detector_state import META, TIMER
from omotenashi.store.sql import driver_sql, execute_many, fetch_in

OPEN, RESOLVED = "open", "resolved"
_decode = msgspec.json.decode
_encode = msgspec.json.Encoder().encode
_SIGNAL_COLS = (
    "id, customer_id, kind, key, severity, status, first_seen, last_seen, resolved_at, evidence, details, journey, "
    "step, updated_at"
)


@dataclass(frozen=True)
class Signal:
    """One friction signal as stored."""

    id: str
    customer_id: str
    kind: str
    key: str
    severity: int
    status: str
    first_seen: int
    last_seen: int
    resolved_at: int | None
    evidence: list[int]
    details: dict[str, Any]
    journey: str | None
    step: str | None
    updated_at: int


def signal_id(workspace_id: str, customer_id: str, kind: str, key: str) -> str:
    """A signal's id, derived from what it is about, so streaming and a rescan name it alike."""
    digest = hashlib.blake2b(f"{workspace_id}\x00{customer_id}\x00{kind}\x00{key}".encode(), digest_size=9)
    return "s_" + digest.hexdigest()


def _loads(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _signal(row: Any) -> Signal:
    evidence = _loads(row[9], [])
    details = _loads(row[10], {})
    return Signal(
        row[0],
        row[1],
        row[2],
        row[3],
        int(row[4]),
        row[5],
        int(row[6]),
        int(row[7]),
        None if row[8] is None else int(row[8]),
        [int(s) for s in evidence] if isinstance(evidence, list) else [],
        details if isinstance(details, dict) else {},
        row[11],
        row[12],
        int(row[13]),
    )


# --- writing signals ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalWrite:
    """A signal to insert or update."""

    customer_id: str
    kind: str
    key: str
    severity: int
    first_seen: int
    last_seen: int
    resolved_at: int | None
    evidence: Sequence[int]
    details: dict[str, Any]
    journey: str | None
    step: str | None


def upsert(conn: Connection, workspace_id: str, rows: Sequence[SignalWrite], now_ms: int) -> None:
    """Insert signals, or update the one open for the same customer, kind and key with the new evidence."""
    execute_many(
        conn,
        "INSERT INTO signals (workspace_id, id, customer_id, kind, key, severity, status, first_seen, last_seen, "
        "resolved_at, evidence, details, journey, step, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, id) DO UPDATE SET severity = excluded.severity, status = excluded.status, "
        "first_seen = excluded.first_seen, last_seen = excluded.last_seen, resolved_at = excluded.resolved_at, "
        "evidence = excluded.evidence, details = excluded.details, journey = excluded.journey, step = excluded.step, "
        "updated_at = excluded.updated_at",
        [
            (
                workspace_id,
                signal_id(workspace_id, r.customer_id, r.kind, r.key),
                r.customer_id,
                r.kind,
                r.key[:200],
                r.severity,
                RESOLVED if r.resolved_at is not None else OPEN,
                r.first_seen,
                r.last_seen,
                r.resolved_at,
                _dumps(list(r.evidence)),
                _dumps(r.details),
                r.journey,
                r.step,
                now_ms,
            )
            for r in rows
        ],
    )


def take_back(conn: Connection, workspace_id: str, ids: Iterable[str]) -> int:
    """Remove signals a late event showed were never friction."""
    ids = list(ids)
    removed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"DELETE FROM signals WHERE workspace_id = ? AND id IN ({marks})"
        removed += conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *chunk)).rowcount
    return removed


def forget_customers(conn: Connection, workspace_id: str, customer_ids: Sequence[str], kinds: Sequence[str]) -> int:
    """Remove the signals and detector memory of these kinds for these customers (their consent no longer covers
    them)."""
    if not customer_ids or not kinds:
        return 0
    removed = 0
    kind_marks = ",".join("?" * len(kinds))
    for start in range(0, len(customer_ids), 400):
        chunk = list(customer_ids[start : start + 400])
        marks = ",".join("?" * len(chunk))
        for table, column in (("signals", "kind"), ("detector_state", "detector")):
            sql = (
                f"DELETE FROM {table} WHERE workspace_id = ? AND {column} IN ({kind_marks}) "
                f"AND customer_id IN ({marks})"
            )
            removed += conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *kinds, *chunk)).rowcount
    return removed


def forget_workspace(conn: Connection, workspace_id: str, detectors: Sequence[str]) -> None:
    """Remove every signal, the detectors' memory, timers and clock of a workspace (before a rescan)."""
    conn.exec_driver_sql(driver_sql(conn, "DELETE FROM signals WHERE workspace_id = ?"), (workspace_id,))
    names = [*detectors, META]
    marks = ",".join("?" * len(names))
    conn.exec_driver_sql(
        driver_sql(conn, f"DELETE FROM detector_state WHERE workspace_id = ? AND detector IN ({marks})"),
        (workspace_id, *names),
    )
    conn.exec_driver_sql(
        driver_sql(conn, "DELETE FROM detector_state WHERE workspace_id = ? AND detector >= ? AND detector < ?"),
        (workspace_id, TIMER, TIMER + "~"),
    )


# --- reading signals ----------------------------------------------------------------------------------------------


def of_customers(
    conn: Connection, workspace_id: str, customer_ids: Iterable[str], *, kinds: Sequence[str] | None = None
) -> list[Signal]:
    """Every signal of these (base) customers, newest first."""
    sql = f"SELECT {_SIGNAL_COLS} FROM signals WHERE workspace_id = ? AND customer_id IN ({{marks}})"
    rows = [_signal(r) for r in fetch_in(conn, sql, (workspace_id,), customer_ids)]
    if kinds is not None:
        rows = [s for s in rows if s.kind in kinds]
    return sorted(rows, key=lambda s: (s.first_seen, s.id), reverse=True)


def by_ids(conn: Connection, workspace_id: str, ids: Iterable[str]) -> dict[str, Signal]:
    sql = f"SELECT {_SIGNAL_COLS} FROM signals WHERE workspace_id = ? AND id IN ({{marks}})"
    return {s.id: s for s in (_signal(r) for r in fetch_in(conn, sql, (workspace_id,), ids))}


def of_kind(conn: Connection, workspace_id: str, kind: str) -> list[Signal]:
    """Every signal of one kind in the workspace."""
    sql = f"SELECT {_SIGNAL_COLS} FROM signals WHERE workspace_id = ? AND kind = ?"
    return [_signal(r) for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, kind))]


def all_signals(conn: Connection, workspace_id: str) -> list[Signal]:
    """Every signal of the workspace (for evaluation and rescans; the inbox pages through them instead)."""
    sql = f"SELECT {_SIGNAL_COLS} FROM signals WHERE workspace_id = ? ORDER BY first_seen, id"
    return [_signal(r) for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id,))]


@dataclass(frozen=True)
class InboxQuery:
    """What the inbox is filtered by; `before` is (first_seen, id) of the last row of the previous page."""

    status: str | None = OPEN
    severity: int | None = None  # at least this severity
    kinds: Sequence[str] = ()
    step: str | None = None
    before: tuple[int, str] | None = None
    limit: int = 50


def inbox(conn: Connection, workspace_id: str, q: InboxQuery) -> list[Signal]:
    """Signals newest first (by when they were first seen), filtered, one page at a time."""
    sql = f"SELECT {_SIGNAL_COLS} FROM signals WHERE workspace_id = ?"
    params: list[Any] = [workspace_id]
    if q.status is not None:
        sql += " AND status = ?"
        params.append(q.status)
    if q.severity is not None:
        sql += " AND severity >= ?"
        params.append(q.severity)
    if q.kinds:
        sql += f" AND kind IN ({','.join('?' * len(q.kinds))})"
        params.extend(q.kinds)
    if q.step is not None:
        sql += " AND step = ?"
        params.append(q.step)
    if q.before is not None:
        sql += " AND (first_seen < ? OR (first_seen = ? AND id < ?))"
        params += [q.before[0], q.before[0], q.before[1]]
    sql += " ORDER BY first_seen DESC, id DESC LIMIT ?"
    params.append(q.limit)
    return [_signal(r) for r in conn.exec_driver_sql(driver_sql(conn, sql), tuple(params))]


def counts(conn: Connection, workspace_id: str) -> dict[tuple[str, str], int]:
    """How many signals of each (kind, status)."""
    sql = "SELECT kind, status, COUNT(*) FROM signals WHERE workspace_id = ? GROUP BY kind, status"
    return {(r[0], r[1]): int(r[2]) for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id,))}


def steps_with_signals(conn: Connection, workspace_id: str) -> list[str]:
    """The journey steps some signal is attached to (to filter the inbox by)."""
    sql = "SELECT DISTINCT step FROM signals WHERE workspace_id = ? AND step IS NOT NULL ORDER BY step"
    return [r[0] for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id,))]


# --- what detectors read around a customer ------------------------------------------------------------------------


def device_activity(
    conn: Connection, workspace_id: str, customer_id: str, start: int, end: int, limit: int = 2_000
) -> list[tuple[int, int]]:
    """(ts, seq) of the customer's events from a browser or app (not a server) in [start, end), oldest first."""
    sql = (
        "SELECT ec.ts, ec.seq FROM event_customers ec JOIN events e ON e.workspace_id = ec.workspace_id "
        "AND e.seq = ec.seq WHERE ec.workspace_id = ? AND ec.customer_id = ? AND ec.ts >= ? AND ec.ts < ? "
        "AND e.anonymous_id IS NOT NULL ORDER BY ec.ts, ec.seq LIMIT ?"
    )
    rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, customer_id, start, end, limit))
    return [(int(r[0]), int(r[1])) for r in rows]


def journey_customers(conn: Connection, workspace_id: str, journeys: Sequence[str]) -> list[str]:
    """Every (base) customer with a position in one of these journeys."""
    if not journeys:
        return []
    marks = ",".join("?" * len(journeys))
    sql = (
        f"SELECT DISTINCT customer_id FROM journey_positions WHERE workspace_id = ? AND journey IN ({marks}) "
        "ORDER BY customer_id"
    )
    return [r[0] for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *journeys))]


def baselines_version(conn: Connection, workspace_id: str, journeys: Sequence[str]) -> int | None:
    """When the baselines of these journeys were last computed (None before the first time)."""
    if not journeys:
        return None
    marks = ",".join("?" * len(journeys))
    sql = f"SELECT MAX(computed_at) FROM journey_baselines WHERE workspace_id = ? AND journey IN ({marks})"
    value = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *journeys)).scalar()
    return None if value is None else int(value)


def unjudged_events(conn: Connection, workspace_id: str, low_seq: int, high_seq: int, judged: int) -> list[EventRow]:
    """Events of seq in [low_seq, high_seq] newer than `judged`: what the friction follower held when it stopped."""
    if high_seq < low_seq:
        return []
    cols = ", ".join(EventRow.__dataclass_fields__)
    sql = f"SELECT {cols} FROM events WHERE workspace_id = ? AND seq >= ? AND seq <= ? AND ts > ? ORDER BY seq"
    rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, low_seq, high_seq, judged)).fetchall()
    return [EventRow(*row) for row in rows]
