"""The dedupe window of a single-writer store (SQLite): messageId fingerprints in memory over an append-only log.

A table keyed by the fingerprint itself puts every insert at a random place in its index, which costs SQLite most
of its insert rate. Here the store keeps the fingerprints in `recent_id_log`, appended in arrival order with no
index but the row id, one row per claim (a request, an import chunk) holding its fingerprints packed as 64-bit
integers, which costs next to nothing; each process holds the window in memory: a sorted array searched by
bisection, plus a small dictionary of the newest fingerprints, merged into the array now and then.

Several processes may write the same store (`serve`, and an `import` beside it). Each claim runs inside the
writer's transaction, which holds SQLite's write lock from its first statement (`BEGIN IMMEDIATE`); so at the
start of each transaction a process first reads what others appended since it last looked, and nothing can slip
in between. What a transaction claimed counts only once it is known to have committed: a rolled-back transaction
leaves nothing behind, neither in the log nor in memory.

PostgreSQL, where several processes write at once, keeps using the keyed `recent_ids` table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection

_APPEND = "INSERT INTO recent_id_log (workspace_id, seen_at, id_hashes) VALUES (?, ?, ?)"
_NEWER = "SELECT id, workspace_id, seen_at, id_hashes FROM recent_id_log WHERE id > ? ORDER BY id"
_ONE = "SELECT workspace_id, id_hashes FROM recent_id_log WHERE id = ?"
_FORGET = "DELETE FROM recent_id_log WHERE workspace_id = ? AND seen_at < ?"
MERGE_AT = 50_000  # newest fingerprints kept in a dictionary before they join the sorted array

Fingerprints = np.ndarray[Any, np.dtype[np.int64]]


def _empty() -> Fingerprints:
    return np.empty(0, dtype=np.int64)


def _unpack(blob: bytes) -> Fingerprints:
    return np.frombuffer(blob, dtype="<i8").astype(np.int64)


@dataclass
class _Window:
    """One workspace's fingerprints: a sorted array (with when each was first seen) and the newest, not merged."""

    ids: Fingerprints = field(default_factory=_empty)
    seen: Fingerprints = field(default_factory=_empty)
    newest: dict[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids) + len(self.newest)

    def unknown(self, fingerprints: list[int], also: set[int]) -> list[int]:
        """The fingerprints neither in the window nor in `also`."""
        if len(self.ids):
            wanted = np.asarray(fingerprints, dtype=np.int64)
            at = np.minimum(np.searchsorted(self.ids, wanted), len(self.ids) - 1)
            if (self.ids[at] == wanted).any():
                fingerprints = wanted[self.ids[at] != wanted].tolist()
        newest = self.newest
        if newest or also:
            return [fp for fp in fingerprints if fp not in newest and fp not in also]
        return fingerprints

    def add(self, fingerprints: list[int], seen_at: int) -> None:
        self.newest.update(dict.fromkeys(fingerprints, seen_at))
        if len(self.newest) >= max(MERGE_AT, len(self.ids) // 8):
            self.merge()

    def merge(self) -> None:
        if not self.newest:
            return
        ids = np.concatenate([self.ids, np.fromiter(self.newest.keys(), np.int64, len(self.newest))])
        seen = np.concatenate([self.seen, np.fromiter(self.newest.values(), np.int64, len(self.newest))])
        order = np.argsort(ids, kind="stable")  # a sorted run and an unsorted tail: close to linear
        self.ids, self.seen = ids[order], seen[order]
        self.newest = {}

    def forget_before(self, cutoff_ms: int) -> None:
        keep = self.seen >= cutoff_ms
        if not keep.all():
            self.ids, self.seen = self.ids[keep], self.seen[keep]
        self.newest = {fp: at for fp, at in self.newest.items() if at >= cutoff_ms}


class RecentIds:
    """The dedupe windows of every workspace of one single-writer store, as this process knows them."""

    def __init__(self, windows_ms: dict[str, int]) -> None:
        self._windows_ms = windows_ms  # workspace id → how far back messageIds are remembered
        self._windows: dict[str, _Window] = {}
        self._read_to: int | None = None  # the log's row id up to which this process has read (None: not yet)
        self._transaction: object | None = None  # the writer transaction that made `_pending` (kept: see claim)
        self._pending: list[tuple[str, list[int], int]] = []  # workspace, fingerprints, when: claimed, uncommitted
        self._pending_ids: dict[str, set[int]] = {}
        self._last: tuple[int, str, bytes] | None = None  # row id, workspace and fingerprints of the last appended

    def claim(self, conn: Connection, workspace_id: str, fingerprints: list[int], now_ms: int) -> set[int]:
        """Append the fingerprints (distinct) not seen in the window; those that were new. Runs in the writer's
        transaction. The fingerprints of one claim go into one row (packed 64-bit integers): one insert a claim."""
        transaction = conn.get_transaction()
        if transaction is not self._transaction:
            # A new transaction: settle the last one's claims, then read what other processes appended. Holding a
            # reference to the old transaction keeps its identity from being reused by a new one.
            self._settle(conn)
            self._transaction = transaction
        pending = self._pending_ids.setdefault(workspace_id, set())
        new = self._window(workspace_id).unknown(fingerprints, pending)
        if new:
            blob = np.asarray(new, dtype="<i8").tobytes()
            result = conn.exec_driver_sql(_APPEND, (workspace_id, now_ms, blob))
            pending.update(new)
            self._pending.append((workspace_id, new, now_ms))
            self._last = (int(result.lastrowid), workspace_id, blob)
        return set(new)

    def forget_before(self, conn: Connection, workspace_id: str, cutoff_ms: int) -> int:
        """Drop a workspace's fingerprints older than `cutoff_ms`, from the log and from memory; log rows dropped."""
        result = conn.exec_driver_sql(_FORGET, (workspace_id, cutoff_ms))
        if workspace_id in self._windows:
            self._windows[workspace_id].forget_before(cutoff_ms)
        return int(result.rowcount)

    def size(self, workspace_id: str) -> int:
        """Fingerprints this process holds for the workspace (committed ones)."""
        return len(self._windows.get(workspace_id, _Window()))

    def _window(self, workspace_id: str) -> _Window:
        window = self._windows.get(workspace_id)
        if window is None:
            window = self._windows[workspace_id] = _Window()
        return window

    def _settle(self, conn: Connection) -> None:
        if self._last is not None:
            row_id, workspace_id, blob = self._last
            row = conn.exec_driver_sql(_ONE, (row_id,)).first()
            if row is not None and row[0] == workspace_id and bytes(row[1]) == blob:
                # It committed: this process's rows follow straight on from what it had read.
                for wid, fingerprints, at in self._pending:
                    self._window(wid).add(fingerprints, at)
                self._read_to = row_id
        self._pending = []
        self._pending_ids = {}
        self._last = None
        self._catch_up(conn)

    def _catch_up(self, conn: Connection) -> None:
        first_read = self._read_to is None
        rows = conn.exec_driver_sql(_NEWER, (self._read_to or 0,)).fetchall()
        if not rows:
            if first_read:
                self._read_to = 0
            return
        self._read_to = int(rows[-1][0])
        newest = max(int(r[2]) for r in rows)
        for _, wid, at, blob in rows:
            if first_read and at < newest - self._windows_ms.get(wid, 0):
                continue  # already outside the window; the next forget removes it from the log
            self._window(wid).add(_unpack(blob).tolist(), int(at))
        if first_read:
            for window in self._windows.values():
                window.merge()
