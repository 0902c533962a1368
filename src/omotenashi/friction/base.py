"""What every detector is: a name, the purposes it needs, its settings, and `observe(state, events, now)`.

A detector is a pure function of the events it has kept for a customer and of `now` (event time, not the wall
clock), so the order events arrive in does not change what it finally says: a late event is merged into the window
in its place and the window is judged again. What it says is a list of findings, each keyed by what it is about; the
runner upserts the ones that changed and takes back the ones a late event disproved.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import msgspec
from sqlalchemy import Connection

from omotenashi.config.friction import DetectorSettings, FrictionEventNames
from omotenashi.friction.events import Event

SECOND = 1_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
Record = list[Any]  # [seq, ts, tag, ...]: what a detector keeps of one event, as JSON
_encode = msgspec.json.Encoder().encode


@dataclass(frozen=True)
class Finding:
    """One friction a detector sees: about what (`key`), how bad, since when, why, and whether it is over."""

    key: str
    severity: int  # 1 low … 3 high
    started: int  # when the friction began (event time)
    first_seen: int  # when the events first showed it (event time): the signal's moment
    last_seen: int  # the latest evidence
    evidence: tuple[int, ...]  # event seqs
    details: dict[str, Any] = field(default_factory=dict)
    resolved_at: int | None = None  # when it ended, if it did
    journey: str | None = None
    step: str | None = None

    def fingerprint(self) -> str:
        """A short digest of everything the signal shows, to write it only when it changed."""
        body = (self.severity, self.started, self.first_seen, self.last_seen, self.evidence, self.details)
        return hashlib.blake2b(_encode((*body, self.resolved_at, self.journey, self.step)), digest_size=6).hexdigest()


@dataclass
class Observation:
    """What one look at one customer produced."""

    state: dict[str, Any] | None  # what to keep (None: nothing)
    changed: bool  # whether the state must be written
    upserts: list[Finding] = field(default_factory=list)
    retractions: list[str] = field(default_factory=list)  # keys of findings a late event disproved
    due: int | None = None  # when to look again even if no event comes (event time)


@dataclass(frozen=True)
class Triggers:
    """Which events may start something a detector keeps (so the runner asks it about nothing else)."""

    tracks: frozenset[str] = frozenset()  # `track` events by name
    pages: bool = False  # some pages: `wants` is asked about each page
    device: bool = False  # anything a browser or app sends


@dataclass
class Context:
    """Where a detector looks from: the store (for detectors that read derived tables) and whom it looks at."""

    conn: Connection | None
    workspace_id: str
    customer_id: str = ""
    cache: dict[Any, Any] = field(default_factory=dict)  # shared by the looks of one batch


class Detector(Protocol):
    """A friction detector as the runner drives it."""

    @property
    def name(self) -> str:
        """Its kind: the signals it makes carry it."""
        ...

    @property
    def purposes(self) -> frozenset[str]:
        """Purposes an event must be kept for before this detector may read it."""
        ...

    @property
    def settings(self) -> DetectorSettings:
        """Its house-file settings."""
        ...

    @property
    def triggers(self) -> Triggers:
        """Which events may start something it keeps."""
        ...

    def wants(self, e: Event) -> bool:
        """Whether this event may start something worth remembering for the customer."""
        ...

    def observe(self, state: dict[str, Any] | None, events: Sequence[Event], now: int, ctx: Context) -> Observation:
        """Merge the customer's new events into what is kept, and say what is seen as of `now`. A look with events
        also does what a look when its `due` time came would: the runner takes that timer as done."""
        ...


class Sweeper(Detector, Protocol):
    """A detector that sometimes needs every customer of a kind looked at again (the stall detector, when the
    baselines it judges by have changed)."""

    def to_wake(self, conn: Connection, workspace_id: str, now: int, final: bool) -> list[str]:
        """Customers to look at again now, with no new event of theirs (usually none); `final`: the history has
        ended (an import, a rescan) and everything is judged as of its last moment."""
        ...


def globs(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One compiled regular expression for glob patterns (None when there are none)."""
    parts = [fnmatch.translate(p) for p in patterns if p]
    return re.compile("|".join(parts)) if parts else None


def matches(pattern: re.Pattern[str] | None, text: str | None) -> bool:
    return pattern is not None and text is not None and pattern.match(text) is not None


class WindowDetector:
    """A detector that keeps a window of small records per customer and judges the whole window each time.

    Subclasses say which events start a window (`wants`), what to keep of an event (`record`), what the window shows
    (`evaluate`, pure), and when time alone could change that (`pending`). Records older than `retention_ms` are
    dropped, except those of findings still being updated, so a window stays small; `retention_ms` is also how late
    an event may arrive and still be judged with its neighbours. A finding that stops growing but may still be
    resolved later (`waits_ms`) keeps only its evidence until then; `evaluate` must then resolve it from its evidence
    and the new records alone, and never later than `waits_ms` after its last evidence, so that what is said never
    depends on how events were batched or when a tick came.
    """

    name: ClassVar[str]
    retention_ms: ClassVar[int] = 30 * MINUTE
    max_records: ClassVar[int] = 400

    def __init__(self, settings: DetectorSettings, names: FrictionEventNames) -> None:
        self.settings = settings
        self.names = names
        self.purposes = frozenset(settings.purposes)

    # --- what subclasses say ---------------------------------------------------------------------------------------

    def wants(self, e: Event) -> bool:
        raise NotImplementedError

    def record(self, e: Event) -> Record | None:
        raise NotImplementedError

    def read(self, events: Sequence[Event], kept: Sequence[Record]) -> list[Record]:
        """The records to keep of new events (in time order), given what is kept."""
        return [rec for e in events if (rec := self.record(e)) is not None]

    def evaluate(self, records: list[Record], now: int) -> list[Finding]:
        raise NotImplementedError

    def pending(self, records: list[Record], now: int) -> int | None:
        """The earliest time after `now` at which the window could show something new with no new event."""
        return None

    def retention_of(self, record: Record) -> int:
        """How long a record is kept (some records only matter for a little while)."""
        return self.retention_ms

    def waits_ms(self) -> int:
        """How long after its last evidence an open finding may still be resolved (by default: while it grows)."""
        return self.retention_ms

    # --- the machinery ---------------------------------------------------------------------------------------------

    def observe(
        self, state: dict[str, Any] | None, events: Sequence[Event], now: int, ctx: Context | None = None
    ) -> Observation:
        due = state.get("d") if state else None
        fresh = self.read(events, state["r"] if state else [])
        if fresh and state:
            seen = {r[0] for r in state["r"]}
            fresh = [r for r in fresh if r[0] not in seen]
        if not fresh and (due is None or now < due):
            return Observation(state, False, due=due)
        records: list[Record] = [*state["r"], *fresh] if state else fresh
        emitted: dict[str, str] = state["k"] if state else {}
        records.sort(key=_order)
        findings = self.evaluate(records, now)
        upserts = []
        current: dict[str, str] = {}
        for f in findings:
            fp = f.fingerprint()
            current[f.key] = fp
            if emitted.get(f.key) != fp:
                upserts.append(f)
        retractions = [k for k in emitted if k not in current]
        records, kept = self._prune(records, findings, now)
        due = self.pending(records, now)
        new_state: dict[str, Any] | None = None
        if records or kept:
            new_state = {"r": records, "k": {k: current[k] for k in kept}}
            if due is not None:
                new_state["d"] = due
        return Observation(new_state, True, upserts, retractions, due)

    def _prune(self, records: list[Record], findings: list[Finding], now: int) -> tuple[list[Record], list[str]]:
        """Drop what is too old to matter, keeping whole the findings that may still grow."""
        horizon = now - self.retention_ms
        live = [f for f in findings if f.last_seen >= horizon and f.resolved_at is None]
        live += [f for f in findings if f.resolved_at is not None and f.resolved_at >= horizon]
        waits = now - self.waits_ms()
        waiting = [f for f in findings if f.resolved_at is None and horizon > f.last_seen >= waits]
        # Everything around a finding that may still grow is kept, so judging it again sees what it saw before;
        # of one that only waits for its resolution, its evidence.
        around = now
        for f in live:
            if f.started - self.retention_ms < around:
                around = f.started - self.retention_ms
        evidence = {s for f in waiting for s in f.evidence}
        kept = [r for r in records if r[1] >= around or r[1] >= now - self.retention_of(r) or r[0] in evidence]
        live += waiting
        if len(kept) > self.max_records:
            keep_seqs = {s for f in live for s in f.evidence}
            extra = len(kept) - self.max_records
            trimmed = []
            for r in kept:
                if extra > 0 and r[0] not in keep_seqs:
                    extra -= 1
                    continue
                trimmed.append(r)
            kept = trimmed
        return kept, [f.key for f in live]


def _order(r: Record) -> tuple[int, int]:
    return (r[1], r[0])


def device_of(e: Event) -> str:
    """The device an event came from ('' for a server, which has none)."""
    return e.device or ""
