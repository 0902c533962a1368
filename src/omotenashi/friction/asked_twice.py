"""Having to ask twice: coming back about a matter support had marked resolved.

When a contact repeats an earlier one of its run (see `contacts.py`) and some earlier contact of that run had been
resolved before it came, the customer had to ask twice: a signal of its own, seen at the new contact, with the
earlier opening, its resolution and the new opening as evidence, resolved when the new contact is. A resolved
matter that stays resolved, or a new question about something else, is not asking twice.
"""

from __future__ import annotations

from typing import ClassVar

from omotenashi.friction.base import HOUR, Finding, Record
from omotenashi.friction.contacts import ContactDetector


class AskedTwice(ContactDetector):
    name: ClassVar[str] = "asked_twice"

    def evaluate(self, records: list[Record], now: int) -> list[Finding]:
        linked = self.reader.link(records)
        out = []
        for members in linked.runs.values():
            contacts = [linked.contacts[i] for i in members]
            for k, again in enumerate(contacts[1:], start=1):
                before = [c for c in contacts[:k] if c.resolution is not None and c.resolution[1] <= again.ts]
                if not before:
                    continue
                earlier = before[-1]
                assert earlier.resolution is not None
                out.append(
                    Finding(
                        key=str(again.seq),
                        severity=3,
                        started=again.ts,
                        first_seen=again.ts,
                        last_seen=again.resolution[1] if again.resolution else again.ts,
                        evidence=(earlier.seq, earlier.resolution[0], again.seq),
                        details={
                            "resolved_at": earlier.resolution[1],
                            "hours_later": round((again.ts - earlier.resolution[1]) / HOUR, 1),
                            "channels": [earlier.channel, again.channel],
                            "reopened": again.kind == "reopen",
                            "question": earlier.text[:160],
                        },
                        resolved_at=again.resolution[1] if again.resolution else None,
                    )
                )
        return out
