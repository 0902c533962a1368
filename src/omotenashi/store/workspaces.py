"""Workspaces, sources and write keys."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, and_, insert, select, update

from omotenashi.core.clock import to_epoch_ms, utc_now
from omotenashi.store.schema import sources, workspaces, write_keys
from omotenashi.store.sql import first_row


@dataclass(frozen=True)
class KeyOwner:
    """Who a write key belongs to."""

    workspace_id: str
    source_id: str


@dataclass(frozen=True)
class KeyRow:
    prefix: str
    workspace_id: str
    source_id: str
    created_at: int
    revoked_at: int | None


def sync_workspace(conn: Connection, workspace_id: str, name: str, source_purposes: dict[str, tuple[str, str]]) -> None:
    """Make the store's workspace and sources match the house file (sources: id → (name, purposes))."""
    row = conn.execute(select(workspaces.c.id).where(workspaces.c.id == workspace_id)).first()
    if row is None:
        conn.execute(
            insert(workspaces).values(
                id=workspace_id, name=name, secret=secrets.token_hex(32), created_at=to_epoch_ms(utc_now())
            )
        )
    else:
        conn.execute(update(workspaces).where(workspaces.c.id == workspace_id).values(name=name))
    existing = {r.id for r in conn.execute(select(sources.c.id).where(sources.c.workspace_id == workspace_id))}
    for sid, (sname, purposes) in source_purposes.items():
        if sid in existing:
            conn.execute(
                update(sources)
                .where(and_(sources.c.workspace_id == workspace_id, sources.c.id == sid))
                .values(name=sname, purposes=purposes)
            )
        else:
            conn.execute(insert(sources).values(workspace_id=workspace_id, id=sid, name=sname, purposes=purposes))


def workspace_secret(conn: Connection, workspace_id: str) -> bytes:
    """The workspace's secret for keyed hashes."""
    value = conn.execute(select(workspaces.c.secret).where(workspaces.c.id == workspace_id)).scalar_one()
    return bytes.fromhex(value)


def workspace_ids(conn: Connection) -> list[str]:
    """Every workspace in the store."""
    return [r[0] for r in conn.execute(select(workspaces.c.id).order_by(workspaces.c.id))]


def add_key(conn: Connection, key_hash: str, prefix: str, workspace_id: str, source_id: str) -> None:
    """Store a new write key's hash."""
    conn.execute(
        insert(write_keys).values(
            key_hash=key_hash,
            workspace_id=workspace_id,
            source_id=source_id,
            prefix=prefix,
            created_at=to_epoch_ms(utc_now()),
        )
    )


def revoke_key(conn: Connection, workspace_id: str, prefix: str) -> int:
    """Revoke the workspace's keys that start with `prefix`; the number revoked."""
    result = conn.execute(
        update(write_keys)
        .where(
            and_(
                write_keys.c.workspace_id == workspace_id,
                write_keys.c.prefix == prefix,
                write_keys.c.revoked_at.is_(None),
            )
        )
        .values(revoked_at=to_epoch_ms(utc_now()))
    )
    return int(result.rowcount)


def list_keys(conn: Connection, workspace_id: str) -> list[KeyRow]:
    """The workspace's write keys (their prefixes only; keys are never stored)."""
    rows = conn.execute(
        select(
            write_keys.c.prefix,
            write_keys.c.workspace_id,
            write_keys.c.source_id,
            write_keys.c.created_at,
            write_keys.c.revoked_at,
        )
        .where(write_keys.c.workspace_id == workspace_id)
        .order_by(write_keys.c.created_at)
    )
    return [KeyRow(*r) for r in rows]


def key_is_live(conn: Connection, key_hash: str, workspace_id: str, source_id: str) -> bool:
    """Whether the write key still belongs, unrevoked, to that source (one primary-key lookup, on the hot path)."""
    sql = "SELECT 1 FROM write_keys WHERE key_hash = ? AND workspace_id = ? AND source_id = ? AND revoked_at IS NULL"
    return first_row(conn, sql, (key_hash, workspace_id, source_id)) is not None


def key_owner(conn: Connection, key_hash: str) -> KeyOwner | None:
    """The workspace and source of a live write key, or None if unknown or revoked."""
    row = conn.execute(
        select(write_keys.c.workspace_id, write_keys.c.source_id).where(
            and_(write_keys.c.key_hash == key_hash, write_keys.c.revoked_at.is_(None))
        )
    ).first()
    return KeyOwner(row[0], row[1]) if row else None
