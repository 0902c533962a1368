"""Goodwill on the spot: frontline staff grant a credit, an extension, a gift or a waived fee at once, within their
own budget and their team's for the period, with a reason code; a grant worth more than the threshold waits for a
lead (another person) and holds its value meanwhile. Every grant and decision is in the ledger.

Each function runs inside one writer transaction; a refusal raises, so nothing of a refused grant is kept.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from omotenashi.config.care import CareSection
from omotenashi.config.house import HouseFile
from omotenashi.core.clock import from_epoch_ms
from omotenashi.core.errors import BadRequest, Conflict, Forbidden, NotFound
from omotenashi.store import care as care_repo
from omotenashi.store import goodwill as repo
from omotenashi.store.care import LogEntry
from omotenashi.store.goodwill import Grant
from omotenashi.store.staff import StaffMember

NOTE_LIMIT = 1000


class OverBudget(Conflict):
    """A grant would spend more than a budget has left."""

    code = "over_budget"


def period_of(ms: int, period: str, timezone: str) -> str:
    """The budget period a moment falls in, in the workspace's timezone: `2026-12`, `2026-W49`, `2026-Q4`."""
    local: datetime = from_epoch_ms(ms).astimezone(ZoneInfo(timezone))
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "quarter":
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    return f"{local.year}-{local.month:02d}"


def team_of(care: CareSection, member: StaffMember) -> str | None:
    """The first team that lists the staff member."""
    email = member.email.lower()
    return next((tid for tid, t in care.teams.items() if email in (m.lower() for m in t.members)), None)


@dataclass(frozen=True)
class Budget:
    period: str
    currency: str
    person_limit: float
    person_left: float
    team: str | None
    team_limit: float | None
    team_left: float | None
    approval_above: float


def budget(conn: Connection, workspace_id: str, house: HouseFile, member: StaffMember, now: int) -> Budget:
    """What the staff member (and their team) may still grant this period."""
    care = _care(house)
    g = care.goodwill
    period = period_of(now, g.period, house.timezone)
    team = team_of(care, member)
    team_limit = care.teams[team].goodwill_budget if team is not None and care.teams[team].goodwill_budget else None
    scopes = [f"staff:{member.id}"] + ([f"team:{team}"] if team_limit is not None else [])
    used = repo.committed(conn, workspace_id, scopes, period)
    return Budget(
        period=period,
        currency=g.currency,
        person_limit=g.per_person,
        person_left=max(0.0, g.per_person - used[scopes[0]]),
        team=team,
        team_limit=team_limit,
        team_left=None if team_limit is None else max(0.0, team_limit - used[scopes[1]]),
        approval_above=g.approval_above,
    )


def grant(
    conn: Connection,
    workspace_id: str,
    house: HouseFile,
    member: StaffMember,
    *,
    customer_id: str,
    kind: str,
    value: float,
    reason_code: str,
    note: str,
    item_id: str | None,
    now: int,
) -> Grant:
    """Grant goodwill now (or ask a lead to approve it, above the threshold), within every budget."""
    care = _care(house)
    g = care.goodwill
    if kind not in g.kinds:
        raise BadRequest(f"`{kind}` is not a goodwill gesture here", hint=f"one of: {', '.join(g.kinds)}")
    if reason_code not in g.reason_codes:
        raise BadRequest(f"unknown reason code `{reason_code}`", hint=f"one of: {', '.join(g.reason_codes)}")
    if not (value > 0) or value != value or value > 1_000_000:
        raise BadRequest(f"`{value}` is not a value to grant", hint=f"a positive amount in {g.currency}")
    value = round(value, 2)
    if len(note) > NOTE_LIMIT:
        raise BadRequest("the note is too long", hint=f"at most {NOTE_LIMIT} characters")
    if item_id is not None:
        item = care_repo.get(conn, workspace_id, item_id)
        if item is None:
            raise NotFound(f"no care item `{item_id}`")
        customer_id = item.customer_id
    period = period_of(now, g.period, house.timezone)
    team = team_of(care, member)
    person = f"staff:{member.id}"
    if not repo.commit(conn, workspace_id, person, period, value, g.per_person, now):
        left = g.per_person - repo.committed(conn, workspace_id, [person], period)[person]
        raise OverBudget(
            f"{value:.2f} {g.currency} is more than your goodwill budget has left this period ({left:.2f})",
            hint="grant less, or ask a lead",
            left=round(left, 2),
        )
    if team is not None and care.teams[team].goodwill_budget:
        scope, limit = f"team:{team}", care.teams[team].goodwill_budget
        if not repo.commit(conn, workspace_id, scope, period, value, limit, now):
            left = limit - repo.committed(conn, workspace_id, [scope], period)[scope]
            raise OverBudget(
                f"{value:.2f} {g.currency} is more than the team `{team}` has left this period ({left:.2f})",
                hint="grant less, or ask a lead",
                left=round(left, 2),
            )
    status = repo.PENDING if value > g.approval_above else repo.GRANTED
    made = Grant(
        workspace_id=workspace_id,
        id="gw_" + secrets.token_hex(8),
        customer_id=customer_id,
        item_id=item_id,
        staff_id=member.id,
        team=team,
        kind=kind,
        value=value,
        currency=g.currency,
        reason_code=reason_code,
        note=note.strip(),
        status=status,
        period=period,
        created_at=now,
        decided_by=None,
        decided_at=None,
        decision_note=None,
    )
    repo.add(conn, made)
    if item_id is not None:
        details = {"grant": made.id, "kind": kind, "value": value, "currency": g.currency, "status": status}
        care_repo.log(conn, workspace_id, [LogEntry(item_id, customer_id, now, member.id, "goodwill", details)])
    return made


def decide(
    conn: Connection,
    workspace_id: str,
    house: HouseFile,
    lead: StaffMember,
    grant_id: str,
    *,
    approve: bool,
    note: str,
    now: int,
) -> Grant:
    """Approve or reject a pending grant (never one's own); a rejection gives its value back to the budgets."""
    found = repo.get(conn, workspace_id, grant_id)
    if found is None:
        raise NotFound(f"no goodwill grant `{grant_id}`")
    if found.staff_id == lead.id:
        raise Forbidden("a grant is approved by someone other than the person who made it", hint="ask another lead")
    status = repo.APPROVED if approve else repo.REJECTED
    if not repo.decide(conn, workspace_id, grant_id, status, lead.id, now, note.strip()[:NOTE_LIMIT]):
        raise Conflict(f"the grant `{grant_id}` was decided already ({found.status})")
    if not approve:
        repo.release(conn, workspace_id, f"staff:{found.staff_id}", found.period, found.value, now)
        if found.team is not None:
            repo.release(conn, workspace_id, f"team:{found.team}", found.period, found.value, now)
    if found.item_id is not None:
        details = {"grant": grant_id, "decision": status}
        care_repo.log(
            conn, workspace_id, [LogEntry(found.item_id, found.customer_id, now, lead.id, "goodwill", details)]
        )
    decided = repo.get(conn, workspace_id, grant_id)
    assert decided is not None
    return decided


def _care(house: HouseFile) -> CareSection:
    if house.care is None:
        raise BadRequest("this workspace has no `care:` section", hint="add one to the house file (docs/care.md)")
    return house.care
