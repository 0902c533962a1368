"""Events as detectors read them: time, device, name and properties, parsed only when a detector asks."""

from __future__ import annotations

import functools
from typing import Any

import msgspec

from omotenashi.store.cursors import EventRow

_decode = msgspec.json.decode


class Event:
    """One stored event of one customer, in the shape detectors read."""

    __slots__ = ("_props", "device", "memo", "message_id", "name", "purposes", "raw_props", "seq", "ts", "type")

    def __init__(
        self,
        seq: int,
        ts: int,
        type: str,  # noqa: A002 - Segment's word
        name: str,
        device: str | None,
        purposes: frozenset[str],
        raw_props: str | None = None,
        message_id: str = "",
        props: dict[str, Any] | None = None,
    ) -> None:
        self.seq = seq
        self.ts = ts
        self.type = type
        self.name = name  # the track event's name, or the page's or screen's name
        self.device = device  # the anonymousId of the browser or app; None for a server (userId only)
        self.purposes = purposes
        self.raw_props = raw_props
        self.message_id = message_id
        self._props = props
        self.memo: dict[str, Any] | None = None  # what detectors made of it, shared within a batch

    @property
    def props(self) -> dict[str, Any]:
        """The properties (an empty mapping when absent or unreadable)."""
        if self._props is None:
            value: Any = {}
            if self.raw_props:
                try:
                    value = _decode(self.raw_props)
                except msgspec.DecodeError:
                    value = {}
            self._props = value if isinstance(value, dict) else {}
        return self._props

    def text(self, key: str, limit: int = 2_000) -> str | None:
        """A property as text (numbers too), cut to `limit` characters; None when missing."""
        value = self.props.get(key)
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, str):
            return value[:limit]
        if isinstance(value, int | float):
            return str(value)
        return None

    def number(self, key: str) -> float | None:
        """A property as a finite number; None when missing or not a number."""
        value = self.props.get(key)
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return float(value) if value == value and abs(value) < 1e12 else None
        return None

    def __repr__(self) -> str:
        return f"Event({self.seq}, {self.ts}, {self.type}, {self.name!r})"


_PURPOSES: dict[str, frozenset[str]] = {}


def purposes_of(text: str) -> frozenset[str]:
    """The purposes an event is kept for, from its comma-separated column (a few distinct values: cached)."""
    found = _PURPOSES.get(text)
    if found is None:
        if len(_PURPOSES) > 1_000:
            _PURPOSES.clear()
        found = _PURPOSES[text] = frozenset(p for p in text.split(",") if p)
    return found


def from_row(row: EventRow) -> Event:
    """An event of the log as detectors read it."""
    name = row.event if row.type == "track" else row.name
    return Event(
        row.seq,
        row.ts,
        row.type,
        name or "",
        row.anonymous_id,
        purposes_of(row.purposes),
        row.properties,
        row.message_id,
    )


def user_agent(row: EventRow) -> str | None:
    """The user agent the event's context names, if any (read without decoding the context)."""
    context = row.context
    if not context:
        return None
    at = context.find('"userAgent"')
    if at < 0:
        return None
    start = context.find('"', at + 11)
    end = context.find('"', start + 1) if start >= 0 else -1
    if end < 0:
        return None
    return context[start + 1 : end]


@functools.lru_cache(maxsize=10_000)
def is_robot(agent: str, words: tuple[str, ...]) -> bool:
    """Whether a user agent says a robot sent the event (crawlers flick between pages like lost customers). A
    workspace's pages come from few distinct user agents: each is looked at once."""
    lowered = agent.lower()
    return any(w in lowered for w in words)
