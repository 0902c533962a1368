"""What starts a playbook, read from what the rest of the engine found: friction signals that changed, anticipations
that were scored, journey deadlines that passed, and scheduled check-ins. Each becomes a `Trigger`: a customer, a
playbook, and the reason (one open care item per customer and reason)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from omotenashi.config.care import CareSection
from omotenashi.config.house import HouseFile
from omotenashi.store import care_inputs as inputs
from omotenashi.store import journeys as journeys_repo

REACH = "reach_a_person"  # the built-in playbook: a customer can always reach a person
DAY_MS = 86_400_000
HOUR_MS = 3_600_000


@dataclass(frozen=True)
class Trigger:
    playbook: str
    customer_id: str  # the record the evidence came with (care works on its root)
    reason_key: str
    kind: str  # signal, anticipation, deadline, schedule
    ref: str | None
    at: int  # event time of the evidence: outcomes are read after it
    changed_at: int  # wall time of the change
    live: bool  # whether what started it still holds (a signal still open)
    severity: int = 1
    evidence: dict[str, Any] = field(default_factory=dict)


def from_signals(care: CareSection, changes: Iterable[inputs.SignalChange]) -> list[Trigger]:
    """Playbooks started by signals; every bot loop also asks for a person, whatever the playbooks say."""
    out: list[Trigger] = []
    for s in changes:
        evidence = {
            "signal": s.kind,
            "severity": s.severity,
            "status": s.status,
            "details": s.details,
            "journey": s.journey,
            "step": s.step,
            "first_seen": s.first_seen,
            "last_seen": s.last_seen,
        }
        common = {
            "customer_id": s.customer_id,
            "reason_key": s.id,
            "kind": "signal",
            "ref": s.id,
            "at": s.first_seen,
            "changed_at": s.updated_at,
            "live": s.status == "open",
            "severity": s.severity,
            "evidence": evidence,
        }
        if s.kind == "bot_loop":
            out.append(Trigger(playbook=REACH, **common))  # type: ignore[arg-type]
        for pid, playbook in care.playbooks.items():
            when = playbook.when
            if playbook.enabled and when.signal == s.kind and s.severity >= when.min_severity:
                out.append(Trigger(playbook=pid, **common))  # type: ignore[arg-type]
    return out


def from_anticipations(care: CareSection, changes: Iterable[inputs.AnticipationChange], now: int) -> list[Trigger]:
    """Playbooks started by a score over (or under) their threshold."""
    by_kind: dict[str, list[tuple[str, Any]]] = {}
    for pid, playbook in care.playbooks.items():
        if playbook.enabled and playbook.when.anticipation is not None:
            by_kind.setdefault(playbook.when.anticipation, []).append((pid, playbook.when))
    out: list[Trigger] = []
    for a in changes:
        for pid, when in by_kind.get(a.kind, []):
            hit = a.score > when.above if when.above is not None else a.score < when.below
            out.append(
                Trigger(
                    playbook=pid,
                    customer_id=a.customer_id,
                    reason_key=f"anticipation:{a.kind}",
                    kind="anticipation",
                    ref=a.model_id,
                    at=a.as_of,
                    changed_at=now,
                    live=hit,
                    evidence={"anticipation": a.kind, "score": a.score, "reasons": a.reasons[:3], "as_of": a.as_of},
                )
            )
    return out


def anticipation_kinds(care: CareSection) -> list[str]:
    return sorted({p.when.anticipation for p in care.playbooks.values() if p.when.anticipation and p.enabled})


def deadlines(conn: Connection, workspace_id: str, house: HouseFile, event_now: int, now: int) -> list[Trigger]:
    """Customers still at the step before a deadline step, longer than the playbook allows."""
    care = house.care
    journeys = house.journeys.journeys if house.journeys is not None else {}
    out: list[Trigger] = []
    if care is None:
        return out
    for pid, playbook in care.playbooks.items():
        d = playbook.when.deadline
        if d is None or not playbook.enabled or d.journey not in journeys:
            continue
        steps = journeys[d.journey].steps
        target = steps.index(d.step)
        limit = int(d.hours * HOUR_MS)
        waiting = journeys_repo.positions_in_step(
            conn, workspace_id, d.journey, target - 1, entered_before=event_now - limit
        )
        for pos in waiting:
            out.append(
                Trigger(
                    playbook=pid,
                    customer_id=pos.customer_id,
                    reason_key=f"deadline:{d.journey}:{d.step}:{pos.entered_at}",
                    kind="deadline",
                    ref=d.journey,
                    at=pos.entered_at + limit,
                    changed_at=now,
                    live=True,
                    evidence={
                        "journey": d.journey,
                        "step": steps[target - 1],
                        "next_step": d.step,
                        "entered_at": pos.entered_at,
                        "hours": d.hours,
                    },
                )
            )
    return out


def schedules(
    conn: Connection, workspace_id: str, care: CareSection, now: int, done: dict[str, int], batch: int = 5_000
) -> tuple[list[Trigger], dict[str, int]]:
    """Check-ins of scheduled playbooks whose period began since the last one (`done`: playbook → period)."""
    out: list[Trigger] = []
    periods = dict(done)
    for pid, playbook in care.playbooks.items():
        s = playbook.when.schedule
        if s is None or not playbook.enabled:
            continue
        period = now // (s.every_days * DAY_MS)
        if periods.get(pid) == period:
            continue
        periods[pid] = period
        after = ""
        while ids := inputs.root_customers(conn, workspace_id, after, batch):
            after = ids[-1]
            out.extend(
                Trigger(
                    playbook=pid,
                    customer_id=cid,
                    reason_key=f"schedule:{period}",
                    kind="schedule",
                    ref=str(period),
                    at=now,
                    changed_at=now,
                    live=True,
                    evidence={"every_days": s.every_days},
                )
                for cid in ids
            )
    return out, periods


def playbook_ids(triggers: Sequence[Trigger]) -> set[str]:
    return {t.playbook for t in triggers}
