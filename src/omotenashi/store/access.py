"""The access log: every time a staff member opened a customer's record, and for what."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, insert, select

from omotenashi.store.schema import access_log


@dataclass(frozen=True)
class Access:
    customer_id: str
    staff_id: str
    what: str
    purpose: str
    at: int


def record(conn: Connection, workspace_id: str, entry: Access) -> None:
    """Write one view of a customer record to the log."""
    conn.execute(
        insert(access_log).values(
            workspace_id=workspace_id,
            customer_id=entry.customer_id,
            staff_id=entry.staff_id,
            what=entry.what,
            purpose=entry.purpose,
            at=entry.at,
        )
    )


def of_customers(conn: Connection, workspace_id: str, customer_ids: list[str], limit: int = 200) -> list[Access]:
    """Who opened these customers' records, newest first."""
    stmt = (
        select(
            access_log.c.customer_id, access_log.c.staff_id, access_log.c.what, access_log.c.purpose, access_log.c.at
        )
        .where(and_(access_log.c.workspace_id == workspace_id, access_log.c.customer_id.in_(customer_ids)))
        .order_by(access_log.c.id.desc())
        .limit(limit)
    )
    return [Access(*r) for r in conn.execute(stmt)]
