"""How a customer gets into the privacy portal, without a password: a one-time link sent by e-mail, or a short-lived
link the company's own app signs for a signed-in user; then a portal session.

- One-time links: a random token in the link, only its sha256 in `portal_links`; 15 minutes; one use.
- Signed links: `/portal/enter?w=WORKSPACE&u=USER_ID&exp=EPOCH_S&sig=HEX`, where `sig` is HMAC-SHA256 over
  `w\\nu\\nexp` with the workspace's *link key*: `HMAC-SHA256(workspace secret, "portal-link")`. The app is given
  the link key (`omotenashi privacy link-key`), never the secret itself, which also keys identifier hashes. A signed
  link is valid for at most 10 minutes and, like a one-time link, works once.
- Sessions: a random cookie token, only its sha256 in `portal_sessions`, with its own CSRF token; one hour; signing
  out ends it in the store.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import Connection

from omotenashi.core.errors import BadRequest
from omotenashi.store import portal as store
from omotenashi.store.portal import PortalSession

LINK_LIFETIME = timedelta(minutes=15)
SIGNED_LINK_MAX = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=1)
# A signed link may say it expires a little later than 10 minutes from our `now`: the app's clock may run ahead.
CLOCK_SKEW = timedelta(seconds=60)
# At most this many e-mailed links per person per link lifetime, so nobody can flood someone's inbox.
LINKS_PER_WINDOW = 5
# Expired links and ended sessions are deleted after this long.
KEEP_ENDED = timedelta(days=1)

LINK_PATH = "/portal/link/"
ENTER_PATH = "/portal/enter"
LINK_KEY_LABEL = b"portal-link"

__all__ = ["LinkExpired", "LinkRefused", "LinkUsed", "PortalSession"]


class LinkRefused(BadRequest):
    """A sign-in link that is not one of ours: mistyped, cut short, or changed."""

    code = "link_invalid"


class LinkExpired(LinkRefused):
    """A sign-in link whose time is up."""

    code = "link_expired"


class LinkUsed(LinkRefused):
    """A sign-in link that was already used once."""

    code = "link_used"


def _ms(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)


def token_hash(token: str) -> str:
    """The stored form of a link or session token (tokens are random, so a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- one-time links, sent by e-mail ---------------------------------------------------------------------------------


def issue_link(conn: Connection, workspace_id: str, customer_id: str, *, now: int) -> str | None:
    """A new one-time sign-in token for a customer; None when they were sent too many links lately."""
    store.forget_before(conn, now - _ms(KEEP_ENDED))
    if store.links_since(conn, workspace_id, customer_id, now - _ms(LINK_LIFETIME)) >= LINKS_PER_WINDOW:
        return None
    token = secrets.token_urlsafe(32)
    store.insert_link(conn, token_hash(token), workspace_id, customer_id, now, now + _ms(LINK_LIFETIME))
    return token


def check_link(conn: Connection, token: str, *, now: int) -> store.PortalLink:
    """Whose a one-time link is, without using it; `LinkExpired`, `LinkUsed` or `LinkRefused` when it cannot be
    used. Following the e-mailed link only shows a page (mail scanners fetch links too); using it takes a POST."""
    found = store.link(conn, token_hash(token))
    if found is None:
        raise LinkRefused("this sign-in link is not one we made", hint="ask for a new link")
    if found.used_at is not None:
        raise LinkUsed("this sign-in link was already used", hint="each link works once; ask for a new one")
    if found.expires_at <= now:
        raise LinkExpired("this sign-in link has expired", hint="links work for 15 minutes; ask for a new one")
    return found


def redeem_link(conn: Connection, token: str, *, now: int) -> store.PortalLink:
    """Use a one-time link: whose it is; `LinkExpired`, `LinkUsed` or `LinkRefused` when it cannot be used."""
    hashed = token_hash(token)
    if store.use_link(conn, hashed, now):
        found = store.link(conn, hashed)
        assert found is not None
        return found
    check_link(conn, token, now=now)
    raise LinkUsed("this sign-in link was already used", hint="each link works once; ask for a new one")


def link_path(token: str) -> str:
    return LINK_PATH + token


# --- links signed by the company's own app ---------------------------------------------------------------------------


def link_key(secret: bytes) -> bytes:
    """The key the company's app signs portal links with: derived from the workspace secret, never the secret."""
    return hmac.new(secret, LINK_KEY_LABEL, hashlib.sha256).digest()


def signature(key: bytes, workspace_id: str, user_id: str, exp: int) -> str:
    """HMAC-SHA256 over `w\\nu\\nexp`, as lowercase hex."""
    message = f"{workspace_id}\n{user_id}\n{exp}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signed_query(key: bytes, workspace_id: str, user_id: str, exp: int) -> str:
    """The query string of a signed link (without the `?`)."""
    sig = signature(key, workspace_id, user_id, exp)
    return urlencode({"w": workspace_id, "u": user_id, "exp": exp, "sig": sig})


def signed_link(base: str, key: bytes, workspace_id: str, user_id: str, *, now_s: int, valid_for: timedelta) -> str:
    """A whole signed link, valid for `valid_for` (at most 10 minutes) from `now_s`."""
    seconds = int(min(valid_for, SIGNED_LINK_MAX).total_seconds())
    return f"{base.rstrip('/')}{ENTER_PATH}?{signed_query(key, workspace_id, user_id, now_s + seconds)}"


def check_signed(key: bytes, workspace_id: str, user_id: str, exp: str, sig: str, *, now_s: int) -> int:
    """Verify a signed link (in constant time); its expiry as epoch seconds, or `LinkRefused`/`LinkExpired`."""
    if not exp.isdigit() or len(exp) > 12 or not user_id or len(user_id) > 256:
        raise LinkRefused("this sign-in link is incomplete or changed", hint="ask for a new link")
    expires = int(exp)
    expected = signature(key, workspace_id, user_id, expires)
    if not hmac.compare_digest(expected.encode(), sig.strip().lower().encode()):
        raise LinkRefused("this sign-in link is not signed by us", hint="ask for a new link")
    if expires <= now_s:
        raise LinkExpired("this sign-in link has expired", hint="signed links work for a few minutes")
    if expires > now_s + int((SIGNED_LINK_MAX + CLOCK_SKEW).total_seconds()):
        # Validly signed, but for longer than we accept: a leaked link must not stay usable for long.
        raise LinkRefused("this sign-in link is valid for too long", hint="sign links for at most 10 minutes")
    return expires


def use_signed(conn: Connection, workspace_id: str, customer_id: str, sig: str, exp_s: int, *, now: int) -> None:
    """Record that a signed link was used, so it cannot be used again; `LinkUsed` if it was."""
    hashed = token_hash("signed:" + sig.strip().lower())
    if store.link(conn, hashed) is not None:
        raise LinkUsed("this sign-in link was already used", hint="each link works once; ask for a new one")
    store.insert_link(conn, hashed, workspace_id, customer_id, now, exp_s * 1000, used_at=now)


# --- sessions ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedSession:
    """A new portal session: the token goes into the cookie and is never stored; the CSRF token goes into forms."""

    token: str
    csrf: str
    expires_at: int


def open_session(
    conn: Connection,
    workspace_id: str,
    customer_id: str,
    *,
    now: int,
    gpc: bool = False,
    replacing: str | None = None,
) -> OpenedSession:
    """Start a portal session for a customer, ending the browser's previous one (`replacing`)."""
    if replacing:
        store.end_session(conn, token_hash(replacing), now)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires_at = now + _ms(SESSION_LIFETIME)
    store.insert_session(conn, token_hash(token), workspace_id, customer_id, csrf, gpc, now, expires_at)
    return OpenedSession(token, csrf, expires_at)


def session_for(conn: Connection, token: str | None, *, now: int) -> PortalSession | None:
    """The live session a cookie's token belongs to; None when it ended or expired."""
    if not token:
        return None
    return store.live_session(conn, token_hash(token), now)


def end_session(conn: Connection, token: str, *, now: int) -> bool:
    """Sign out: end the session in the store, so its token no longer works anywhere."""
    return store.end_session(conn, token_hash(token), now) > 0


def note_gpc(conn: Connection, session: PortalSession) -> bool:
    """Note that a session's browser sends Global Privacy Control; True the first time in this session."""
    return store.mark_gpc(conn, session.token_hash)


def csrf_matches(session: PortalSession, presented: str | None) -> bool:
    """Whether a form carried this session's CSRF token (compared in constant time)."""
    return bool(presented) and hmac.compare_digest(session.csrf.encode(), (presented or "").encode())
