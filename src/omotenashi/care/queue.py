"""The care queue as staff read it: lists (mine, my team's, unassigned, overdue, held out, done) and one item with
everything needed to act — why it exists, who the customer is and how they like to be reached, whether a message
may go now, the suggested message in their language, the suggested goodwill, the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from omotenashi.care import contact, goodwill
from omotenashi.care import facts as facts_mod
from omotenashi.care.facts import Facts
from omotenashi.care.outbox import Draft, Outbox
from omotenashi.care.words import (
    STAFF_OUTCOMES,
    history_label,
    item_title,
    outcome_label,
    priority_label,
    reason_words,
    status_label,
)
from omotenashi.config.house import HouseFile
from omotenashi.i18n import translator
from omotenashi.store import care as repo
from omotenashi.store import care_actions as actions_repo
from omotenashi.store import goodwill as goodwill_repo
from omotenashi.store import staff as staff_repo
from omotenashi.store.care import CareItem
from omotenashi.store.staff import StaffMember

VIEWS = ("mine", "team", "unassigned", "overdue", "open", "held_out", "done")


@dataclass(frozen=True)
class Row:
    item: CareItem
    title: str
    reason: str
    customer: str
    owner: str | None
    priority: str
    status: str
    overdue: bool


def _filter(view: str, member: StaffMember, team: str | None, now: int) -> repo.QueueFilter:
    if view == "mine":
        return repo.QueueFilter(owner_id=member.id)
    if view == "team":
        return repo.QueueFilter(team=team) if team else repo.QueueFilter(owner_id=member.id)
    if view == "unassigned":
        return repo.QueueFilter(unassigned=True)
    if view == "overdue":
        return repo.QueueFilter(overdue_at=now)
    if view == "held_out":
        return repo.QueueFilter(statuses=(repo.HELD_OUT,))
    if view == "done":
        return repo.QueueFilter(statuses=(repo.RESOLVED, repo.CLOSED))
    return repo.QueueFilter()


def rows(
    conn: Connection,
    workspace_id: str,
    house: HouseFile,
    member: StaffMember,
    view: str,
    lang: str,
    now: int,
    limit: int = 200,
) -> list[Row]:
    """A view of the queue, most urgent first (at most `limit` items)."""
    assert house.care is not None
    team = goodwill.team_of(house.care, member)
    items = repo.queue(conn, workspace_id, _filter(view, member, team, now), limit=limit)
    return words(conn, workspace_id, house, items, lang, now)


def words(
    conn: Connection, workspace_id: str, house: HouseFile, items: list[CareItem], lang: str, now: int
) -> list[Row]:
    people = facts_mod.load(conn, workspace_id, house, sorted({i.customer_id for i in items})) if items else {}
    staff = {m.id: m.name for m in staff_repo.list_staff(conn, workspace_id)}
    return [
        Row(
            item=i,
            title=item_title(house, i.playbook, lang),
            reason=reason_words(i, lang),
            customer=(people[i.customer_id].name if i.customer_id in people else None) or i.customer_id,
            owner=staff.get(i.owner_id or ""),
            priority=priority_label(i.priority, lang),
            status=status_label(i.status, lang),
            overdue=i.status in repo.ACTIVE and i.due_at < now,
        )
        for i in items
    ]


@dataclass
class ItemView:
    row: Row
    person: Facts
    owner: StaffMember | None
    may_message: contact.Decision
    draft: Draft | None
    fix: str | None
    offer: dict[str, Any] | None
    budget: goodwill.Budget | None
    grants: list[goodwill_repo.Grant]
    actions: list[actions_repo.Action]
    history: list[tuple[int, str, str, dict[str, Any]]]
    teammates: list[StaffMember]
    outcomes: list[tuple[str, str]]
    consent: bool
    extra: dict[str, Any] = field(default_factory=dict)


def item_view(
    conn: Connection,
    workspace_id: str,
    house: HouseFile,
    outbox: Outbox,
    member: StaffMember,
    item: CareItem,
    lang: str,
    now: int,
) -> ItemView:
    """Everything the item's page shows."""
    care = house.care
    assert care is not None
    [row] = words(conn, workspace_id, house, [item], lang, now)
    person = facts_mod.load(conn, workspace_id, house, [item.customer_id])[item.customer_id]
    owner = staff_repo.by_id(conn, workspace_id, item.owner_id) if item.owner_id else None
    draft = outbox.draft(item, person, (owner or member).name)
    playbook = care.playbooks.get(item.playbook)
    purpose = playbook.then.purpose if playbook is not None else "service"
    sent = actions_repo.last_contact(conn, workspace_id, [item.customer_id]).get(item.customer_id, [])
    decision = contact.decide(house, care.caps, person, draft.purpose if draft else purpose, now, sent)
    fix = None
    offer = None
    if playbook is not None:
        if playbook.then.fix:
            fix = playbook.then.fix.get(lang) or next(iter(playbook.then.fix.values()))
        if playbook.then.goodwill is not None:
            g = playbook.then.goodwill
            offer = {"kind": g.kind, "value": g.value, "reason": g.reason}
    staff = {m.id: m for m in staff_repo.list_staff(conn, workspace_id)}
    history = [
        (e.at, history_label(e.what, lang), (staff[e.actor].name if e.actor in staff else e.actor), _said(e, lang))
        for e in repo.log_of(conn, workspace_id, item.id)
    ]
    teammates = [
        m
        for m in staff.values()
        if m.disabled_at is None and m.role in ("frontline", "lead", "admin") and m.id != item.owner_id
    ]
    return ItemView(
        row=row,
        person=person,
        owner=owner,
        may_message=decision,
        draft=draft,
        fix=fix,
        offer=offer,
        budget=goodwill.budget(conn, workspace_id, house, member, now),
        grants=goodwill_repo.ledger(conn, workspace_id, item_id=item.id),
        actions=actions_repo.of_item(conn, workspace_id, item.id),
        history=history,
        teammates=sorted(teammates, key=lambda m: m.name),
        outcomes=[(o, outcome_label(o, lang)) for o in STAFF_OUTCOMES],
        consent=person.allows(house, purpose),
    )


def _said(entry: repo.LogEntry, lang: str) -> dict[str, Any]:
    """An entry's details as the history shows them: why a message did not go (or waited) in words, not codes."""
    details = dict(entry.details)
    why = details.get("why")
    if isinstance(why, str) and why in contact.BLOCKED:
        details["why"] = contact.Decision(blocked=why).words(lang)
    elif isinstance(why, str) and why in contact.WAITED:
        details["why"] = translator(lang)(contact.WAITED[why])
    return details
