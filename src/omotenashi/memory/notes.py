"""Staff notes on a customer: author, time, body, and every edit kept."""

from __future__ import annotations

import secrets

from sqlalchemy import Connection

from omotenashi.core.errors import BadRequest, Forbidden, NotFound
from omotenashi.memory.profile import resolve_customer
from omotenashi.store import notes as repo


class NoteTooLong(BadRequest):
    """A note over the workspace's limit."""

    code = "note_too_long"


def _check(body: str, max_chars: int) -> str:
    text = body.strip()
    if not text:
        raise BadRequest("the note is empty", hint="write what the next colleague should know")
    if len(text) > max_chars:
        raise NoteTooLong(
            f"the note is {len(text)} characters; the limit is {max_chars}",
            hint="shorten it, or split it into two notes",
            limit=max_chars,
        )
    return text


def add_note(
    conn: Connection,
    workspace_id: str,
    customer_id: str,
    author_id: str,
    body: str,
    now_ms: int,
    *,
    max_chars: int,
    purpose: str = "service",
    visible_to_customer: bool = True,
) -> repo.Note:
    """Write a note on a customer (on the person it belongs to now)."""
    text = _check(body, max_chars)
    root, _ = resolve_customer(conn, workspace_id, customer_id)
    note = repo.Note(
        id="n_" + secrets.token_hex(8),
        customer_id=root,
        author_id=author_id,
        body=text,
        purpose=purpose,
        visible_to_customer=visible_to_customer,
        created_at=now_ms,
        updated_at=now_ms,
        version=1,
    )
    repo.add(conn, workspace_id, note)
    return note


def edit_note(
    conn: Connection,
    workspace_id: str,
    note_id: str,
    editor_id: str,
    body: str,
    now_ms: int,
    *,
    max_chars: int,
    may_edit_others: bool,
) -> int:
    """Change a note; the earlier text stays in its history."""
    text = _check(body, max_chars)
    note = repo.get(conn, workspace_id, note_id)
    if note is None:
        raise NotFound(f"no note `{note_id}`")
    if note.author_id != editor_id and not may_edit_others:
        raise Forbidden("only the author or a lead may edit this note")
    return repo.edit(conn, workspace_id, note_id, text, editor_id, now_ms)
