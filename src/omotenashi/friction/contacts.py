"""Contacts with support, as the repeated-question and asked-twice detectors read them, and which repeat which.

A contact is a ticket opened (subject and body), a resolved ticket answered again (`Ticket Reopened`), or a chat's
first line from the customer. A contact repeats an earlier one of the same customer when it comes within the window
after that one (or after its resolution) and is about the same thing: the same ticket, or text alike enough
(`similarity.py`), or a little alike and saying "I asked before".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from omotenashi.config.friction import FrictionEventNames, QuestionSettings
from omotenashi.friction.base import DAY, Record, Triggers, WindowDetector
from omotenashi.friction.events import Event
from omotenashi.friction.similarity import THRESHOLDS, similarity_for

OPENING, LINE, RESOLVED = "q", "l", "r"
TEXT_LIMIT = 600
CUE_SHARE = 0.1
REPEAT_CUES = (
    r"\bsecond time\b",
    r"\b(third|3rd|2nd) time\b",
    r"\b(again|anew)\b",
    r"\balready (asked|wrote|written|contacted|told|reported|sent|mentioned)\b",
    r"\bfollow(ing)?[- ]up\b",
    r"\bstill (not|waiting|broken|failing|happening|the same|no)\b",
    r"\bas i (said|mentioned|wrote)\b",
    r"\b(earlier|previous|last) (message|email|ticket|chat|time)\b",
    r"\b(didn'?t|did not|doesn'?t) (last|stick|hold)\b",
    r"\b(marked|closed) (this|it) as (solved|resolved|fixed|done)\b",
    r"\bsame (problem|issue|thing) as\b",
    r"\bit'?s back\b",
    r"以前", r"先日", r"前回", r"再度", r"また", r"まだ", r"引き続き", r"度目",
)  # fmt: skip


@dataclass
class Contact:
    """One time the customer asked support, and when (if) that was resolved."""

    seq: int
    ts: int
    ref: str  # ticket or conversation id
    kind: str  # ticket, reopen or chat
    channel: str
    text: str
    resolution: tuple[int, int] | None = None  # (seq, ts)
    run: int = -1  # index of the first contact of its run of repeats
    repeats: int | None = None  # index of the contact it repeats


@dataclass
class Runs:
    """A customer's contacts in time order, each tied to the one it repeats."""

    contacts: list[Contact]
    runs: dict[int, list[int]] = field(default_factory=dict)  # first contact → indexes of the run


class ContactReader:
    """Reads contacts from events and ties repeats together; shared by both question detectors."""

    def __init__(self, settings: QuestionSettings, names: FrictionEventNames) -> None:
        self.names = names
        self.window_ms = int(settings.window_days * DAY)
        self.method = settings.similarity
        self.threshold = settings.threshold if settings.threshold is not None else THRESHOLDS[settings.similarity]
        cues = settings.repeat_cues if settings.repeat_cues is not None else list(REPEAT_CUES)
        self.cues = re.compile("|".join(f"(?:{c})" for c in cues), re.IGNORECASE) if cues else None
        self.watched = {
            names.ticket_created,
            names.ticket_reopened,
            names.ticket_resolved,
            names.chat_message,
            names.chat_ended,
        }

    def wants(self, e: Event) -> bool:
        # Resolutions too: a chat's first line may come hours late from a phone, after the chat was closed.
        return e.type == "track" and e.name in self.watched

    def record(self, e: Event) -> Record | None:
        if e.type != "track" or e.name not in self.watched:
            return None
        n = self.names
        if e.name == n.ticket_created or e.name == n.ticket_reopened:
            ref = e.text("ticket_id", 200)
            if ref is None:
                return None
            parts = [e.text("subject", TEXT_LIMIT) or "", e.text("body", TEXT_LIMIT) or ""]
            kind = "ticket" if e.name == n.ticket_created else "reopen"
            channel = e.text("channel", 40) or ("web" if e.device else "email")
            return [e.seq, e.ts, OPENING, ref, kind, channel, " ".join(p for p in parts if p).strip()]
        if e.name == n.ticket_resolved:
            ref = e.text("ticket_id", 200)
            return [e.seq, e.ts, RESOLVED, ref] if ref else None
        ref = e.text("conversation_id", 200)
        if ref is None:
            return None
        if e.name == n.chat_ended:
            return [e.seq, e.ts, RESOLVED, ref] if e.props.get("resolved") is True else None
        if e.props.get("from", "customer") != "customer":
            return None
        return [e.seq, e.ts, LINE, ref, "chat", "chat", e.text("text", TEXT_LIMIT) or ""]

    def contacts(self, records: Sequence[Record]) -> list[Contact]:
        """The contacts, in time order, each with its resolution."""
        out: list[Contact] = []
        chats: set[str] = set()
        for r in records:  # records come in time order: a chat's first line from the customer opens it
            if r[2] == OPENING:
                out.append(Contact(r[0], r[1], r[3], r[4], r[5], r[6]))
            elif r[2] == LINE and r[3] not in chats:
                chats.add(r[3])
                out.append(Contact(r[0], r[1], r[3], r[4], r[5], r[6]))
        for r in records:
            if r[2] != RESOLVED:
                continue
            # A resolution closes the latest opening of its ticket or chat before it.
            target = None
            for c in out:
                if c.ref == r[3] and c.ts <= r[1]:
                    target = c
            if target is not None and target.resolution is None:
                target.resolution = (r[0], r[1])
        return out

    def link(self, records: Sequence[Record]) -> Runs:
        """Tie each contact to the earlier one it repeats, if any."""
        contacts = self.contacts(records)
        scores = similarity_for(self.method).pairwise([c.text for c in contacts]) if len(contacts) > 1 else []
        runs: dict[int, list[int]] = {}
        for j, c in enumerate(contacts):
            best: tuple[float, int] | None = None
            cued = self.cues is not None and self.cues.search(c.text) is not None
            for i in range(j):
                earlier = contacts[i]
                settled = max(earlier.ts, earlier.resolution[1] if earlier.resolution else earlier.ts)
                if c.ts - settled > self.window_ms:
                    continue
                if earlier.ref == c.ref and c.kind == "reopen":
                    score = 2.0  # the same ticket, answered again
                else:
                    score = scores[i][j]
                    needed = self.threshold * (CUE_SHARE if cued else 1.0)
                    if score < needed:
                        continue
                if best is None or score >= best[0]:
                    best = (score, i)
            if best is None:
                c.run = j
                runs[j] = [j]
            else:
                c.repeats = best[1]
                c.run = contacts[best[1]].run
                runs[c.run].append(j)
        return Runs(contacts, runs)


class ContactDetector(WindowDetector):
    """What the detectors over support contacts share: the contacts they read and how long they remember them."""

    retention_ms: ClassVar[int] = 35 * DAY
    max_records: ClassVar[int] = 120

    def __init__(self, settings: QuestionSettings, names: FrictionEventNames) -> None:
        super().__init__(settings, names)
        self.reader = ContactReader(settings, names)
        self.triggers = Triggers(tracks=frozenset(self.reader.watched))

    def wants(self, e: Event) -> bool:
        return self.reader.wants(e)

    def record(self, e: Event) -> Record | None:
        return self.reader.record(e)
