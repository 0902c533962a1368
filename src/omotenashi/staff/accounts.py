"""Staff accounts: add a member with a role and a language, check a password, change a language, disable."""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from omotenashi.core.errors import BadRequest, Conflict, NotFound
from omotenashi.i18n import LANGUAGES
from omotenashi.staff.permissions import Role
from omotenashi.store import staff as store
from omotenashi.store.staff import NewStaff, StaffMember

MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

__all__ = ["MIN_PASSWORD_LENGTH", "NewStaff", "StaffMember"]


class WeakPassword(BadRequest):
    """The password is too easy to guess to protect customers' data."""

    code = "weak_password"


class EmailTaken(Conflict):
    """The workspace already has a staff member with this email."""

    code = "email_taken"


# argon2-cffi's PasswordHasher uses argon2id with the RFC 9106 "low memory" parameters by default.
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    # Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
    return _hasher.hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    """Emails compare without surrounding spaces and case."""
    return email.strip().lower()


def check_password_strength(password: str) -> None:
    """Refuse a password too short to protect customers' data."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"the password is too short: {len(password)} characters, at least {MIN_PASSWORD_LENGTH} are needed",
            hint="a few unrelated words make a long password that is easy to remember",
        )


def hash_password(password: str) -> str:
    """The argon2id hash to store for a password."""
    return _hasher.hash(password)


def enrol(
    workspace_id: str,
    email: str,
    name: str,
    role: str,
    password: str,
    *,
    language: str = "en",
    now: int,
) -> NewStaff:
    """Check a new staff member's details and hash their password (slow on purpose: do it outside a transaction)."""
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > 320:
        raise BadRequest(f"`{email}` is not an email address", hint="write it as name@example.com")
    if not name.strip():
        raise BadRequest("the name is empty", hint="give the name colleagues know the staff member by")
    if role not in {r.value for r in Role}:
        raise BadRequest(f"unknown role `{role}`", hint=f"use one of: {', '.join(r.value for r in Role)}")
    if language not in LANGUAGES:
        raise BadRequest(f"unknown language `{language}`", hint=f"use one of: {', '.join(LANGUAGES)}")
    check_password_strength(password)
    member = StaffMember(
        workspace_id=workspace_id,
        id="st_" + secrets.token_hex(10),
        email=email,
        name=name.strip(),
        role=role,
        language=language,
        created_at=now,
    )
    return NewStaff(member, hash_password(password))


def add(conn: Connection, new: NewStaff) -> StaffMember:
    """Store an enrolled staff member, unless the workspace already has one with the same email."""
    if store.by_email(conn, new.member.workspace_id, new.member.email) is not None:
        raise EmailTaken(
            f"the workspace already has a staff member with the email {new.member.email}",
            hint="`omotenashi staff list` shows them",
        )
    store.insert_staff(conn, new)
    return new.member


def authenticate(conn: Connection, workspace_id: str, email: str, password: str) -> StaffMember | None:
    """The staff member these credentials belong to; None for a wrong email, a wrong password or a disabled account.

    The three failures take the same time and look the same, so a sign-in form does not tell who works here.
    """
    found = store.credentials(conn, workspace_id, normalise_email(email))
    stored = found[1] if found else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if found is None or found[0].disabled_at is not None:
        return None
    return found[0]


def change_language(conn: Connection, member: StaffMember, language: str) -> StaffMember:
    """Switch the language a staff member reads the workspace in."""
    if language not in LANGUAGES:
        raise BadRequest(f"unknown language `{language}`", hint=f"use one of: {', '.join(LANGUAGES)}")
    if not store.set_language(conn, member.workspace_id, member.id, language):
        raise NotFound(f"no staff member {member.id}")
    return replace(member, language=language)


def disable(conn: Connection, workspace_id: str, email: str, *, now: int) -> StaffMember:
    """Stop a staff member from signing in, and end the sessions they have open."""
    member = store.by_email(conn, workspace_id, normalise_email(email))
    if member is None:
        raise NotFound(f"no staff member with the email {email}", hint="`omotenashi staff list` shows them")
    return _disabled(conn, member, now)


def _disabled(conn: Connection, member: StaffMember, now: int) -> StaffMember:
    store.set_disabled(conn, member.workspace_id, member.id, now)
    store.end_sessions_of(conn, member.workspace_id, member.id, now)
    return replace(member, disabled_at=now)


def _other_member(conn: Connection, workspace_id: str, staff_id: str, by: StaffMember, doing: str) -> StaffMember:
    """The staff member an administrator acts on: someone else on the workspace."""
    member = store.by_id(conn, workspace_id, staff_id)
    if member is None:
        raise NotFound(f"no staff member `{staff_id}`", hint="`omotenashi staff list` shows them")
    if member.id == by.id:
        raise Conflict(f"you cannot {doing} yourself", hint="ask another administrator")
    return member


def change_role(conn: Connection, workspace_id: str, staff_id: str, role: str, *, by: StaffMember) -> StaffMember:
    """Give a staff member another role (at once: their sessions read it on every request); never one's own."""
    if role not in {r.value for r in Role}:
        raise BadRequest(f"unknown role `{role}`", hint=f"use one of: {', '.join(r.value for r in Role)}")
    member = _other_member(conn, workspace_id, staff_id, by, "change the role of")
    store.set_role(conn, workspace_id, member.id, role)
    return replace(member, role=role)


def disable_member(conn: Connection, workspace_id: str, staff_id: str, *, by: StaffMember, now: int) -> StaffMember:
    """Stop another staff member from signing in, and end the sessions they have open."""
    return _disabled(conn, _other_member(conn, workspace_id, staff_id, by, "disable"), now)


def enable(conn: Connection, workspace_id: str, staff_id: str, *, by: StaffMember) -> StaffMember:
    """Let a disabled staff member sign in again."""
    member = _other_member(conn, workspace_id, staff_id, by, "enable")
    store.set_disabled(conn, workspace_id, member.id, None)
    return replace(member, disabled_at=None)


def set_password(
    conn: Connection, workspace_id: str, staff_id: str, password_hash: str, *, by: StaffMember, now: int
) -> StaffMember:
    """Give a staff member a new password (hashed beforehand, `hash_password`) and end their open sessions."""
    member = _other_member(conn, workspace_id, staff_id, by, "set a new password for")
    store.set_password_hash(conn, workspace_id, member.id, password_hash)
    store.end_sessions_of(conn, workspace_id, member.id, now)
    return member


def members(conn: Connection, workspace_id: str) -> list[StaffMember]:
    """Everyone on the workspace's staff."""
    return store.list_staff(conn, workspace_id)
