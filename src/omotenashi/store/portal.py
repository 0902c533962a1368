"""The privacy portal's sign-in links and sessions. Tokens are stored only as sha256, never as they were sent."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from omotenashi.store.schema import portal_links, portal_sessions


@dataclass(frozen=True)
class PortalLink:
    """A sign-in link as stored: whose it is, when it stops working, and whether it was used."""

    token_hash: str
    workspace_id: str
    customer_id: str
    created_at: int
    expires_at: int
    used_at: int | None


@dataclass(frozen=True)
class PortalSession:
    """A customer's portal session that has not ended or expired."""

    token_hash: str
    workspace_id: str
    customer_id: str
    csrf: str
    gpc: bool
    created_at: int
    expires_at: int


def insert_link(
    conn: Connection,
    token_hash: str,
    workspace_id: str,
    customer_id: str,
    created_at: int,
    expires_at: int,
    used_at: int | None = None,
) -> None:
    conn.execute(
        insert(portal_links).values(
            token_hash=token_hash,
            workspace_id=workspace_id,
            customer_id=customer_id,
            created_at=created_at,
            expires_at=expires_at,
            used_at=used_at,
        )
    )


def link(conn: Connection, token_hash: str) -> PortalLink | None:
    row = conn.execute(select(portal_links).where(portal_links.c.token_hash == token_hash)).first()
    if row is None:
        return None
    return PortalLink(row.token_hash, row.workspace_id, row.customer_id, row.created_at, row.expires_at, row.used_at)


def use_link(conn: Connection, token_hash: str, now: int) -> bool:
    """Mark a live, unused link as used; False when it was already used, expired, or never existed."""
    c = portal_links.c
    result = conn.execute(
        update(portal_links)
        .where(and_(c.token_hash == token_hash, c.used_at.is_(None), c.expires_at > now))
        .values(used_at=now)
    )
    return int(result.rowcount) == 1


def links_since(conn: Connection, workspace_id: str, customer_id: str, since: int) -> int:
    """How many links were made for a customer since a time (to limit how many e-mails one person is sent)."""
    c = portal_links.c
    stmt = select(func.count()).where(
        and_(c.workspace_id == workspace_id, c.customer_id == customer_id, c.created_at >= since)
    )
    return int(conn.execute(stmt).scalar_one())


def insert_session(
    conn: Connection,
    token_hash: str,
    workspace_id: str,
    customer_id: str,
    csrf: str,
    gpc: bool,
    created_at: int,
    expires_at: int,
) -> None:
    conn.execute(
        insert(portal_sessions).values(
            token_hash=token_hash,
            workspace_id=workspace_id,
            customer_id=customer_id,
            csrf=csrf,
            gpc=1 if gpc else 0,
            created_at=created_at,
            expires_at=expires_at,
            ended_at=None,
        )
    )


def live_session(conn: Connection, token_hash: str, now: int) -> PortalSession | None:
    """The session with this token hash, if it has not ended or expired at `now`."""
    s = portal_sessions.c
    row = conn.execute(
        select(portal_sessions).where(and_(s.token_hash == token_hash, s.ended_at.is_(None), s.expires_at > now))
    ).first()
    if row is None:
        return None
    return PortalSession(
        row.token_hash, row.workspace_id, row.customer_id, row.csrf, bool(row.gpc), row.created_at, row.expires_at
    )


def mark_gpc(conn: Connection, token_hash: str) -> bool:
    """Note that the session's browser sent Global Privacy Control; True the first time."""
    s = portal_sessions.c
    result = conn.execute(update(portal_sessions).where(and_(s.token_hash == token_hash, s.gpc == 0)).values(gpc=1))
    return int(result.rowcount) == 1


def end_session(conn: Connection, token_hash: str, at: int) -> int:
    """End a session now; the number of sessions ended (0 if it had already ended)."""
    s = portal_sessions.c
    result = conn.execute(
        update(portal_sessions).where(and_(s.token_hash == token_hash, s.ended_at.is_(None))).values(ended_at=at)
    )
    return int(result.rowcount)


def forget_before(conn: Connection, cutoff: int) -> int:
    """Delete links and sessions that expired or ended before `cutoff`; the number deleted."""
    s = portal_sessions.c
    gone = conn.execute(delete(portal_sessions).where(or_(s.expires_at < cutoff, s.ended_at < cutoff))).rowcount
    gone += conn.execute(delete(portal_links).where(portal_links.c.expires_at < cutoff)).rowcount
    return int(gone)
