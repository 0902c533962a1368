"""The ceiling intake is measured against: msgspec decode plus a plain SQLite `executemany`, in one process.

No validation, no dedupe, no consent, no index: just turning each message into the row the log stores and
appending 10,000 rows per transaction, with the store's own pragmas. Nothing real can be faster than this.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from omotenashi.core.messages import Message
from omotenashi.intake.clock_skew import epoch_ms

ROWS_PER_TRANSACTION = 10_000
_COLUMNS = (
    "workspace_id TEXT, source_id TEXT, message_id TEXT, type TEXT, event TEXT, name TEXT, user_id TEXT, "
    "anonymous_id TEXT, group_id TEXT, previous_id TEXT, ts INTEGER, received_at INTEGER, sent_at INTEGER, "
    "original_ts INTEGER, purposes TEXT, flags INTEGER, properties TEXT, traits TEXT, context TEXT, "
    "integrations TEXT"
)
_INSERT = "INSERT INTO events VALUES (" + ", ".join("?" * 20) + ")"  # noqa: S608 - no input in it

Row = tuple[object, ...]


@dataclass(frozen=True)
class Ceiling:
    """Events per second of decode + insert together, and of each alone."""

    events_per_s: float
    decode_per_s: float
    insert_per_s: float

    def as_dict(self) -> dict[str, float]:
        return {
            "events_per_s": round(self.events_per_s),
            "decode_per_s": round(self.decode_per_s),
            "insert_per_s": round(self.insert_per_s),
        }


def measure(lines: Sequence[bytes], folder: Path, synchronous: str = "full") -> Ceiling:
    """Decode and insert `lines` three ways (decode alone, insert alone, both), each into a fresh table."""
    decoder = msgspec.json.Decoder(Message)
    now = int(time.time() * 1000)
    chunks = [lines[i : i + ROWS_PER_TRANSACTION] for i in range(0, len(lines), ROWS_PER_TRANSACTION)]

    # Decode alone and insert alone in one pass, a chunk at a time, so neither pays for holding every row.
    decode_s = insert_s = 0.0
    db = _open(folder / "ceiling-insert.db", synchronous)
    for chunk in chunks:
        start = time.perf_counter()
        rows = [_row(decoder.decode(line), now) for line in chunk]
        decode_s += time.perf_counter() - start
        start = time.perf_counter()
        _insert(db, rows)
        insert_s += time.perf_counter() - start
    db.close()

    db = _open(folder / "ceiling-both.db", synchronous)
    start = time.perf_counter()
    for chunk in chunks:
        _insert(db, [_row(decoder.decode(line), now) for line in chunk])
    both_s = time.perf_counter() - start
    db.close()

    n = len(lines)
    return Ceiling(n / both_s, n / decode_s, n / insert_s)


def _open(path: Path, synchronous: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous.upper()}")
    db.execute("PRAGMA cache_size=-65536")
    db.execute(f"CREATE TABLE events ({_COLUMNS})")
    return db


def _insert(db: sqlite3.Connection, rows: list[Row]) -> None:
    db.execute("BEGIN IMMEDIATE")
    db.executemany(_INSERT, rows)
    db.execute("COMMIT")


def _text(raw: msgspec.Raw) -> str | None:
    return bytes(raw).decode() if len(raw) else None


def _row(msg: Message, now: int) -> Row:
    ts = epoch_ms(msg.timestamp) or now
    return (
        "bench",
        "web",
        msg.messageId,
        msg.type,
        msg.event,
        msg.name,
        None if msg.userId is None else str(msg.userId),
        None if msg.anonymousId is None else str(msg.anonymousId),
        None if msg.groupId is None else str(msg.groupId),
        None if msg.previousId is None else str(msg.previousId),
        ts,
        now,
        epoch_ms(msg.sentAt),
        epoch_ms(msg.originalTimestamp),
        "service,care",
        0,
        _text(msg.properties),
        _text(msg.traits),
        _text(msg.context),
        _text(msg.integrations),
    )
