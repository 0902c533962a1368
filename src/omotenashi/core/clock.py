"""Time: one clock to ask, so tests and imports can say what 'now' is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, always timezone-aware UTC."""
    return datetime.now(UTC)


def to_epoch_ms(moment: datetime) -> int:
    """Milliseconds since 1970-01-01 UTC; naive datetimes are read as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def from_epoch_ms(ms: int) -> datetime:
    """The UTC datetime for milliseconds since the epoch."""
    return datetime.fromtimestamp(ms / 1000, UTC)


def iso(ms: int) -> str:
    """ISO 8601 in UTC with milliseconds and a Z, as Segment writes it."""
    return from_epoch_ms(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
