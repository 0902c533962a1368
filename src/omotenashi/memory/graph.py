"""The identity graph within one transaction: who each identifier belongs to, and the rules that join customers.

Identifiers never move: each stays with the customer it was first seen with (its *base* customer). A merge only
points one customer at another, so undoing it restores both exactly, and both histories stay whole.
Weak evidence never merges: two customers who each have a userId, and differ, are never joined; that is a
conflict for staff to see.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from omotenashi.store import customers as repo


def customer_id_for(workspace_id: str, kind: str, value: str) -> str:
    """A customer's id, derived from the first identifier it was seen with, so rebuilding the store agrees."""
    digest = hashlib.blake2b(f"{workspace_id}\x00{kind}\x00{value}".encode(), digest_size=9).hexdigest()
    return f"c_{digest}"


@dataclass
class Decisions:
    """What the graph decided in this transaction, to be written together."""

    new_customers: list[tuple[str, int, int | None]] = field(default_factory=list)
    new_identities: list[repo.Identity] = field(default_factory=list)
    merges: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)


class Graph:
    """A transaction's view of the identity graph, loaded lazily and kept in step with its own decisions."""

    def __init__(self, conn: Connection, workspace_id: str) -> None:
        self.conn = conn
        self.workspace_id = workspace_id
        self.decisions = Decisions()
        self._base: dict[tuple[str, str], str | None] = {}
        self._parent: dict[str, str | None] = {}
        self._user_ids: dict[str, set[str]] = {}
        self._members: dict[str, list[str]] = {}
        self._separated: set[frozenset[str]] | None = None
        self._open_conflicts: set[tuple[str, str, str, str]] | None = None

    # --- loading ----------------------------------------------------------------------------------------------

    def preload(self, keys: set[tuple[str, str]]) -> None:
        """Load the base customers of many identifiers at once."""
        missing = {k for k in keys if k not in self._base}
        if not missing:
            return
        found = repo.find_identities(self.conn, self.workspace_id, missing)
        for key in missing:
            self._base[key] = found.get(key)
        self._load_parents(set(found.values()))

    def _load_parents(self, ids: set[str]) -> None:
        todo = {i for i in ids if i not in self._parent}
        while todo:
            parents = repo.merged_into(self.conn, self.workspace_id, todo)
            self._parent.update(parents)
            todo = {p for p in parents.values() if p is not None and p not in self._parent}

    def base(self, kind: str, value: str) -> str | None:
        """The customer an identifier was first seen with, if it was seen."""
        key = (kind, value)
        if key not in self._base:
            self.preload({key})
        return self._base[key]

    def root(self, customer_id: str) -> str:
        """The customer this one is merged into, transitively, or itself."""
        self._load_parents({customer_id})
        seen = {customer_id}
        current = customer_id
        while (parent := self._parent.get(current)) is not None and parent not in seen:
            seen.add(parent)
            current = parent
        return current

    def members(self, root: str) -> list[str]:
        """The root and every customer merged into it."""
        if root not in self._members:
            self._members[root] = repo.members_of(self.conn, self.workspace_id, root)
        return self._members[root]

    def user_ids(self, root: str) -> set[str]:
        """Every userId of a customer, across the customers merged into it."""
        out: set[str] = set()
        missing = [m for m in self.members(root) if m not in self._user_ids]
        if missing:
            found = repo.user_ids_of(self.conn, self.workspace_id, missing)
            for m in missing:
                self._user_ids[m] = found.get(m, set())
        for m in self.members(root):
            out |= self._user_ids[m]
        return out

    # --- deciding ---------------------------------------------------------------------------------------------

    def create(self, kind: str, value: str, at: int, seq: int | None, source_id: str | None) -> str:
        """A new customer first seen with this identifier."""
        cid = customer_id_for(self.workspace_id, kind, value)
        self.decisions.new_customers.append((cid, at, seq))
        self._parent[cid] = None
        self._members[cid] = [cid]
        self._user_ids[cid] = set()
        self.attach(kind, value, cid, at, seq, source_id)
        return cid

    def attach(self, kind: str, value: str, customer_id: str, at: int, seq: int | None, source_id: str | None) -> None:
        """Record an identifier as first seen with a customer."""
        self._base[(kind, value)] = customer_id
        self.decisions.new_identities.append(repo.Identity(kind, value, customer_id, seq, at, source_id))
        if kind == "user_id":
            self._user_ids.setdefault(customer_id, set()).add(value)

    def separated(self, a: str, b: str) -> bool:
        """Whether staff undid a merge between these two customers (then evidence must not join them again)."""
        if self._separated is None:
            self._separated = repo.undone_pairs(self.conn, self.workspace_id)
        members_a, members_b = self.members(a), self.members(b)
        return any(frozenset((x, y)) in self._separated for x in members_a for y in members_b)

    def can_merge(self, a: str, b: str) -> str | None:
        """None when two roots may be joined, else why not."""
        ua, ub = self.user_ids(a), self.user_ids(b)
        if ua and ub and ua != ub:
            return "different_user_ids"
        if self.separated(a, b):
            return "separated_by_staff"
        return None

    def merge(self, absorbed: str, survivor: str, rule: str, evidence: dict[str, Any], at: int) -> None:
        """Point one root at another."""
        self._parent[absorbed] = survivor
        self._members[survivor] = self.members(survivor) + self.members(absorbed)
        self._members.pop(absorbed, None)
        self.decisions.merges.append(
            {"survivor": survivor, "absorbed": absorbed, "rule": rule, "evidence": evidence, "at": at}
        )

    def conflict(
        self, kind: str, value: str, a: str, b: str, rule: str, detail: dict[str, Any], at: int, seq: int | None
    ) -> None:
        """Record that an identifier points at two customers that may not be joined."""
        if self._open_conflicts is None:
            self._open_conflicts = repo.open_conflict_keys(self.conn, self.workspace_id)
        key = (kind, value, *sorted((a, b)))
        if key in self._open_conflicts:
            return
        self._open_conflicts.add(key)  # type: ignore[arg-type]
        lo, hi = sorted((a, b))
        self.decisions.conflicts.append(
            {
                "kind": kind,
                "value": value,
                "customer_a": lo,
                "customer_b": hi,
                "rule": rule,
                "detail": detail,
                "at": at,
                "seq": seq,
            }
        )

    def link(
        self,
        kind: str,
        value: str,
        customer: str,
        *,
        rule: str,
        evidence: dict[str, Any],
        at: int,
        seq: int | None,
        source_id: str | None,
        may_merge: bool = True,
    ) -> None:
        """An identifier seen with a customer: attach it, merge on it, or record a conflict."""
        known = self.base(kind, value)
        if known is None:
            self.attach(kind, value, customer, at, seq, source_id)
            return
        mine, theirs = self.root(customer), self.root(known)
        if mine == theirs or not may_merge:
            return
        why_not = self.can_merge(theirs, mine)
        if why_not is None:
            # The customer with an account survives; between equals, the one this event belongs to.
            if self.user_ids(theirs) and not self.user_ids(mine):
                mine, theirs = theirs, mine
            self.merge(theirs, mine, rule, {**evidence, "identifier": f"{kind}:{value}"}, at)
        else:
            detail = {"why": why_not, **evidence}
            if why_not == "different_user_ids":
                detail["user_ids"] = sorted(self.user_ids(theirs) | self.user_ids(mine))
            self.conflict(kind, value, theirs, mine, rule, detail, at, seq)

    def flush(self) -> None:
        """Write this transaction's decisions."""
        d = self.decisions
        repo.add_customers(self.conn, self.workspace_id, d.new_customers)
        repo.add_identities(self.conn, self.workspace_id, d.new_identities)
        for m in d.merges:
            repo.set_merged_into(self.conn, self.workspace_id, m["absorbed"], m["survivor"])
            repo.record_merge(
                self.conn, self.workspace_id, m["survivor"], m["absorbed"], m["rule"], m["evidence"], m["at"]
            )
        repo.add_conflicts(self.conn, self.workspace_id, d.conflicts)
        self.decisions = Decisions()
