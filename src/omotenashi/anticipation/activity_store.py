"""A workspace's behaviour, read from its store: every `track`, `page` and `screen` event kept for one of the
anticipation's purposes, as `Activity` records of the customer client memory attributes it to, and its friction
signals.

Attribution is as in `history.py`: by userId (else anonymousId) to the customer record, then to the record it was
merged into. A customer who withdrew one of the anticipation's purposes is left out altogether, with their signals.
Only customers known by a userId may be anticipated (anonymous visitors are read, never scored).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import msgspec
from sqlalchemy import Connection

from omotenashi.anticipation.activity import Activity, name_of
from omotenashi.anticipation.behaviour_log import SignalMark
from omotenashi.anticipation.history import _roots, _withdrawn
from omotenashi.config.anticipation import AnticipationSection
from omotenashi.journeys.mapping import JourneyMapping
from omotenashi.store import customers as customers_repo
from omotenashi.store import signals as signals_repo
from omotenashi.store.activities import activity_rows

_decode = msgspec.json.decode


@dataclass(frozen=True)
class StoredBehaviour:
    """What the behaviour models may read of a workspace, and how much was left out and why."""

    activities: list[Activity]
    signals: list[SignalMark]
    identified: set[str]  # customers known by a userId
    withdrawn_customers: int
    unattributed_events: int
    synthetic_customers: set[str]  # customers any of whose events said `context.synthetic: true`
    synthetic_share: float  # of the activities read

    @property
    def synthetic(self) -> bool:
        """Whether the behaviour read is mostly made up (the simulator, the demo): reports say so."""
        return self.synthetic_share >= 0.5


def _props(raw: str | None) -> dict[str, object]:
    if not raw:
        return {}
    try:
        value = _decode(raw)
    except msgspec.DecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def read_behaviour(
    conn: Connection, workspace_id: str, section: AnticipationSection, mapping: JourneyMapping
) -> StoredBehaviour:
    """Every activity and signal the behaviour models may read, keyed by the customer's root record."""
    needed = set(section.purposes)
    raw: list[tuple[str, str, int, str, str, str | None, str | None, bool]] = []
    for batch in activity_rows(conn, workspace_id):
        for r in batch:
            if not needed.intersection(r.purposes.split(",")):
                continue
            stage = mapping.stage_of(r.type, r.event, r.name, r.properties) if mapping.active else None
            what = name_of(r.type, r.event, r.name, None)
            if what is None:
                continue
            props = r.properties if r.type == "page" else None  # next step reads a page's path
            if r.user_id is not None:
                raw.append(("user_id", r.user_id, r.ts, r.type, what, stage, props, r.synthetic))
            elif r.anonymous_id is not None:
                raw.append(("anonymous_id", r.anonymous_id, r.ts, r.type, what, stage, props, r.synthetic))
    keys = {(kind, value) for kind, value, *_ in raw}
    bases = customers_repo.find_identities(conn, workspace_id, keys)
    roots = _roots(conn, workspace_id, set(bases.values()))
    subjects: dict[str, set[str]] = defaultdict(set)
    identified: set[str] = set()
    activities: list[Activity] = []
    synthetic: set[str] = set()
    made_up = 0
    unattributed = 0
    for kind, value, ts, type_, what, stage, props, fake in raw:
        base = bases.get((kind, value))
        if base is None:
            unattributed += 1  # not yet read by client memory, or erased since
            continue
        root = roots.get(base, base)
        subjects[root].add(value)
        if kind == "user_id":
            identified.add(root)
        if fake:
            synthetic.add(root)
            made_up += 1
        activities.append(Activity(root, ts, type_, what, _props(props), stage))
    withdrawn = _withdrawn(conn, workspace_id, subjects, needed)
    if withdrawn:
        activities = [a for a in activities if a.customer_id not in withdrawn]
        identified -= withdrawn
    stored = signals_repo.all_signals(conn, workspace_id)
    signal_roots = _roots(conn, workspace_id, {s.customer_id for s in stored})
    marks = []
    for s in stored:
        root = signal_roots.get(s.customer_id, s.customer_id)
        if root not in withdrawn:
            marks.append(SignalMark(root, s.kind, s.first_seen, s.resolved_at))
    share = made_up / len(raw) if raw else 0.0
    return StoredBehaviour(activities, marks, identified, len(withdrawn), unattributed, synthetic - withdrawn, share)
