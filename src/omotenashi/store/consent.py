"""The consent ledger: append-only receipts, and the current state per customer and purpose."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select

from omotenashi.store.schema import consent_receipts
from omotenashi.store.sql import execute_many, fetch_in, first_row


@dataclass(frozen=True)
class Receipt:
    """One consent change, as the customer will see it."""

    subject: str
    purpose: str
    status: str
    method: str
    notice_version: str
    place: str
    at: int
    message_id: str | None = None


def has_any_state(conn: Connection, workspace_id: str) -> bool:
    """Whether any customer of the workspace has said anything about consent yet. On the hot path: plain SQL."""
    sql = "SELECT 1 FROM consent_state WHERE workspace_id = ? LIMIT 1"
    return first_row(conn, sql, (workspace_id,)) is not None


def states(conn: Connection, workspace_id: str, subjects: Iterable[str]) -> dict[str, dict[str, str]]:
    """Current consent per subject and purpose, for the subjects that have any."""
    sql = "SELECT subject, purpose, status FROM consent_state WHERE workspace_id = ? AND subject IN ({marks})"
    out: dict[str, dict[str, str]] = {}
    for subject, purpose, status in fetch_in(conn, sql, (workspace_id,), set(subjects)):
        out.setdefault(subject, {})[purpose] = status
    return out


def record(conn: Connection, workspace_id: str, receipts: Sequence[Receipt]) -> None:
    """Append receipts and move the current state to the latest change."""
    execute_many(
        conn,
        "INSERT INTO consent_receipts (workspace_id, subject, purpose, status, method, notice_version, place, at, "
        "message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                workspace_id,
                r.subject,
                r.purpose,
                r.status,
                r.method,
                r.notice_version,
                r.place,
                r.at,
                r.message_id,
            )
            for r in receipts
        ],
    )
    execute_many(
        conn,
        "INSERT INTO consent_state (workspace_id, subject, purpose, status, at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, subject, purpose) DO UPDATE SET status = excluded.status, at = excluded.at",
        [(workspace_id, r.subject, r.purpose, r.status, r.at) for r in receipts],
    )


def receipts_of(conn: Connection, workspace_id: str, subject: str) -> list[Receipt]:
    """Every receipt of one subject, oldest first."""
    rows = conn.execute(
        select(
            consent_receipts.c.subject,
            consent_receipts.c.purpose,
            consent_receipts.c.status,
            consent_receipts.c.method,
            consent_receipts.c.notice_version,
            consent_receipts.c.place,
            consent_receipts.c.at,
            consent_receipts.c.message_id,
        )
        .where(and_(consent_receipts.c.workspace_id == workspace_id, consent_receipts.c.subject == subject))
        .order_by(consent_receipts.c.id)
    )
    return [Receipt(*r) for r in rows]


def count_receipts(conn: Connection, workspace_id: str) -> int:
    """Receipts in the workspace's ledger."""
    stmt = select(func.count()).where(consent_receipts.c.workspace_id == workspace_id)
    return int(conn.execute(stmt).scalar_one())


def receipts_for(
    conn: Connection, workspace_id: str, subjects: Sequence[str], before_at: int | None, limit: int
) -> list[Receipt]:
    """Receipts of any of these subjects at or before `before_at`, newest first."""
    if not subjects:
        return []
    stmt = select(
        consent_receipts.c.subject,
        consent_receipts.c.purpose,
        consent_receipts.c.status,
        consent_receipts.c.method,
        consent_receipts.c.notice_version,
        consent_receipts.c.place,
        consent_receipts.c.at,
        consent_receipts.c.message_id,
    ).where(and_(consent_receipts.c.workspace_id == workspace_id, consent_receipts.c.subject.in_(list(subjects))))
    if before_at is not None:
        stmt = stmt.where(consent_receipts.c.at <= before_at)
    stmt = stmt.order_by(consent_receipts.c.at.desc(), consent_receipts.c.id.desc()).limit(limit)
    return [Receipt(*r) for r in conn.execute(stmt)]


def set_state(conn: Connection, workspace_id: str, subjects: Sequence[str], purpose: str, status: str, at: int) -> None:
    """Make one choice the current state for every identifier of a person (one receipt records the choice)."""
    execute_many(
        conn,
        "INSERT INTO consent_state (workspace_id, subject, purpose, status, at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, subject, purpose) DO UPDATE SET status = excluded.status, at = excluded.at",
        [(workspace_id, s, purpose, status, at) for s in subjects],
    )
