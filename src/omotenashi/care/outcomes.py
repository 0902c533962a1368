"""Did it help? Each playbook's treated customers against its randomised holdout.

An item's outcome is read once its window (`outcome.within_days` after the evidence) has passed, by event time, so a
store of past events is judged as of then: recovered when the signal behind it resolved within the window, when a
named event happened (a purchase, a renewal), or when one did not (no support contact). The report compares the
recovery rates of the two arms with Wilson intervals and Newcombe's interval for their difference (method 10 of
Newcombe 1998), which behave well for small groups and rates near 0 or 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.store import care as repo
from omotenashi.store import care_inputs as inputs
from omotenashi.store import customers as customers_repo

DAY_MS = 86_400_000
Z95 = 1.959963984540054


def read(conn: Connection, workspace_id: str, house: HouseFile, event_now: int, now: int) -> int:
    """Read the outcome of every item whose window has passed; the number read."""
    care = house.care
    if care is None:
        return 0
    total = 0
    for pid, playbook in care.playbooks.items():
        o = playbook.outcome
        window = o.within_days * DAY_MS
        items = repo.awaiting_outcome(conn, workspace_id, pid, event_now - window)
        if not items:
            continue
        signals = inputs.signal_states(conn, workspace_id, [i.trigger_ref for i in items if i.trigger_ref])
        groups = customers_repo.members_of_many(conn, workspace_id, sorted({i.customer_id for i in items}))
        for item in items:
            end = item.trigger_at + window
            if o.recovered_when == "signal_resolved":
                status, resolved_at = signals.get(item.trigger_ref or "", ("gone", None))
                ok = status == "resolved" and resolved_at is not None and resolved_at <= end
            else:
                members = groups.get(item.customer_id, [item.customer_id])
                happened = inputs.event_happened(conn, workspace_id, members, o.event or "", item.trigger_at, end)
                ok = happened if o.recovered_when == "event" else not happened
            values: dict[str, object] = {"recovered": 1 if ok else 0, "recovered_at": now}
            if item.status == repo.HELD_OUT:
                values["status"] = repo.CLOSED  # its comparison is made: the customer may get a new item
            repo.change(conn, workspace_id, item.id, **values)
            total += 1
    return total


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Arm:
    items: int
    read: int
    recovered: int

    @property
    def rate(self) -> float | None:
        return self.recovered / self.read if self.read else None


@dataclass(frozen=True)
class PlaybookOutcome:
    playbook: str
    treated: Arm
    holdout: Arm
    within_days: int
    recovered_when: str
    difference: float | None
    interval: Interval | None  # 95 % for treated − holdout

    @property
    def verdict(self) -> str:
        """helped, harmed, unclear (the interval spans 0), or too_early (an arm has no outcome yet)."""
        if self.interval is None:
            return "too_early"
        if self.interval.low > 0:
            return "helped"
        if self.interval.high < 0:
            return "harmed"
        return "unclear"


def wilson(recovered: int, n: int, z: float = Z95) -> Interval:
    """Wilson's score interval of a proportion."""
    if n == 0:
        return Interval(0.0, 1.0)
    p = recovered / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def newcombe(r1: int, n1: int, r2: int, n2: int) -> Interval:
    """Newcombe's hybrid score interval of p1 − p2."""
    p1, p2 = r1 / n1, r2 / n2
    a, b = wilson(r1, n1), wilson(r2, n2)
    d = p1 - p2
    return Interval(
        d - math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2), d + math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2)
    )


def report(conn: Connection, workspace_id: str, house: HouseFile) -> list[PlaybookOutcome]:
    """Per playbook: treated against holdout, with the difference in recovery and its 95 % interval."""
    care = house.care
    if care is None:
        return []
    counts = repo.outcome_counts(conn, workspace_id)
    out = []
    for pid, playbook in care.playbooks.items():
        t = Arm(*counts.get((pid, repo.TREATED), (0, 0, 0)))
        h = Arm(*counts.get((pid, repo.HOLDOUT), (0, 0, 0)))
        diff = interval = None
        if t.read and h.read:
            diff = t.recovered / t.read - h.recovered / h.read
            interval = newcombe(t.recovered, t.read, h.recovered, h.read)
        o = playbook.outcome
        out.append(PlaybookOutcome(pid, t, h, o.within_days, o.recovered_when, diff, interval))
    return out
