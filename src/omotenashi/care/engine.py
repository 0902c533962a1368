"""Playbooks at work: triggers become care items with an owner, a due time and suggested actions.

One item per customer and reason while it is not over: new evidence updates it, never duplicates it. A customer in a
playbook's holdout gets an item that nobody works and that sends nothing (`held_out`), so the outcome of those who
were helped can be compared with theirs. An item whose friction ended before anyone touched it closes by itself.
Everything runs inside the writer's transaction it is given: an evaluation is all or nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from omotenashi.care import facts as facts_mod
from omotenashi.care import holdout
from omotenashi.care.conditions import matches
from omotenashi.care.facts import Facts
from omotenashi.care.outbox import MESSAGE, Outbox
from omotenashi.care.routing import Router
from omotenashi.care.triggers import REACH, Trigger
from omotenashi.config.care import PRIORITIES, CareSection, OwnerSection
from omotenashi.config.house import HouseFile
from omotenashi.store import care as repo
from omotenashi.store import care_actions as actions_repo
from omotenashi.store import staff as staff_repo
from omotenashi.store.care import CareItem, LogEntry

DAY_MS = 86_400_000
SYSTEM = "system"


@dataclass
class Applied:
    """What one evaluation did."""

    created: int = 0
    held_out: int = 0
    updated: int = 0
    closed: int = 0
    skipped: int = 0
    actions: int = 0
    items: list[str] = field(default_factory=list, repr=False)

    def add(self, other: Applied) -> None:
        for name in ("created", "held_out", "updated", "closed", "skipped", "actions"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.items.extend(other.items)


class Engine:
    """Turns a workspace's triggers into care items."""

    def __init__(self, house: HouseFile, secret: bytes, outbox: Outbox) -> None:
        assert house.care is not None
        self.house = house
        self.care: CareSection = house.care
        self.secret = secret
        self.outbox = outbox

    def apply(self, conn: Connection, workspace_id: str, triggers: Sequence[Trigger], now: int) -> Applied:
        """Create or update the items these triggers ask for."""
        done = Applied()
        if not triggers:
            return done
        roots = facts_mod.roots(conn, workspace_id, {t.customer_id for t in triggers})
        latest: dict[tuple[str, str, str], Trigger] = {}
        for t in triggers:
            key = (roots.get(t.customer_id, t.customer_id), t.playbook, t.reason_key)
            if key not in latest or t.changed_at >= latest[key].changed_at:
                latest[key] = t
        live = repo.live_items(conn, workspace_id, latest)
        wanted = [k for k, t in latest.items() if k not in live and t.live]
        ended = repo.ended_items(conn, workspace_id, wanted)
        # Facts are read only for customers who may get a new item: new evidence on an open item needs none.
        fresh = {k[0] for k in wanted if not self._too_soon(k, latest[k], ended, now)}
        people = facts_mod.load(conn, workspace_id, self.house, sorted(fresh)) if fresh else {}
        router = Router(conn, workspace_id, self.care, now)
        logs: list[LogEntry] = []
        new: list[CareItem] = []
        for key, t in latest.items():
            item = live.get(key)
            if item is not None:
                self._update(conn, workspace_id, item, t, now, logs, done)
                continue
            person = people.get(key[0])
            if not t.live or person is None or self._too_soon(key, t, ended, now):
                done.skipped += 1
                continue
            made = self._new(workspace_id, key[0], t, person, router, now, logs)
            if made is None:
                done.skipped += 1
                continue
            new.append(made)
            done.items.append(made.id)
            if made.arm == repo.HOLDOUT:
                done.held_out += 1
            else:
                done.created += 1
        repo.add_items(conn, new)
        owners = {m.id: m.name for m in staff_repo.list_staff(conn, workspace_id)} if new else {}
        for made in new:
            if made.arm == repo.TREATED:
                owner = owners.get(made.owner_id) if made.owner_id is not None else None
                queued = self.outbox.on_new_item(workspace_id, made, people[made.customer_id], now, owner)
                actions_repo.add(conn, queued)
                done.actions += len(queued)
                logs.extend(
                    LogEntry(made.id, made.customer_id, now, SYSTEM, "queued", {"action": a.id, "kind": a.kind})
                    for a in queued
                )
                sent = any(a.kind == MESSAGE for a in queued)
                blanks = () if sent else self.outbox.held_back(made, people[made.customer_id], owner)
                if blanks:
                    held = {"why": "blank", "blanks": list(blanks)}
                    logs.append(LogEntry(made.id, made.customer_id, now, SYSTEM, "not_sent", held))
        repo.log(conn, workspace_id, logs)
        return done

    def _too_soon(
        self, key: tuple[str, str, str], t: Trigger, ended: dict[tuple[str, str, str], CareItem], now: int
    ) -> bool:
        """An item for the same reason is over: a signal must have new evidence since; anything else waits out the
        playbook's outcome window (a daily score must not reopen what staff just closed)."""
        last = ended.get(key)
        if last is None:
            return False
        if t.kind == "signal":
            return int(t.evidence.get("last_seen") or 0) <= int(last.evidence.get("last_seen") or 0)
        playbook = self.care.playbooks.get(t.playbook)
        days = playbook.outcome.within_days if playbook is not None else 1
        return now - last.updated_at < days * DAY_MS

    def _new(
        self, workspace_id: str, root: str, t: Trigger, person: Facts, router: Router, now: int, logs: list[LogEntry]
    ) -> CareItem | None:
        if t.playbook == REACH:
            rule, purpose, share = OwnerSection(team=self.care.reach_a_person.team), "service", 0.0
            priority, due = 0, now + self.care.reach_a_person.due_minutes * 60_000
        else:
            playbook = self.care.playbooks.get(t.playbook)
            if playbook is None or not playbook.enabled or not matches(playbook.who, person):
                return None
            rule, purpose = playbook.then.owner, playbook.then.purpose
            share = self.care.holdout_share if playbook.holdout_share is None else playbook.holdout_share
            priority, due = PRIORITIES.index(playbook.then.priority), now + int(playbook.then.due_hours * 3_600_000)
        if not person.allows(self.house, purpose):
            return None  # they do not want care of this kind: no item, no action
        arm = holdout.arm(self.secret, t.playbook, root, share)
        owner = router.assign(rule, person) if arm == repo.TREATED else None
        item = CareItem(
            workspace_id=workspace_id,
            id="ci_" + secrets.token_hex(10),
            customer_id=root,
            playbook=t.playbook,
            reason_key=t.reason_key[:200],
            trigger=t.kind,
            trigger_ref=t.ref,
            trigger_at=t.at,
            arm=arm,
            status=repo.OPEN if arm == repo.TREATED else repo.HELD_OUT,
            priority=priority,
            team=owner.team if owner else self.care.team_of(rule.team),
            owner_id=owner.staff_id if owner else None,
            due_at=due,
            created_at=now,
            updated_at=now,
            evidence=t.evidence,
            reassignments=0,
            ping_pong=0,
            resolved_at=None,
            resolved_by=None,
            outcome=None,
            recovered=None,
            recovered_at=None,
        )
        details: dict[str, Any] = {"arm": arm, "trigger": t.kind, "ref": t.ref}
        logs.append(LogEntry(item.id, root, now, SYSTEM, "created", details))
        if owner is not None and owner.staff_id is not None:
            logs.append(
                LogEntry(item.id, root, now, SYSTEM, "assigned", {"owner_id": owner.staff_id, "how": owner.how})
            )
        return item

    def _update(
        self, conn: Connection, wid: str, item: CareItem, t: Trigger, now: int, logs: list[LogEntry], done: Applied
    ) -> None:
        if t.evidence == item.evidence:
            return
        values: dict[str, Any] = {"evidence": t.evidence, "updated_at": now}
        ended = not t.live and item.trigger == "signal"
        untouched = (
            item.status == repo.OPEN and not actions_repo.of_item(conn, wid, item.id) and item.reassignments == 0
        )
        if ended and item.arm == repo.TREATED and untouched:
            values.update(status=repo.CLOSED, outcome="recovered_on_their_own", resolved_at=now, resolved_by=SYSTEM)
            logs.append(LogEntry(item.id, item.customer_id, now, SYSTEM, "closed", {"why": "friction_ended"}))
            done.closed += 1
        else:
            what = "friction_ended" if ended else "updated"
            logs.append(LogEntry(item.id, item.customer_id, now, SYSTEM, what, {"ref": t.ref}))
            done.updated += 1
        repo.change(conn, wid, item.id, **values)
