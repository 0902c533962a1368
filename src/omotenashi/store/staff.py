"""Staff members and their sessions. Passwords are stored only as argon2id hashes, session tokens only as sha256."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, and_, delete, insert, or_, select, update

from omotenashi.store.schema import staff, staff_sessions


@dataclass(frozen=True)
class StaffMember:
    """A member of staff as the product sees them (never with their password hash)."""

    workspace_id: str
    id: str
    email: str
    name: str
    role: str
    language: str
    created_at: int
    disabled_at: int | None = None


@dataclass(frozen=True)
class NewStaff:
    """A staff member about to be added, with the hash of their password."""

    member: StaffMember
    password_hash: str


@dataclass(frozen=True)
class StaffSession:
    """A session that has not ended or expired, of a staff member who is not disabled."""

    token_hash: str
    member: StaffMember
    csrf: str
    created_at: int
    expires_at: int


_MEMBER = (
    staff.c.workspace_id,
    staff.c.id,
    staff.c.email,
    staff.c.name,
    staff.c.role,
    staff.c.language,
    staff.c.created_at,
    staff.c.disabled_at,
)


def _member(m: RowMapping) -> StaffMember:
    return StaffMember(
        workspace_id=m["workspace_id"],
        id=m["id"],
        email=m["email"],
        name=m["name"],
        role=m["role"],
        language=m["language"],
        created_at=m["created_at"],
        disabled_at=m["disabled_at"],
    )


def insert_staff(conn: Connection, new: NewStaff) -> None:
    """Store a new staff member."""
    m = new.member
    conn.execute(
        insert(staff).values(
            workspace_id=m.workspace_id,
            id=m.id,
            email=m.email,
            name=m.name,
            role=m.role,
            password_hash=new.password_hash,
            language=m.language,
            created_at=m.created_at,
            disabled_at=m.disabled_at,
        )
    )


def by_email(conn: Connection, workspace_id: str, email: str) -> StaffMember | None:
    """The workspace's staff member with this (normalised) email, disabled or not."""
    row = conn.execute(
        select(*_MEMBER).where(and_(staff.c.workspace_id == workspace_id, staff.c.email == email))
    ).first()
    return _member(row._mapping) if row else None


def by_id(conn: Connection, workspace_id: str, staff_id: str) -> StaffMember | None:
    """The workspace's staff member with this id."""
    row = conn.execute(
        select(*_MEMBER).where(and_(staff.c.workspace_id == workspace_id, staff.c.id == staff_id))
    ).first()
    return _member(row._mapping) if row else None


def credentials(conn: Connection, workspace_id: str, email: str) -> tuple[StaffMember, str] | None:
    """A staff member and their password hash, to check a sign-in."""
    row = conn.execute(
        select(*_MEMBER, staff.c.password_hash).where(
            and_(staff.c.workspace_id == workspace_id, staff.c.email == email)
        )
    ).first()
    return (_member(row._mapping), row.password_hash) if row else None


def list_staff(conn: Connection, workspace_id: str) -> list[StaffMember]:
    """Every staff member of the workspace, by email."""
    rows = conn.execute(select(*_MEMBER).where(staff.c.workspace_id == workspace_id).order_by(staff.c.email))
    return [_member(r._mapping) for r in rows]


def set_language(conn: Connection, workspace_id: str, staff_id: str, language: str) -> int:
    """Change a staff member's language; the number of rows changed."""
    result = conn.execute(
        update(staff)
        .where(and_(staff.c.workspace_id == workspace_id, staff.c.id == staff_id))
        .values(language=language)
    )
    return int(result.rowcount)


def set_role(conn: Connection, workspace_id: str, staff_id: str, role: str) -> None:
    """Change what a staff member may do (their sessions read it on every request)."""
    conn.execute(
        update(staff).where(and_(staff.c.workspace_id == workspace_id, staff.c.id == staff_id)).values(role=role)
    )


def set_password_hash(conn: Connection, workspace_id: str, staff_id: str, password_hash: str) -> None:
    """Store a staff member's new password hash."""
    conn.execute(
        update(staff)
        .where(and_(staff.c.workspace_id == workspace_id, staff.c.id == staff_id))
        .values(password_hash=password_hash)
    )


def set_disabled(conn: Connection, workspace_id: str, staff_id: str, at: int | None) -> None:
    """Disable a staff member from `at` (None: enable again)."""
    conn.execute(
        update(staff).where(and_(staff.c.workspace_id == workspace_id, staff.c.id == staff_id)).values(disabled_at=at)
    )


# --- sessions ---------------------------------------------------------------------------------------------------


def insert_session(
    conn: Connection, token_hash: str, member: StaffMember, csrf: str, created_at: int, expires_at: int
) -> None:
    """Store a new session by the hash of its token."""
    conn.execute(
        insert(staff_sessions).values(
            token_hash=token_hash,
            workspace_id=member.workspace_id,
            staff_id=member.id,
            csrf=csrf,
            created_at=created_at,
            expires_at=expires_at,
            ended_at=None,
        )
    )


def live_session(conn: Connection, token_hash: str, now: int) -> StaffSession | None:
    """The session with this token hash, if it is live at `now` and its staff member is not disabled."""
    s = staff_sessions.c
    row = conn.execute(
        select(*_MEMBER, s.token_hash, s.csrf, s.created_at.label("session_created_at"), s.expires_at)
        .select_from(staff_sessions.join(staff, and_(staff.c.workspace_id == s.workspace_id, staff.c.id == s.staff_id)))
        .where(
            and_(
                s.token_hash == token_hash,
                s.ended_at.is_(None),
                s.expires_at > now,
                staff.c.disabled_at.is_(None),
            )
        )
    ).first()
    if row is None:
        return None
    return StaffSession(row.token_hash, _member(row._mapping), row.csrf, row.session_created_at, row.expires_at)


def end_session(conn: Connection, token_hash: str, at: int) -> int:
    """End a session now; the number of sessions ended (0 if it had already ended)."""
    result = conn.execute(
        update(staff_sessions)
        .where(and_(staff_sessions.c.token_hash == token_hash, staff_sessions.c.ended_at.is_(None)))
        .values(ended_at=at)
    )
    return int(result.rowcount)


def end_sessions_of(conn: Connection, workspace_id: str, staff_id: str, at: int) -> int:
    """End every open session of one staff member; the number ended."""
    s = staff_sessions.c
    result = conn.execute(
        update(staff_sessions)
        .where(and_(s.workspace_id == workspace_id, s.staff_id == staff_id, s.ended_at.is_(None)))
        .values(ended_at=at)
    )
    return int(result.rowcount)


def forget_sessions_before(conn: Connection, cutoff: int) -> int:
    """Delete sessions that expired or ended before `cutoff`; the number deleted."""
    s = staff_sessions.c
    result = conn.execute(delete(staff_sessions).where(or_(s.expires_at < cutoff, s.ended_at < cutoff)))
    return int(result.rowcount)
