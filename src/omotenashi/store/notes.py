"""Staff notes, with every edit kept as a version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, insert, select, update

from omotenashi.store.schema import note_versions, notes


@dataclass(frozen=True)
class Note:
    id: str
    customer_id: str
    author_id: str
    body: str
    purpose: str
    visible_to_customer: bool
    created_at: int
    updated_at: int
    version: int


@dataclass(frozen=True)
class NoteVersion:
    version: int
    body: str
    editor_id: str
    at: int


def _note(r: object) -> Note:
    return Note(
        r.id,  # type: ignore[attr-defined]
        r.customer_id,  # type: ignore[attr-defined]
        r.author_id,  # type: ignore[attr-defined]
        r.body,  # type: ignore[attr-defined]
        r.purpose,  # type: ignore[attr-defined]
        bool(r.visible_to_customer),  # type: ignore[attr-defined]
        r.created_at,  # type: ignore[attr-defined]
        r.updated_at,  # type: ignore[attr-defined]
        r.version,  # type: ignore[attr-defined]
    )


def add(conn: Connection, workspace_id: str, note: Note) -> None:
    """Store a new note and its first version."""
    conn.execute(
        insert(notes).values(
            workspace_id=workspace_id,
            id=note.id,
            customer_id=note.customer_id,
            author_id=note.author_id,
            body=note.body,
            purpose=note.purpose,
            visible_to_customer=int(note.visible_to_customer),
            created_at=note.created_at,
            updated_at=note.updated_at,
            version=1,
        )
    )
    conn.execute(
        insert(note_versions).values(
            workspace_id=workspace_id,
            note_id=note.id,
            version=1,
            body=note.body,
            editor_id=note.author_id,
            at=note.created_at,
        )
    )


def edit(conn: Connection, workspace_id: str, note_id: str, body: str, editor_id: str, at: int) -> int:
    """Change a note's body, keeping the old one as a version; the new version number."""
    current = get(conn, workspace_id, note_id)
    assert current is not None
    version = current.version + 1
    conn.execute(
        update(notes)
        .where(and_(notes.c.workspace_id == workspace_id, notes.c.id == note_id))
        .values(body=body, updated_at=at, version=version)
    )
    conn.execute(
        insert(note_versions).values(
            workspace_id=workspace_id, note_id=note_id, version=version, body=body, editor_id=editor_id, at=at
        )
    )
    return version


def get(conn: Connection, workspace_id: str, note_id: str) -> Note | None:
    row = conn.execute(select(notes).where(and_(notes.c.workspace_id == workspace_id, notes.c.id == note_id))).first()
    return _note(row) if row else None


def of_customers(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> list[Note]:
    """Notes on these base customers, newest first."""
    stmt = (
        select(notes)
        .where(and_(notes.c.workspace_id == workspace_id, notes.c.customer_id.in_(customer_ids)))
        .order_by(notes.c.created_at.desc(), notes.c.id.desc())
    )
    return [_note(r) for r in conn.execute(stmt)]


def versions(conn: Connection, workspace_id: str, note_id: str) -> list[NoteVersion]:
    """Every version of a note, oldest first."""
    stmt = (
        select(note_versions.c.version, note_versions.c.body, note_versions.c.editor_id, note_versions.c.at)
        .where(and_(note_versions.c.workspace_id == workspace_id, note_versions.c.note_id == note_id))
        .order_by(note_versions.c.version)
    )
    return [NoteVersion(*r) for r in conn.execute(stmt)]
