"""Quiet decline on a world where customers visit as often as the simulator's habits say (scale 1), for
`omotenashi bench friction`.

The benchmark's main world is sized by messages (a million for 50,000 customers), which makes visits so rare that
almost nobody has a habit to decline from, and quiet decline would go unmeasured. So a second world of the same
seed is generated at scale 1 and each customer's events are given straight to the quiet decline detector, configured
as in the benchmark's house file, as of the newest event: what it says at the end of an import, without the store
around it (the other detectors are measured through the whole pipeline on the main world). Only what the
detector reads is kept of each customer: the first event from their browser or app on each day, and their sign-up
and cancellation events. Signals are matched to the planted declines as in `benchmarks.friction`. Synthetic.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from omotenashi.config.loader import load_house
from omotenashi.friction.events import Event
from omotenashi.friction.quiet_decline import QuietDecline
from omotenashi.simulator import WorldConfig, lines, write
from omotenashi.simulator.world import DAY_MS

KIND = "quiet_decline"


class _Message(msgspec.Struct):
    """The few fields of a message the detector reads (the rest of each line is skipped, not decoded)."""

    type: str
    timestamp: datetime
    userId: str | None = None  # noqa: N815 - Segment's field name
    anonymousId: str | None = None  # noqa: N815 - Segment's field name
    event: str | None = None


class _Customer(msgspec.Struct):
    userId: str  # noqa: N815 - the simulator's field name
    anonymousIds: list[str]  # noqa: N815 - the simulator's field name


def events_by_customer(folder: Path, detector: QuietDecline) -> dict[str, list[Event]]:
    """userId → the events the detector reads, in time order (the world's messages are in time order)."""
    owner: dict[str, str] = {}
    for line in lines(folder / "customers.jsonl"):
        c = msgspec.json.decode(line, type=_Customer)
        for anonymous_id in c.anonymousIds:
            owner[anonymous_id] = c.userId
    kept: dict[str, list[Event]] = defaultdict(list)
    days: set[tuple[str, int]] = set()
    marked = detector.signups | detector.stops
    decode = msgspec.json.Decoder(_Message).decode
    for seq, line in enumerate(lines(folder / "messages.jsonl"), start=1):
        m = decode(line)
        if m.type not in ("page", "screen", "track"):
            continue
        user = m.userId or (owner.get(m.anonymousId) if m.anonymousId else None)
        if user is None:
            continue
        ts = int(m.timestamp.timestamp() * 1000)
        name = (m.event or "") if m.type == "track" else ""
        first_today = m.anonymousId is not None and (user, ts // DAY_MS) not in days
        if first_today:
            days.add((user, ts // DAY_MS))
        if first_today or (m.type == "track" and name in marked):
            kept[user].append(Event(seq, ts, m.type, name, m.anonymousId, detector.purposes))
    return kept


def judged(
    customers: int, seed: int, house_file: Path, progress: Callable[..., Any] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int, int]:
    """Quiet decline's signals on a world at scale 1 (see the module's doc), the world's planted declines, the
    window's end, and how many messages the world has."""
    say = progress or (lambda *_: None)
    house = load_house(house_file).house
    detector = QuietDecline(house.friction.detectors.quiet_decline, house.friction.event_names)
    config = WorldConfig(customers=customers, days=90, seed=seed, scale=1.0)
    with tempfile.TemporaryDirectory(prefix="omotenashi-bench-decline-") as tmp:
        folder = Path(tmp)
        say(f"quiet decline: a world of {customers:,} customers at scale 1, seed {seed}")
        manifest = write(config, folder)
        labels = [
            label for line in lines(folder / "labels.jsonl") if (label := msgspec.json.decode(line))["kind"] == KIND
        ]
        events = events_by_customer(folder, detector)
    # The workspace's clock at the end of an import is its newest event's time: the day after it is not judged yet.
    now = max((seen[-1].ts for seen in events.values() if seen), default=config.start_ms)
    signals = [
        {"user": user, "kind": KIND, "first_seen": f.first_seen, "evidence": []}
        for user, seen in events.items()
        for f in detector.observe(None, seen, now).upserts
    ]
    return signals, labels, config.end_ms, manifest.messages
