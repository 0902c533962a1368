"""What the friction detectors keep between looks: per-customer state, timers, and the follower's own bookkeeping.

Rows of `detector_state` are keyed (workspace, detector, customer). Rows whose detector starts with `~` are the
follower's own: `~meta` (the event-time clock; when stall last saw the baselines change) and
`~t<due seconds>/<detector code>` timers (a customer to look at again at an event time: the time leads, so a range
scan finds those due, and the customer id is the row's own, so an erasure takes a person's timers too).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
from sqlalchemy import Connection

from omotenashi.store.sql import driver_sql, execute_many, fetch_in

META = "~meta"
TIMER = "~t"
_decode = msgspec.json.decode
_encode = msgspec.json.Encoder().encode
_UPSERT = (
    "INSERT INTO detector_state (workspace_id, detector, customer_id, state, updated_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (workspace_id, detector, customer_id) DO UPDATE SET state = excluded.state, "
    "updated_at = excluded.updated_at"
)


# --- per-customer state -----------------------------------------------------------------------------------------------


def load_states(
    conn: Connection, workspace_id: str, detectors: Sequence[str], customer_ids: Iterable[str]
) -> dict[tuple[str, str], dict[str, Any]]:
    """What each detector keeps of each of these customers (only those it keeps something of)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for key, text in load_state_texts(conn, workspace_id, detectors, customer_ids).items():
        value = decode_state(text)
        if value is not None:
            out[key] = value
    return out


def load_state_texts(
    conn: Connection, workspace_id: str, detectors: Sequence[str], customer_ids: Iterable[str]
) -> dict[tuple[str, str], str]:
    """The stored JSON of what each detector keeps of each of these customers, undecoded."""
    if not detectors:
        return {}
    marks = ",".join("?" * len(detectors))
    sql = (
        "SELECT detector, customer_id, state FROM detector_state WHERE workspace_id = ? "
        f"AND detector IN ({marks}) AND customer_id IN ({{marks}})"
    )
    return {(d, c): text for d, c, text in fetch_in(conn, sql, (workspace_id, *detectors), customer_ids)}


def encode_state(state: dict[str, Any]) -> str:
    """A detector's state as stored (compact JSON)."""
    return _encode(state).decode()


def decode_state(text: str | bytes) -> dict[str, Any] | None:
    """A detector's state from its stored JSON (None when unreadable)."""
    try:
        value = _decode(text)
    except msgspec.DecodeError:
        return None
    return value if isinstance(value, dict) else None


def save_states(
    conn: Connection,
    workspace_id: str,
    rows: Sequence[tuple[str, str, str]],
    gone: Sequence[tuple[str, str]],
    now_ms: int,
) -> None:
    """Write (detector, customer, state JSON from `encode_state`) rows and delete the (detector, customer) rows with
    nothing left to keep."""
    execute_many(conn, _UPSERT, [(workspace_id, d, c, text, now_ms) for d, c, text in rows])
    execute_many(
        conn,
        "DELETE FROM detector_state WHERE workspace_id = ? AND detector = ? AND customer_id = ?",
        [(workspace_id, d, c) for d, c in gone],
    )


def customers_of_detector(conn: Connection, workspace_id: str, detector: str) -> list[str]:
    """Every customer a detector keeps something of."""
    sql = "SELECT customer_id FROM detector_state WHERE workspace_id = ? AND detector = ? ORDER BY customer_id"
    return [r[0] for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, detector))]


def get_meta(conn: Connection, workspace_id: str, name: str) -> Any:
    """A value of the friction follower's own bookkeeping (None when never set)."""
    sql = "SELECT state FROM detector_state WHERE workspace_id = ? AND detector = ? AND customer_id = ?"
    text = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, META, name)).scalar()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def set_meta(conn: Connection, workspace_id: str, name: str, value: Any, now_ms: int) -> None:
    """Set a value of the friction follower's own bookkeeping."""
    execute_many(conn, _UPSERT, [(workspace_id, META, name, json.dumps(value, separators=(",", ":")), now_ms)])


# --- timers -------------------------------------------------------------------------------------------------------


def _timer_detector(due_ms: int, code: int) -> str:
    seconds = -(-due_ms // 1000)  # rounded up: a timer never fires before its time
    return f"{TIMER}{seconds:011d}/{code:02d}"


def add_timers(conn: Connection, workspace_id: str, rows: Sequence[tuple[int, int, str]], now_ms: int) -> None:
    """Look at (due event time, detector code, customer) again when the workspace's clock reaches it.

    The due time and detector make the row's `detector`, the customer its `customer_id`: timers sort by time, and an
    erasure, which deletes a person's rows by customer id, takes their timers too.
    """
    execute_many(
        conn,
        "INSERT INTO detector_state (workspace_id, detector, customer_id, state, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, detector, customer_id) DO NOTHING",
        [(workspace_id, _timer_detector(due, code), cid, "{}", now_ms) for due, code, cid in rows],
    )


def take_due_timers(conn: Connection, workspace_id: str, now_ms: int, limit: int = 50_000) -> list[tuple[int, str]]:
    """(detector code, customer) of the timers due by `now_ms`, removed as they are taken."""
    upto = f"{TIMER}{now_ms // 1000 + 1:011d}"
    sql = (
        "SELECT detector, customer_id FROM detector_state WHERE workspace_id = ? AND detector >= ? AND detector < ? "
        "ORDER BY detector LIMIT ?"
    )
    found = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, TIMER, upto, limit)).fetchall()
    if not found:
        return []
    execute_many(
        conn,
        "DELETE FROM detector_state WHERE workspace_id = ? AND detector = ? AND customer_id = ?",
        [(workspace_id, d, c) for d, c in found],
    )
    return [(int(d.rsplit("/", 1)[1]), c) for d, c in found]
