"""Stalls: a customer stuck in a journey step far longer than customers like them take, or than a deadline allows.

The journeys follower keeps each customer's reached steps and computes, per cohort, how long customers take from a
step to the next (`store.journeys.baseline`). A step is stalled once the customer has waited `p90_factor` times
their cohort's 90th percentile (or the step's declared `deadline_hours`, whichever comes first) without reaching the
next step; it is resolved when they do. The signal says whether they are still active elsewhere in the product
(visits after `quiet_minutes`) or have gone quiet, and shows up to five of those visits. Slow but normal customers
(up to their cohort's slowest few percent) and customers who never started the journey are not stalled.

A stall is judged from the reached steps and the baselines, so it is judged again whenever a step is reached, at
the moment a waiting customer would cross the threshold, daily while a stalled customer is active, and for every
customer of the journey when the baselines are computed anew.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import Connection

from omotenashi.config.friction import FrictionEventNames, StallSettings
from omotenashi.config.journeys import JourneySpec, JourneysSection
from omotenashi.friction.base import DAY, HOUR, MINUTE, Context, Finding, Observation, Triggers
from omotenashi.friction.events import Event
from omotenashi.store import detector_state
from omotenashi.store import journeys as journeys_repo
from omotenashi.store import signals as repo

VISIT_GAP_MS = 30 * MINUTE
BASELINES_SEEN = "stall_baselines"


@dataclass(frozen=True)
class Threshold:
    """How long a step may take before it is a stall, and why."""

    ms: int
    basis: str  # cohort or deadline
    p50_ms: int | None = None
    p90_ms: int | None = None
    cohort_key: str | None = None
    cohort_value: str | None = None


class Stall:
    name: ClassVar[str] = "stall"

    def __init__(self, settings: StallSettings, names: FrictionEventNames, section: JourneysSection | None) -> None:
        self.settings = settings
        self.names = names
        self.purposes = frozenset(settings.purposes)
        self.quiet_ms = settings.quiet_minutes * MINUTE
        journeys = section.journeys if section is not None else {}
        self.specs: dict[str, JourneySpec] = {
            jid: spec for jid, spec in journeys.items() if settings.journeys is None or jid in settings.journeys
        }
        self.min_size = section.min_cohort_size if section is not None else 20
        self.step_events = {step for spec in self.specs.values() for step in spec.steps}
        self.triggers = Triggers(tracks=frozenset(self.step_events))
        self._version: int | None = None
        self._thresholds: dict[tuple[str, int, tuple[tuple[str, str], ...]], Threshold | None] = {}

    def wants(self, e: Event) -> bool:
        return e.type == "track" and e.name in self.step_events

    def prepare(
        self, ctx: Context, looks: Sequence[tuple[str, dict[str, Any] | None, Sequence[Event]]], now: int
    ) -> None:
        """Read the reached steps of the customers about to be judged (those whose events may change a stall), and
        the baselines if they changed."""
        assert ctx.conn is not None
        version = repo.baselines_version(ctx.conn, ctx.workspace_id, sorted(self.specs))
        if version != self._version:
            self._version = version
            self._thresholds.clear()
        customers = [cid for cid, state, events in looks if self._judges(state, events, now)]
        if not customers:
            return
        found = journeys_repo.step_rows_for(ctx.conn, ctx.workspace_id, set(customers), self.specs)
        for cid in customers:
            for jid in self.specs:
                rows = found.get((cid, jid), {})
                ctx.cache[("stall-steps", cid, jid)] = [rows[i] for i in sorted(rows)]

    def _judges(self, state: dict[str, Any] | None, events: Sequence[Event], now: int) -> bool:
        """Whether a look with these events judges the customer's steps again: with no event (time has come), when
        the customer's time has come anyway (a look with events takes the place of the timer), when a step is
        reached, or when a stalled customer is active on a day not yet looked at."""
        if not events:
            return True
        st = state or {}
        due = st.get("d")
        if due is not None and due <= now:
            return True
        if any(self.wants(e) for e in events):
            return True
        return bool(st.get("o")) and st.get("e", -1) < now // DAY and any(e.device is not None for e in events)

    def to_wake(self, conn: Connection, workspace_id: str, now: int, final: bool) -> list[str]:
        """Every customer of the watched journeys, when the baselines changed since they were last judged."""
        journeys = sorted(self.specs)
        version = repo.baselines_version(conn, workspace_id, journeys)
        if version is None or version == detector_state.get_meta(conn, workspace_id, BASELINES_SEEN):
            return []
        detector_state.set_meta(conn, workspace_id, BASELINES_SEEN, version, now)
        return repo.journey_customers(conn, workspace_id, journeys)

    def observe(self, state: dict[str, Any] | None, events: Sequence[Event], now: int, ctx: Context) -> Observation:
        if not self.specs or ctx.conn is None:
            return Observation(state, False)
        st = state or {}
        today = now // DAY
        if not self._judges(state, events, now):
            return Observation(state, False, due=st.get("d"))
        findings, due = self._judge(ctx, now)
        emitted: dict[str, str] = st.get("k", {})
        current = {f.key: f.fingerprint() for f in findings}
        upserts = [f for f in findings if emitted.get(f.key) != current[f.key]]
        retractions = [k for k in emitted if k not in current]
        open_ = any(f.resolved_at is None for f in findings)
        new_state: dict[str, Any] | None = None
        if open_ or due is not None:
            new_state = {"k": current, "e": today, "o": open_}
            if due is not None:
                new_state["d"] = due
        elif current:
            new_state = {"k": current, "e": today, "o": False}
        return Observation(new_state, True, upserts, retractions, due)

    def _judge(self, ctx: Context, now: int) -> tuple[list[Finding], int | None]:
        assert ctx.conn is not None
        findings: list[Finding] = []
        due: int | None = None
        for jid, spec in self.specs.items():
            rows = ctx.cache.get(("stall-steps", ctx.customer_id, jid))
            if rows is None:
                rows = journeys_repo.steps_of(ctx.conn, ctx.workspace_id, ctx.customer_id, jid)
            last_index = len(spec.steps) - 1
            for i, row in enumerate(rows):
                if row.step_index >= last_index:
                    continue
                threshold = self._threshold(ctx, jid, spec, row.step_index, row.cohort)
                if threshold is None:
                    continue
                until = row.left_at if row.left_at is not None else now
                if until - row.entered_at < threshold.ms:
                    if row.left_at is None:
                        at = row.entered_at + threshold.ms
                        due = at if due is None else min(due, at)
                    continue
                later = rows[i + 1] if i + 1 < len(rows) else None
                findings.append(self._finding(ctx, jid, spec, row, later, threshold, now))
        return findings, due

    def _threshold(
        self, ctx: Context, jid: str, spec: JourneySpec, index: int, cohort: dict[str, str]
    ) -> Threshold | None:
        key = (jid, index, tuple(sorted(cohort.items())))
        if key in self._thresholds:
            return self._thresholds[key]
        assert ctx.conn is not None
        options: list[Threshold] = []
        b = journeys_repo.baseline(ctx.conn, ctx.workspace_id, jid, index, cohort, min_size=self.min_size)
        if b is not None and b.p90_ms and b.moved_on >= self.min_size:
            ms = int(self.settings.p90_factor * b.p90_ms)
            options.append(Threshold(ms, "cohort", b.p50_ms, b.p90_ms, b.cohort_key, b.cohort_value))
        deadline = spec.deadline_hours.get(spec.steps[index + 1])
        if deadline is not None:
            options.append(Threshold(int(deadline * HOUR), "deadline"))
        result = min(options, key=lambda t: t.ms) if options else None
        self._thresholds[key] = result
        return result

    def _finding(
        self,
        ctx: Context,
        jid: str,
        spec: JourneySpec,
        row: journeys_repo.StepRow,
        later: journeys_repo.StepRow | None,
        threshold: Threshold,
        now: int,
    ) -> Finding:
        assert ctx.conn is not None
        until = row.left_at if row.left_at is not None else now
        activity = repo.device_activity(ctx.conn, ctx.workspace_id, ctx.customer_id, row.entered_at + 1, until)
        visits: list[tuple[int, int]] = []
        last = None
        for ts, seq in activity:
            if last is None or ts - last > VISIT_GAP_MS:
                visits.append((ts, seq))
            last = ts
        elsewhere = [v for v in visits if v[0] > row.entered_at + self.quiet_ms]
        evidence = [row.seq] + [seq for _, seq in visits[:5]]
        if later is not None and row.left_at is not None:
            evidence.append(later.seq)
        details: dict[str, Any] = {
            "step": row.step,
            "next_step": spec.steps[row.step_index + 1],
            "waited_ms": until - row.entered_at,
            "threshold_ms": threshold.ms,
            "basis": threshold.basis,
            "visits": len(elsewhere),
            "variant": "active_elsewhere" if elsewhere else "gone_quiet",
        }
        if threshold.basis == "cohort":
            details |= {
                "p50_ms": threshold.p50_ms,
                "p90_ms": threshold.p90_ms,
                "factor": self.settings.p90_factor,
                "cohort": threshold.cohort_key,
                "cohort_value": threshold.cohort_value,
            }
        return Finding(
            key=f"{jid}:{row.step_index}",
            severity=2 if elsewhere else 3,
            started=row.entered_at,
            first_seen=row.entered_at + threshold.ms,
            last_seen=max([row.entered_at + threshold.ms] + [ts for ts, _ in activity[-1:]]),
            evidence=tuple(evidence),
            details=details,
            resolved_at=row.left_at,
            journey=jid,
            step=row.step,
        )
