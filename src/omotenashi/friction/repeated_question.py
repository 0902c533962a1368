"""Repeated questions: the same customer asking about the same thing more than once, in any channel.

Contacts are tied into runs by `contacts.py` (within `window_days` of the previous contact or its resolution, and
about the same thing by text similarity, TF-IDF unless `similarity: embeddings`). A run of two or more contacts is
one signal, seen at the first repeat, growing with each repeat, resolved when its latest contact is resolved.
Matters asked once, another topic within days, and the same topic again weeks later are not repeats.
"""

from __future__ import annotations

from typing import ClassVar

from omotenashi.friction.base import DAY, Finding, Record
from omotenashi.friction.contacts import ContactDetector


class RepeatedQuestion(ContactDetector):
    name: ClassVar[str] = "repeated_question"

    def evaluate(self, records: list[Record], now: int) -> list[Finding]:
        linked = self.reader.link(records)
        out = []
        for first, members in linked.runs.items():
            if len(members) < 2:
                continue
            contacts = [linked.contacts[i] for i in members]
            latest = contacts[-1]
            resolved_before = any(c.resolution is not None and c.resolution[1] <= contacts[1].ts for c in contacts[:1])
            out.append(
                Finding(
                    key=str(linked.contacts[first].seq),
                    severity=3 if len(contacts) >= 3 else 2,
                    started=contacts[1].ts,
                    first_seen=contacts[1].ts,
                    last_seen=latest.resolution[1] if latest.resolution else latest.ts,
                    evidence=tuple(c.seq for c in contacts),
                    details={
                        "times": len(contacts),
                        "channels": [c.channel for c in contacts],
                        "first_asked": contacts[0].ts,
                        "days": round((latest.ts - contacts[0].ts) / DAY, 1),
                        "question": contacts[0].text[:160],
                        "variant": "after_resolved" if resolved_before else "unresolved",
                    },
                    resolved_at=latest.resolution[1] if latest.resolution else None,
                )
            )
        return out
