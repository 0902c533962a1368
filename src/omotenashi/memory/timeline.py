"""One timeline per customer: events in plain words, notes, consent changes, merges and friction signals, newest
first.

Paginated by a cursor (time, kind, key), so a page costs the same however long the history is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import Connection

from omotenashi.memory.describe import EventView, describe
from omotenashi.store import consent, cursors, customer_events, notes
from omotenashi.store import customers as repo

KINDS = ("event", "note", "consent", "merge", "signal")
_RANK = {kind: i for i, kind in enumerate(KINDS)}
_BIG = 2**62


@dataclass(frozen=True)
class Item:
    """One line of the timeline."""

    kind: str
    at: int
    key: str
    text: str
    purposes: tuple[str, ...]
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.at, -_RANK[self.kind], self.key)


@dataclass(frozen=True)
class Page:
    items: list[Item]
    next_cursor: str | None


def encode_cursor(item: Item) -> str:
    return f"{item.at}.{_RANK[item.kind]}.{item.key}"


def decode_cursor(cursor: str | None) -> tuple[int, int, str] | None:
    """A cursor from the previous page; a broken one starts from the newest."""
    if not cursor:
        return None
    try:
        at, rank, key = cursor.split(".", 2)
        return (int(at), -int(rank), key)
    except ValueError:
        return None


def _loads(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def event_item(row: cursors.EventRow, lang: str) -> Item:
    """An event as a timeline line, in plain words."""
    view = EventView(
        type=row.type, event=row.event, name=row.name, properties=_loads(row.properties), traits=_loads(row.traits)
    )
    return Item(
        kind="event",
        at=row.ts,
        key=f"{row.seq:020d}",
        text=describe(view, lang),
        purposes=tuple(p for p in row.purposes.split(",") if p),
        detail={"seq": row.seq, "type": row.type, "event": row.event, "name": row.name, "source": row.source_id},
    )


def timeline(
    conn: Connection,
    workspace_id: str,
    members: list[str],
    lang: str,
    *,
    cursor: str | None = None,
    limit: int = 30,
    kinds: set[str] | None = None,
    event_name: str | None = None,
    allowed_purposes: set[str] | None = None,
    consent_text: Callable[[consent.Receipt, str], str] | None = None,
) -> Page:
    """A page of a customer's timeline (members: the root and everyone merged into it)."""
    before = decode_cursor(cursor)
    wanted = set(kinds or KINDS)
    candidates: list[Item] = []
    if "event" in wanted:
        candidates.extend(_events(conn, workspace_id, members, lang, before, limit, event_name, allowed_purposes))
    if "note" in wanted:
        for n in notes.of_customers(conn, workspace_id, members):
            candidates.append(
                Item("note", n.created_at, n.id, n.body, (n.purpose,), {"author": n.author_id, "version": n.version})
            )
    if "consent" in wanted:
        subjects = [
            i.value for i in repo.identities_of(conn, workspace_id, members) if i.kind in ("user_id", "anonymous_id")
        ]
        for r in consent.receipts_for(conn, workspace_id, subjects, before[0] if before else None, limit + 1):
            text = consent_text(r, lang) if consent_text else f"{r.purpose}: {r.status} ({r.method})"
            candidates.append(
                Item(
                    "consent",
                    r.at,
                    f"{r.at}-{r.purpose}-{r.status}",
                    text,
                    ("service",),
                    {"purpose": r.purpose, "status": r.status, "method": r.method, "place": r.place},
                )
            )
    if "merge" in wanted:
        for m in repo.merges_touching(conn, workspace_id, members):
            candidates.append(
                Item(
                    "merge",
                    m.at,
                    f"m{m.id:012d}",
                    m.rule,
                    ("service",),
                    {
                        "merge_id": m.id,
                        "survivor": m.survivor_id,
                        "absorbed": m.absorbed_id,
                        "rule": m.rule,
                        "undone_at": m.undone_at,
                    },
                )
            )
    if "signal" in wanted and (allowed_purposes is None or "care" in allowed_purposes):
        from omotenashi.friction.inbox import timeline_items

        candidates.extend(timeline_items(conn, workspace_id, None, members, lang))
    if before is not None:
        candidates = [c for c in candidates if c.sort_key < before]
    candidates.sort(key=lambda c: c.sort_key, reverse=True)
    page = candidates[:limit]
    more = len(candidates) > limit
    return Page(page, encode_cursor(page[-1]) if more and page else None)


def _events(
    conn: Connection,
    workspace_id: str,
    members: list[str],
    lang: str,
    before: tuple[int, int, str] | None,
    limit: int,
    event_name: str | None,
    allowed_purposes: set[str] | None,
) -> list[Item]:
    out: list[Item] = []
    at_cursor = (before[0], _BIG) if before else None
    for _ in range(20):  # bounded: filters may skip events, never loop without end
        seqs = customer_events.seqs_of(conn, workspace_id, members, at_cursor, limit + 1)
        if not seqs:
            break
        rows = cursors.events_by_seq(conn, workspace_id, [s for _, s in seqs])
        for _, seq in seqs:
            row = rows.get(seq)
            if row is None:
                continue
            if event_name and (row.event or row.name) != event_name:
                continue
            if allowed_purposes is not None and not allowed_purposes.intersection(row.purposes.split(",")):
                continue
            out.append(event_item(row, lang))
        at_cursor = seqs[-1]
        if len(out) > limit or len(seqs) <= limit:
            break
    return out
