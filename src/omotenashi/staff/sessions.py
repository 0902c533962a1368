"""Server-side staff sessions: a random token in the browser's cookie, only its sha256 in the store.

A session has its own CSRF token, lasts a fixed time from sign-in, and ends in the store on sign-out, so a copied
cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection

from omotenashi.store import staff as store
from omotenashi.store.staff import StaffMember, StaffSession

COOKIE = "omotenashi_staff"
LIFETIME = timedelta(hours=12)
# Ended and expired sessions are kept this long (to tell "signed out" from "never existed" when debugging), then go.
KEEP_ENDED = timedelta(days=7)

__all__ = ["COOKIE", "LIFETIME", "OpenedSession", "StaffSession"]


@dataclass(frozen=True)
class OpenedSession:
    """A new session: the token goes into the cookie and is never stored; the CSRF token goes into forms."""

    token: str
    csrf: str
    expires_at: int
    member: StaffMember


def token_hash(token: str) -> str:
    """The stored form of a session token (tokens are random, so a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    conn: Connection, member: StaffMember, *, now: int, lifetime: timedelta = LIFETIME, replacing: str | None = None
) -> OpenedSession:
    """Start a session for a signed-in staff member, ending the session `replacing` (the browser's old token)."""
    if replacing:
        store.end_session(conn, token_hash(replacing), now)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires_at = now + int(lifetime.total_seconds() * 1000)
    store.insert_session(conn, token_hash(token), member, csrf, now, expires_at)
    return OpenedSession(token, csrf, expires_at, member)


def session_for(conn: Connection, token: str | None, *, now: int) -> StaffSession | None:
    """The live session a cookie's token belongs to; None when it ended, expired, or its member was disabled."""
    if not token:
        return None
    return store.live_session(conn, token_hash(token), now)


def end_session(conn: Connection, token: str, *, now: int) -> bool:
    """Sign out: end the session in the store, so its token no longer works anywhere."""
    return store.end_session(conn, token_hash(token), now) > 0


def csrf_matches(session: StaffSession, presented: str | None) -> bool:
    """Whether a form or header carried this session's CSRF token (compared in constant time)."""
    return bool(presented) and hmac.compare_digest(session.csrf.encode(), (presented or "").encode())


def forget_old_sessions(conn: Connection, *, now: int) -> int:
    """Delete sessions that ended or expired more than `KEEP_ENDED` ago."""
    return store.forget_sessions_before(conn, now - int(KEEP_ENDED.total_seconds() * 1000))
