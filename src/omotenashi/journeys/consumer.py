"""The journeys follower: keeps each customer's current stage, their steps in each journey and their cohort.

It runs after memory (which attributes every event to a base customer) and works per base customer. Everything it
keeps is a function of the set of events, not of their order, so late and out-of-order events give the same result
as ordered ones, and applying a batch twice changes nothing:

- a step's `entered_at` is the earliest time the customer did the step's event; a step's `left_at` is the earliest
  time they reached any later step (never before `entered_at`); the current step is the furthest step reached;
- the current stage is the stage of the latest mapped event (event time, then log order), entered when the final
  unbroken run of that stage began; an event older than the stored latest makes the follower re-read the
  customer's recent events from the log;
- the cohort keeps, per field, the value of the most preferred source, earliest first (see `journeys.cohort`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.core.clock import Clock, to_epoch_ms, utc_now
from omotenashi.journeys.cohort import Candidate, CohortReader, merge
from omotenashi.journeys.mapping import JourneyMapping, StepRef
from omotenashi.store import customers as customers_repo
from omotenashi.store import journeys as repo
from omotenashi.store.cursors import EventRow
from omotenashi.store.journeys import LIFECYCLE, Position, StepRow

RESCAN_PAGE = 500


@dataclass
class _Seen:
    """What one batch says about one customer."""

    staged: list[tuple[int, int, str]] = field(default_factory=list)  # (ts, seq, stage)
    steps: list[tuple[StepRef, int, int]] = field(default_factory=list)  # (step, ts, seq)
    candidates: list[Candidate] = field(default_factory=list)


def left_times(entered: dict[int, int]) -> dict[int, int | None]:
    """When the customer left each reached step: the earliest arrival at any later step, never before arriving."""
    out: dict[int, int | None] = {}
    later: int | None = None
    for index in sorted(entered, reverse=True):
        out[index] = None if later is None else max(entered[index], later)
        later = entered[index] if later is None else min(later, entered[index])
    return out


def final_run(events_newest_first: Sequence[tuple[int, int, str]]) -> tuple[str, int, tuple[int, int]] | None:
    """(stage, entered_at, latest (ts, seq)) of a sequence of (ts, seq, stage), newest first; None when empty."""
    if not events_newest_first:
        return None
    ts, seq, stage = events_newest_first[0]
    entered = ts
    for ts_, _, stage_ in events_newest_first[1:]:
        if stage_ != stage:
            break
        entered = ts_
    return stage, entered, (ts, seq)


class JourneysConsumer:
    """Applies new events to journey positions, step history and cohorts, one batch per transaction."""

    name = repo.CONSUMER

    def __init__(self, house: HouseFile, clock: Clock = utc_now) -> None:
        self.mapping = JourneyMapping(house.journeys)
        self.cohorts = CohortReader(house.journeys, house.timezone)
        self.clock = clock

    def apply(self, conn: Connection, workspace_id: str, rows: Sequence[EventRow]) -> None:
        """Apply a batch of events (in log order, which need not be time order)."""
        if not self.mapping.active and not self.cohorts.fields:
            return
        seen = self._read(conn, workspace_id, rows)
        if not seen:
            return
        customers = sorted(seen)
        states = repo.cohort_states(conn, workspace_id, customers)
        changed: dict[str, dict[str, str]] = {}
        touched_states = {}
        for cid in customers:
            if seen[cid].candidates:
                state = states.setdefault(cid, {})
                if merge(state, seen[cid].candidates):
                    changed[cid] = dict(state["values"])
                touched_states[cid] = state
        cohort_of = {cid: dict(states.get(cid, {}).get("values", {})) for cid in customers}
        repo.save_cohort_states(conn, workspace_id, touched_states, to_epoch_ms(self.clock()))
        positions = self._stages(conn, workspace_id, seen, cohort_of)
        steps, journey_positions = self._steps(conn, workspace_id, seen, cohort_of)
        repo.save_positions(conn, workspace_id, positions + journey_positions)
        repo.save_steps(conn, workspace_id, steps)
        if changed:
            repo.set_cohorts(conn, workspace_id, changed)

    def _read(self, conn: Connection, workspace_id: str, rows: Sequence[EventRow]) -> dict[str, _Seen]:
        """What the batch says, per base customer (found through the identifier memory attributed the event by)."""
        found: list[tuple[tuple[str, str], EventRow, str | None, list[StepRef], list[Candidate]]] = []
        for e in rows:
            stage = self.mapping.stage_of(e.type, e.event, e.name, e.properties)
            refs = self.mapping.steps_of(e.type, e.event)
            cands = self.cohorts.candidates(e.type, e.event, e.ts, e.seq, e.properties, e.traits, e.context)
            if stage is None and not refs and not cands:
                continue
            if e.user_id is not None:
                key = ("user_id", e.user_id)
            elif e.anonymous_id is not None:
                key = ("anonymous_id", e.anonymous_id)
            else:
                continue
            found.append((key, e, stage, refs, cands))
        if not found:
            return {}
        bases = customers_repo.find_identities(conn, workspace_id, {key for key, *_ in found})
        seen: dict[str, _Seen] = {}
        for key, e, stage, refs, cands in found:
            cid = bases.get(key)
            if cid is None:  # not attributed yet: memory runs first, so this only happens to erased events
                continue
            s = seen.setdefault(cid, _Seen())
            if stage is not None:
                s.staged.append((e.ts, e.seq, stage))
            s.steps.extend((ref, e.ts, e.seq) for ref in refs)
            s.candidates.extend(cands)
        return seen

    def _stages(
        self, conn: Connection, workspace_id: str, seen: dict[str, _Seen], cohort_of: dict[str, dict[str, str]]
    ) -> list[Position]:
        staged = {cid: sorted(s.staged) for cid, s in seen.items() if s.staged}
        current = repo.positions_for(conn, workspace_id, staged, LIFECYCLE)
        out = []
        for cid, events in staged.items():
            pos = current.get(cid)
            if pos is None or events[0][:2] > (pos.last_event_at, pos.last_seq):
                stage, entered = (pos.stage, pos.entered_at) if pos is not None else (events[0][2], events[0][0])
                for ts, _, st in events:
                    if st != stage:
                        stage, entered = st, ts
                last = events[-1][:2]
                result = (stage, entered, (last[0], last[1]))
            else:
                rescanned = self._rescan(conn, workspace_id, cid)
                if rescanned is None:
                    continue
                result = rescanned
            stage, entered, (ts, seq) = result
            out.append(Position(cid, LIFECYCLE, stage, None, None, entered, ts, seq, cohort_of[cid]))
        return out

    def _rescan(self, conn: Connection, workspace_id: str, customer_id: str) -> tuple[str, int, tuple[int, int]] | None:
        """The current stage from the log: the latest mapped event, back to where its stage's final run began."""
        run: list[tuple[int, int, str]] = []
        before: tuple[int, int] | None = None
        while True:
            page = repo.events_before(conn, workspace_id, customer_id, before, RESCAN_PAGE)
            for ts, seq, kind, event, name, props in page:
                stage = self.mapping.stage_of(kind, event, name, props)
                if stage is None:
                    continue
                if run and stage != run[0][2]:
                    return final_run(run)
                run.append((ts, seq, stage))
            if len(page) < RESCAN_PAGE:
                return final_run(run)
            before = (page[-1][0], page[-1][1])

    def _steps(
        self, conn: Connection, workspace_id: str, seen: dict[str, _Seen], cohort_of: dict[str, dict[str, str]]
    ) -> tuple[list[StepRow], list[Position]]:
        hits = {cid: s.steps for cid, s in seen.items() if s.steps}
        if not hits:
            return [], []
        journeys = {ref.journey for steps in hits.values() for ref, _, _ in steps}
        stored = repo.step_rows_for(conn, workspace_id, hits, journeys)
        rows_out: list[StepRow] = []
        positions: list[Position] = []
        for cid, steps in hits.items():
            reached: dict[str, dict[int, tuple[int, int]]] = {}
            for ref, ts, seq in steps:
                reached.setdefault(ref.journey, {})
                known = reached[ref.journey]
                if not known:
                    known.update({i: (r.entered_at, r.seq) for i, r in stored.get((cid, ref.journey), {}).items()})
                if ref.index not in known or (ts, seq) < known[ref.index]:
                    known[ref.index] = (ts, seq)
            for journey, known in reached.items():
                before = {i: (r.entered_at, r.seq) for i, r in stored.get((cid, journey), {}).items()}
                if known == before:
                    continue  # nothing earlier or new: applying the batch again changes nothing
                left = left_times({i: ts for i, (ts, _) in known.items()})
                cohort = cohort_of[cid]
                for index, (ts, seq) in sorted(known.items()):
                    name = self.mapping.step_name(journey, index)
                    rows_out.append(StepRow(cid, journey, name, index, ts, left[index], seq, cohort))
                furthest = max(known)
                last_ts, last_seq = max(known.values())
                positions.append(
                    Position(
                        cid,
                        journey,
                        self.mapping.stage_of_journey[journey],
                        self.mapping.step_name(journey, furthest),
                        furthest,
                        known[furthest][0],
                        last_ts,
                        last_seq,
                        cohort,
                    )
                )
        return rows_out, positions
