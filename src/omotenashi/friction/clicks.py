"""What the three click detectors keep of events: clicks (where, on what) and what each device did next."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence

from omotenashi.config.friction import FrictionEventNames
from omotenashi.friction.base import Record
from omotenashi.friction.events import Event

CLICK, ACTIVITY = "c", "a"
# Activity kinds: a track event (the product did something), a page or screen, an error shown.
TRACK, PAGE, ERROR = "t", "p", "e"
TEXT_LIMIT = 200


def click_record(e: Event) -> Record:
    """[seq, ts, "c", device, selector, x, y, page, text]; a click that names no element (neither `selector` nor
    `text`, as when a data map strips them) cannot be judged, and counts only as the device doing something."""
    selector, text = e.text("selector", TEXT_LIMIT) or "", e.text("text", TEXT_LIMIT) or ""
    if not selector and not text:
        return [e.seq, e.ts, ACTIVITY, e.device or "", TRACK, ""]
    return [e.seq, e.ts, CLICK, e.device or "", selector, e.number("x"), e.number("y"),
            e.text("page", TEXT_LIMIT) or "", text]  # fmt: skip


def activity_record(e: Event, names: FrictionEventNames) -> Record | None:
    """[seq, ts, "a", device, kind, message]: anything else a browser or app sent (servers send no answers)."""
    if e.device is None:
        return None
    if e.type == "track":
        if e.name == names.error:
            return [e.seq, e.ts, ACTIVITY, e.device, ERROR, e.text("message", TEXT_LIMIT) or ""]
        return [e.seq, e.ts, ACTIVITY, e.device, TRACK, ""]
    if e.type in ("page", "screen"):
        return [e.seq, e.ts, ACTIVITY, e.device, PAGE, ""]
    return None


def record(e: Event, names: FrictionEventNames) -> Record | None:
    """A click, or the activity around clicks (made once per event for the three click detectors)."""
    memo = e.memo
    if memo is not None and "click" in memo:
        found: Record | None = memo["click"]
        return found
    if e.type == "track" and e.name == names.click:
        made = click_record(e) if e.device is not None else None
    else:
        made = activity_record(e, names)
    if memo is None:
        e.memo = {"click": made}
    else:
        memo["click"] = made
    return made


def by_device(records: list[Record]) -> dict[str, list[Record]]:
    """Each device's records, in time order (the records come sorted)."""
    out: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        out[r[3]].append(r)
    return out


def distance(a: Record, b: Record) -> float:
    """Pixels between two clicks (infinite when either has no position)."""
    if a[5] is None or a[6] is None or b[5] is None or b[6] is None:
        return float("inf")
    return float(((a[5] - b[5]) ** 2 + (a[6] - b[6]) ** 2) ** 0.5)


def next_after(items: list[Record], index: int) -> Record | None:
    """The record that follows items[index] on the same device, if any."""
    return items[index + 1] if index + 1 < len(items) else None


def read(e_list: Sequence[Event], kept: Sequence[Record], names: FrictionEventNames) -> list[Record]:
    """The records to keep of new events (in time order): every click, and the one event that follows each click
    on its device (its answer, or its silence broken), even when it arrives late; nothing else about clicks depends
    on the rest."""
    timeline: dict[str, list[tuple[int, int, bool]]] = {}  # device → (ts, seq, is a click), in time order
    for r in kept:
        timeline.setdefault(r[3], []).append((r[1], r[0], r[2] == CLICK))
    out = []
    click = names.click
    for e in e_list:
        device = e.device
        if device is None:
            continue
        line = timeline.setdefault(device, [])
        is_click = e.name == click and e.type == "track"
        at = bisect_left(line, (e.ts, e.seq, False))
        if not is_click and (at == 0 or not line[at - 1][2]):
            continue  # nothing about a click depends on it
        rec = record(e, names)
        if rec is None:
            continue
        line.insert(at, (e.ts, e.seq, is_click))
        out.append(rec)
    return out
