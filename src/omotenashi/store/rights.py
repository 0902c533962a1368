"""Rights requests: access, export, correction and erasure, with deadline, verification, outcome and receipt."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from omotenashi.store.schema import rights_requests
from omotenashi.store.sql import driver_sql


@dataclass(frozen=True)
class RightsRequest:
    id: str
    kind: str
    customer_id: str | None
    identity: str | None
    via: str
    received_at: int
    due_at: int
    verification: str
    status: str
    progress: dict[str, Any] | None
    outcome: str | None
    receipt: dict[str, Any] | None
    staff_id: str | None
    completed_at: int | None


def _row(r: Any) -> RightsRequest:
    return RightsRequest(
        r.id,
        r.kind,
        r.customer_id,
        r.identity,
        r.via,
        r.received_at,
        r.due_at,
        r.verification,
        r.status,
        json.loads(r.progress) if r.progress else None,
        r.outcome,
        json.loads(r.receipt) if r.receipt else None,
        r.staff_id,
        r.completed_at,
    )


def add(conn: Connection, workspace_id: str, req: RightsRequest) -> None:
    conn.execute(
        insert(rights_requests).values(
            workspace_id=workspace_id,
            id=req.id,
            kind=req.kind,
            customer_id=req.customer_id,
            identity=req.identity,
            via=req.via,
            received_at=req.received_at,
            due_at=req.due_at,
            verification=req.verification,
            status=req.status,
            progress=json.dumps(req.progress) if req.progress is not None else None,
            outcome=req.outcome,
            receipt=json.dumps(req.receipt, ensure_ascii=False) if req.receipt is not None else None,
            staff_id=req.staff_id,
            completed_at=req.completed_at,
        )
    )


def get(conn: Connection, workspace_id: str, request_id: str) -> RightsRequest | None:
    stmt = select(rights_requests).where(
        and_(rights_requests.c.workspace_id == workspace_id, rights_requests.c.id == request_id)
    )
    row = conn.execute(stmt).first()
    return _row(row) if row else None


def get_many(conn: Connection, workspace_id: str, request_ids: Sequence[str]) -> dict[str, RightsRequest]:
    """Requests by id (those that exist)."""
    stmt = select(rights_requests).where(
        and_(rights_requests.c.workspace_id == workspace_id, rights_requests.c.id.in_(list(request_ids)))
    )
    return {r.id: _row(r) for r in conn.execute(stmt)}


def save_progress(conn: Connection, workspace_id: str, progress: dict[str, dict[str, Any]]) -> None:
    """Write the journals of erasures under way (by request id) in one statement."""
    if progress:
        conn.exec_driver_sql(
            driver_sql(
                conn,
                "UPDATE rights_requests SET progress = ?, status = 'in_progress' WHERE workspace_id = ? AND id = ?",
            ),
            [(json.dumps(p, ensure_ascii=False), workspace_id, rid) for rid, p in progress.items()],
        )


def change(conn: Connection, workspace_id: str, request_id: str, **values: Any) -> None:
    for key in ("progress", "receipt"):
        if key in values and values[key] is not None and not isinstance(values[key], str):
            values[key] = json.dumps(values[key], ensure_ascii=False)
    conn.execute(
        update(rights_requests)
        .where(and_(rights_requests.c.workspace_id == workspace_id, rights_requests.c.id == request_id))
        .values(**values)
    )


def listing(conn: Connection, workspace_id: str, status: str | None = None, limit: int = 200) -> list[RightsRequest]:
    stmt = select(rights_requests).where(rights_requests.c.workspace_id == workspace_id)
    if status is not None:
        stmt = stmt.where(rights_requests.c.status == status)
    stmt = stmt.order_by(rights_requests.c.due_at).limit(limit)
    return [_row(r) for r in conn.execute(stmt)]


def in_progress(conn: Connection) -> list[tuple[str, RightsRequest]]:
    """Every erasure that started and did not finish, in any workspace."""
    stmt = select(rights_requests).where(
        and_(rights_requests.c.status == "in_progress", rights_requests.c.kind == "erase")
    )
    return [(r.workspace_id, _row(r)) for r in conn.execute(stmt)]
