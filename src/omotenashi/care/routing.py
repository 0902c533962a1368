"""Who owns a new care item: the customer's account owner when the playbook names the trait that holds them, else a
member of the playbook's team, in turn (round robin) or the one with the fewest open items (least loaded). Only
active staff members receive items; a team with none leaves the item in the team's unassigned queue."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from omotenashi.care.facts import Facts
from omotenashi.config.care import CareSection, OwnerSection
from omotenashi.store import care as repo
from omotenashi.store import staff as staff_repo
from omotenashi.store.staff import StaffMember


@dataclass(frozen=True)
class Owner:
    team: str | None
    staff_id: str | None
    how: str  # account_owner, round_robin, least_loaded, unassigned


class Router:
    """Assigns owners within one evaluation (it remembers turns and loads it handed out)."""

    def __init__(self, conn: Connection, workspace_id: str, care: CareSection, now: int) -> None:
        self.conn, self.workspace_id, self.care, self.now = conn, workspace_id, care, now
        active = [m for m in staff_repo.list_staff(conn, workspace_id) if m.disabled_at is None]
        self.by_email: dict[str, StaffMember] = {m.email.lower(): m for m in active}
        self._load: dict[str, int] | None = None

    def members(self, team: str) -> list[StaffMember]:
        """The team's active members, in the order the house file lists them."""
        spec = self.care.teams.get(team)
        if spec is None:
            return []
        return [self.by_email[e.lower()] for e in spec.members if e.lower() in self.by_email]

    def assign(self, rule: OwnerSection, facts: Facts | None, team_override: str | None = None) -> Owner:
        """The owner of a new item under `rule`."""
        team = self.care.team_of(team_override or rule.team)
        if rule.account_owner_trait and facts is not None:
            named = facts.traits.get(rule.account_owner_trait)
            member = self.by_email.get(named.lower()) if isinstance(named, str) else None
            if member is not None:
                self._count(member.id)
                return Owner(team, member.id, "account_owner")
        if team is None:
            return Owner(None, None, "unassigned")
        members = self.members(team)
        if not members:
            return Owner(team, None, "unassigned")
        if self.care.teams[team].routing == "round_robin":
            key = f"turn:{team}"
            turn = int(repo.get_state(self.conn, self.workspace_id, key, 0) or 0)
            chosen = members[turn % len(members)]
            repo.set_state(self.conn, self.workspace_id, key, (turn + 1) % len(members), self.now)
            self._count(chosen.id)
            return Owner(team, chosen.id, "round_robin")
        load = self.loads([m.id for m in members])
        chosen = min(members, key=lambda m: (load.get(m.id, 0), members.index(m)))
        self._count(chosen.id)
        return Owner(team, chosen.id, "least_loaded")

    def loads(self, staff_ids: list[str]) -> dict[str, int]:
        if self._load is None:
            everyone = [m.id for m in self.by_email.values()]
            self._load = repo.open_load(self.conn, self.workspace_id, everyone)
        return {s: self._load.get(s, 0) for s in staff_ids}

    def _count(self, staff_id: str) -> None:
        if self._load is not None:
            self._load[staff_id] = self._load.get(staff_id, 0) + 1
