"""The SQL behind the behaviour models: a workspace's `track`, `page` and `screen` events in log order, in batches,
with who sent them (userId, else anonymousId) and the purposes they are kept for."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection

from omotenashi.store.sql import driver_sql

BATCH = 20_000
SYNTHETIC = ('%"synthetic":true%', '%"synthetic": true%')  # context as sent: compact JSON, or with a space


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """One stored event as the behaviour models read it."""

    seq: int
    user_id: str | None
    anonymous_id: str | None
    ts: int
    type: str
    event: str | None
    name: str | None
    purposes: str
    properties: str | None
    synthetic: bool  # the message said `context.synthetic: true` (made-up data: the simulator, the demo)


def activity_rows(conn: Connection, workspace_id: str, batch: int = BATCH) -> Iterator[list[ActivityRow]]:
    """Every `track`, `page` and `screen` event of the workspace, `batch` at a time, in log order."""
    sql = (
        "SELECT seq, user_id, anonymous_id, ts, type, event, name, purposes, properties, "  # noqa: S608
        "CASE WHEN context LIKE ? OR context LIKE ? THEN 1 ELSE 0 END FROM events "
        f"WHERE workspace_id = ? AND type IN ('track', 'page', 'screen') AND seq > ? ORDER BY seq LIMIT {int(batch)}"
    )
    after = 0
    statement = driver_sql(conn, sql)
    while True:
        rows = conn.exec_driver_sql(statement, (*SYNTHETIC, workspace_id, after)).fetchall()
        if not rows:
            return
        after = rows[-1][0]
        yield [ActivityRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9])) for r in rows]
