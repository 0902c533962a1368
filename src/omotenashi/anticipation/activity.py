"""What a customer did, as the behaviour models read it: one `Activity` per stored event.

The churn, support-contact and next-step models learn from these records, whichever way they arrive: read from a
workspace's event log (`anticipation/activity_store.py`) or decoded from Segment messages, such as the simulator's
(`from_messages`). A record belongs to one customer (the userId, or the customer record client memory resolved).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from omotenashi.journeys.mapping import JourneyMapping

TYPES = frozenset({"track", "page", "screen"})


@dataclass(frozen=True, slots=True)
class Activity:
    """One thing a customer did: when (epoch ms), what kind of message, and its name and properties."""

    customer_id: str
    ts: int
    type: str  # track, page or screen
    name: str  # track: the event name; page: the page's category (else its name); screen: the screen name
    properties: Mapping[str, Any] = field(default_factory=dict)
    stage: str | None = None  # the journey stage the house file maps it to, when it maps it


class _Message(msgspec.Struct):
    type: str
    timestamp: str
    userId: str | None = None  # noqa: N815
    event: str | None = None
    name: str | None = None
    category: str | None = None
    properties: dict[str, Any] = {}


def _epoch_ms(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


def name_of(type_: str, event: str | None, name: str | None, category: str | None) -> str | None:
    """The name a model reads: the event of a track, the category (else name) of a page, the name of a screen."""
    if type_ == "track":
        return event
    if type_ == "page":
        return category or name
    if type_ == "screen":
        return name
    return None


def from_messages(lines: Iterable[bytes], mapping: JourneyMapping | None = None) -> Iterator[Activity]:
    """Activities of identified customers (userId) in Segment messages; anonymous and identify messages are skipped.

    With the house file's journey `mapping`, each activity carries the stage its message is mapped to.
    """
    decoder = msgspec.json.Decoder(_Message)
    encode = msgspec.json.encode
    for line in lines:
        m = decoder.decode(line)
        if m.userId is None or m.type not in TYPES:
            continue
        what = name_of(m.type, m.event, m.name, m.category or m.properties.get("category"))
        if what is None:
            continue
        stage = None
        if mapping is not None:
            raw = encode(m.properties).decode() if m.properties else None
            stage = mapping.stage_of(m.type, m.event, m.name, raw)
        yield Activity(m.userId, _epoch_ms(m.timestamp), m.type, what, m.properties, stage)


def by_customer(activities: Iterable[Activity]) -> dict[str, list[Activity]]:
    """Each customer's activities in time order."""
    out: dict[str, list[Activity]] = {}
    for a in activities:
        out.setdefault(a.customer_id, []).append(a)
    for items in out.values():
        items.sort(key=lambda a: a.ts)
    return out
