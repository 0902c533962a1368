"""Find a customer by any identifier or a word of their name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from omotenashi.memory.consumer import MemoryConsumer
from omotenashi.memory.profile import Profile, load_profile
from omotenashi.store import customer_events
from omotenashi.store import customers as repo

MAX_RESULTS = 25


@dataclass(frozen=True)
class Hit:
    customer_id: str
    profile: Profile
    matched: str


def search(conn: Connection, workspace_id: str, query: str, memory: MemoryConsumer) -> list[Hit]:
    """People matching the query: exact identifiers first (hashed ones by their keyed hash), then words."""
    q = query.strip()
    if not q:
        return []
    found: dict[str, str] = {}
    exact = {("user_id", q), ("anonymous_id", q)}
    for kind in memory.identifiers:
        exact.add((kind, memory.identifier_value(kind, q)))
    for (kind, _), cid in repo.find_identities(conn, workspace_id, exact).items():
        found.setdefault(repo.root_of(conn, workspace_id, cid), kind)
    if repo.exists(conn, workspace_id, q):
        found.setdefault(repo.root_of(conn, workspace_id, q), "customer id")
    for cid in customer_events.search(conn, workspace_id, q, limit=MAX_RESULTS * 2):
        found.setdefault(repo.root_of(conn, workspace_id, cid), "name or identifier")
        if len(found) >= MAX_RESULTS:
            break
    return [
        Hit(cid, load_profile(conn, workspace_id, cid, {"service", "care"}), how)
        for cid, how in list(found.items())[:MAX_RESULTS]
    ]
