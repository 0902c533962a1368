"""What customers did, as columns the churn and support-contact models read: use, support contacts, subscription
events, counted events, journey stages and steps, and friction signals, each with its time.

Built once from `Activity` records (read from a workspace's store, or decoded from the simulator's messages) and the
stored friction signals; features and labels at any cutoff are then array operations over these columns
(`behaviour_features.py`). Nothing here knows a cutoff: the columns hold every time, and whoever reads them says
which times they may see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from omotenashi.anticipation.activity import Activity
from omotenashi.config.anticipation import AnticipationSection
from omotenashi.config.journeys import STAGES

if TYPE_CHECKING:
    from omotenashi.journeys.mapping import JourneyMapping

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
DAY_MS = 86_400_000
NEVER = np.iinfo(np.int64).max // 2  # a resolution time that has not come
USE_TYPES = frozenset({"page", "screen"})  # a page or screen seen is the customer using the product


@dataclass(frozen=True)
class SignalMark:
    """One friction signal as the models read it: whose, what kind, when it showed, when (if) it ended."""

    customer_id: str
    kind: str
    first_seen: int
    resolved_at: int | None


@dataclass(frozen=True)
class BehaviourSpec:
    """Which events mean what, from the house file's `anticipation:` section."""

    support_events: frozenset[str] = frozenset()
    started_events: frozenset[str] = frozenset()
    ended_events: frozenset[str] = frozenset()
    count_events: tuple[str, ...] = ()

    @classmethod
    def of(cls, section: AnticipationSection) -> BehaviourSpec:
        """The events the section names (support contacts and subscriptions only when those models are on)."""
        churn, support = section.churn, section.support_contact
        from omotenashi.config.anticipation import ChurnSection, SupportContactSection

        churn = churn or ChurnSection()
        support = support or SupportContactSection()
        return cls(
            frozenset(support.events),
            frozenset(churn.started_events),
            frozenset(churn.ended_events),
            tuple(section.count_events),
        )


@dataclass(frozen=True)
class Column:
    """Rows of (customer position, time, code), sorted by time."""

    customer: IntArray
    ts: IntArray
    code: IntArray

    @classmethod
    def of(cls, rows: Sequence[tuple[int, int, int]]) -> Column:
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty)
        table = np.asarray(rows, dtype=np.int64)
        order = np.argsort(table[:, 1], kind="stable")
        table = table[order]
        return cls(table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy())

    def __len__(self) -> int:
        return int(self.ts.size)


@dataclass(frozen=True)
class BehaviourLog:
    """Every customer's behaviour as time-sorted columns; `ids[i]` is customer position i."""

    ids: list[str]
    identified: BoolArray  # may be anticipated (a known person, not an anonymous visitor)
    first_ts: IntArray  # each customer's first activity
    any: Column  # every activity (code unused)
    use: Column  # one row per customer and day with a page or screen (ts: the first of them that day)
    contacts: Column  # support contacts
    subscription: Column  # code 1: started or renewed, 0: ended
    counted: Column  # code: position in `count_events`
    stages: Column  # code: position in STAGES
    steps: Column  # code: position in `step_names`; first time each customer reached each journey step
    signals: Column  # ts: first seen; code: position in `signal_kinds`
    signal_resolved: IntArray  # aligned with `signals`; NEVER while open
    count_events: tuple[str, ...]
    signal_kinds: tuple[str, ...]
    step_names: tuple[str, ...]
    last_ts: int  # the latest activity of anyone: the log's "now"

    @property
    def size(self) -> int:
        return len(self.ids)

    @classmethod
    def build(
        cls,
        activities: Iterable[Activity],
        spec: BehaviourSpec,
        *,
        signals: Iterable[SignalMark] = (),
        mapping: JourneyMapping | None = None,
        identified: set[str] | None = None,
    ) -> BehaviourLog:
        """Columns from activities (any order) and signals; `identified` (default: everyone) may be anticipated."""
        index: dict[str, int] = {}
        first: list[int] = []
        any_rows: list[tuple[int, int, int]] = []
        use_days: dict[tuple[int, int], int] = {}  # (customer, day) → the day's first use
        contacts: list[tuple[int, int, int]] = []
        subscription: list[tuple[int, int, int]] = []
        counted: list[tuple[int, int, int]] = []
        stages: list[tuple[int, int, int]] = []
        reached: dict[tuple[int, int], int] = {}
        count_at = {name: i for i, name in enumerate(spec.count_events)}
        stage_at = {name: i for i, name in enumerate(STAGES)}
        step_names = sorted({s for steps in mapping.journeys.values() for s in steps}) if mapping else []
        step_at = {name: i for i, name in enumerate(step_names)}
        for a in activities:
            c = index.get(a.customer_id)
            if c is None:
                c = index[a.customer_id] = len(index)
                first.append(a.ts)
            elif a.ts < first[c]:
                first[c] = a.ts
            any_rows.append((c, a.ts, 0))
            if a.type in USE_TYPES:
                key = (c, a.ts // DAY_MS)
                use_days[key] = min(use_days.get(key, a.ts), a.ts)
            elif a.type == "track":
                name = a.name
                if name in spec.support_events:
                    contacts.append((c, a.ts, 0))
                if name in spec.started_events:
                    subscription.append((c, a.ts, 1))
                elif name in spec.ended_events:
                    subscription.append((c, a.ts, 0))
                if name in count_at:
                    counted.append((c, a.ts, count_at[name]))
                if name in step_at:
                    key = (c, step_at[name])
                    reached[key] = min(reached.get(key, a.ts), a.ts)
            if a.stage is not None and a.stage in stage_at:
                stages.append((c, a.ts, stage_at[a.stage]))
        marks = list(signals)
        kinds = tuple(sorted({m.kind for m in marks}))
        kind_at = {k: i for i, k in enumerate(kinds)}
        signal_rows = []
        for m in marks:
            c = index.get(m.customer_id)
            if c is not None:  # a signal of someone with no activity we may read (withdrawn, erased) is left out
                ended = NEVER if m.resolved_at is None else m.resolved_at
                signal_rows.append((c, m.first_seen, kind_at[m.kind], ended))
        signal_rows.sort(key=lambda r: r[1])
        ids = list(index)
        known = np.array([identified is None or i in identified for i in ids], dtype=bool)
        return cls(
            ids=ids,
            identified=known,
            first_ts=np.asarray(first, dtype=np.int64),
            any=Column.of(any_rows),
            use=Column.of([(c, ts, 0) for (c, _), ts in use_days.items()]),
            contacts=Column.of(contacts),
            subscription=Column.of(subscription),
            counted=Column.of(counted),
            stages=Column.of(stages),
            steps=Column.of([(c, ts, s) for (c, s), ts in reached.items()]),
            signals=Column.of([r[:3] for r in signal_rows]),
            signal_resolved=np.asarray([r[3] for r in signal_rows], dtype=np.int64),
            count_events=tuple(spec.count_events),
            signal_kinds=kinds,
            step_names=tuple(step_names),
            last_ts=max((r[1] for r in any_rows), default=0),
        )
