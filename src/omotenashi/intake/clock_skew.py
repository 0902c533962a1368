"""Correct the client's clock: timestamp = receivedAt − (sentAt − originalTimestamp), as Segment does."""

from __future__ import annotations

from datetime import UTC, datetime

CLAMPED = 1


def epoch_ms(moment: datetime | None) -> int | None:
    """Milliseconds since the epoch, naive datetimes read as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def corrected(received: int, sent: int | None, original: int | None, tolerance_ms: int) -> tuple[int, int]:
    """The event time on the server's clock and the flags that say what was done to it."""
    if original is None:
        return received, 0
    ts = received - (sent - original) if sent is not None else original
    if ts > received + tolerance_ms:
        return received, CLAMPED
    return ts, 0
