"""The care queue's work, each step one writer transaction with its line in the item's history: claim, send the
suggested message (edited), log a call, reassign with a reason (a hand-back to someone who had it counts as
ping-pong), resolve with an outcome, retry a dead letter."""

from __future__ import annotations

from sqlalchemy import Connection

from omotenashi.care import contact
from omotenashi.care import facts as facts_mod
from omotenashi.care.outbox import Outbox
from omotenashi.care.words import STAFF_OUTCOMES
from omotenashi.config.house import HouseFile
from omotenashi.core.errors import BadRequest, Conflict, Forbidden, NotFound
from omotenashi.staff.permissions import Action, allowed, require
from omotenashi.store import care as repo
from omotenashi.store import care_actions as actions_repo
from omotenashi.store import staff as staff_repo
from omotenashi.store.care import CareItem, LogEntry
from omotenashi.store.care_actions import SENT
from omotenashi.store.care_actions import Action as Delivery
from omotenashi.store.staff import StaffMember

SUBJECT_LIMIT = 200
BODY_LIMIT = 20_000
NOTE_LIMIT = 2_000


class ContactRefused(Conflict):
    """The customer's own choices say no to this contact."""

    code = "contact_refused"


def _item(conn: Connection, workspace_id: str, item_id: str) -> CareItem:
    item = repo.get(conn, workspace_id, item_id)
    if item is None:
        raise NotFound(f"no care item `{item_id}`", hint="it may have been erased with its customer")
    return item


def _workable(conn: Connection, workspace_id: str, member: StaffMember, item_id: str) -> CareItem:
    """The item, if it is in the queue and the member may work it (theirs, nobody's, or they assign care)."""
    require(member, Action.WORK_CARE)
    item = _item(conn, workspace_id, item_id)
    if item.status == repo.HELD_OUT:
        raise Conflict("this customer is in the playbook's holdout: nothing is done for them, for comparison")
    if item.status not in repo.ACTIVE:
        raise Conflict(f"the item is {item.status} already")
    if item.owner_id not in (None, member.id) and not allowed(member.role, Action.ASSIGN_CARE):
        raise Forbidden("this item belongs to someone else", hint="ask them or a lead to reassign it to you")
    return item


def workable(conn: Connection, workspace_id: str, member: StaffMember, item_id: str) -> CareItem:
    """Refuse work on an item that is over, held out, or someone else's (unless the member assigns care)."""
    return _workable(conn, workspace_id, member, item_id)


def claim(conn: Connection, workspace_id: str, member: StaffMember, item_id: str, now: int) -> CareItem:
    """Take the item: it is yours, and others see it is being worked."""
    item = _workable(conn, workspace_id, member, item_id)
    repo.change(conn, workspace_id, item.id, status=repo.CLAIMED, owner_id=member.id, updated_at=now)
    repo.log(
        conn, workspace_id, [LogEntry(item.id, item.customer_id, now, member.id, "claimed", {"owner_id": member.id})]
    )
    return _item(conn, workspace_id, item_id)


def reassign(
    conn: Connection, workspace_id: str, member: StaffMember, item_id: str, to_id: str, reason: str, now: int
) -> CareItem:
    """Give the item to someone else, saying why; handing it back to an earlier owner counts as ping-pong."""
    item = _workable(conn, workspace_id, member, item_id)
    reason = reason.strip()
    if not reason:
        raise BadRequest("say why it goes to someone else", hint="the reason is kept in the item's history")
    target = staff_repo.by_id(conn, workspace_id, to_id)
    if target is None or target.disabled_at is not None or not allowed(target.role, Action.WORK_CARE):
        raise BadRequest(f"`{to_id}` cannot work care items", hint="choose an active frontline staff member or lead")
    if target.id == item.owner_id:
        raise BadRequest("the item is theirs already")
    earlier = repo.owners_before(conn, workspace_id, item.id)
    back = target.id in earlier
    repo.change(
        conn,
        workspace_id,
        item.id,
        owner_id=target.id,
        status=repo.OPEN,
        reassignments=item.reassignments + 1,
        ping_pong=item.ping_pong + (1 if back else 0),
        updated_at=now,
    )
    details = {"owner_id": target.id, "from": item.owner_id, "reason": reason[:NOTE_LIMIT], "back": back}
    repo.log(conn, workspace_id, [LogEntry(item.id, item.customer_id, now, member.id, "reassigned", details)])
    return _item(conn, workspace_id, item_id)


def resolve(
    conn: Connection, workspace_id: str, member: StaffMember, item_id: str, outcome: str, note: str, now: int
) -> CareItem:
    """Close the item with what happened."""
    item = _workable(conn, workspace_id, member, item_id)
    if outcome not in STAFF_OUTCOMES:
        raise BadRequest(f"unknown outcome `{outcome}`", hint=f"one of: {', '.join(STAFF_OUTCOMES)}")
    repo.change(
        conn,
        workspace_id,
        item.id,
        status=repo.RESOLVED,
        outcome=outcome,
        resolved_at=now,
        resolved_by=member.id,
        owner_id=item.owner_id or member.id,
        updated_at=now,
    )
    details = {"outcome": outcome, "note": note.strip()[:NOTE_LIMIT]}
    repo.log(conn, workspace_id, [LogEntry(item.id, item.customer_id, now, member.id, "resolved", details)])
    return _item(conn, workspace_id, item_id)


def log_call(conn: Connection, workspace_id: str, member: StaffMember, item_id: str, note: str, now: int) -> None:
    """Record a call made to the customer (it counts as a proactive contact)."""
    item = _workable(conn, workspace_id, member, item_id)
    note = note.strip()
    if not note:
        raise BadRequest("say how the call went", hint="a line is enough: it is kept in the item's history")
    call = Delivery(
        workspace_id, "ca_" + _token(), item.id, item.customer_id, "call", "phone", 1, SENT,
        {"note": note[:NOTE_LIMIT]}, 1, now, None, now, member.id, now,
    )  # fmt: skip
    actions_repo.add(conn, [call])
    if item.owner_id is None:
        repo.change(conn, workspace_id, item.id, owner_id=member.id, status=repo.CLAIMED, updated_at=now)
    repo.log(conn, workspace_id, [LogEntry(item.id, item.customer_id, now, member.id, "call", {"note": note[:200]})])


def send_message(
    conn: Connection,
    workspace_id: str,
    house: HouseFile,
    outbox: Outbox,
    member: StaffMember,
    item_id: str,
    subject: str,
    body: str,
    now: int,
) -> tuple[Delivery, contact.Decision]:
    """Queue the (edited) suggested message; it goes now, or when quiet hours or the cap allow. Refused outright when
    the customer's own choices say no (consent, "don't contact me first", another channel, no address)."""
    item = _workable(conn, workspace_id, member, item_id)
    subject, body = " ".join(subject.split()), body.strip()
    if not subject or not body:
        raise BadRequest("a message needs a subject and a text")
    if len(subject) > SUBJECT_LIMIT or len(body) > BODY_LIMIT:
        raise BadRequest("the message is too long", hint=f"subject ≤ {SUBJECT_LIMIT}, text ≤ {BODY_LIMIT} characters")
    person = facts_mod.load(conn, workspace_id, house, [item.customer_id]).get(item.customer_id)
    if person is None:
        raise NotFound("the customer is no longer known")
    owner = staff_repo.by_id(conn, workspace_id, item.owner_id) if item.owner_id else member
    draft = outbox.draft(item, person, owner.name if owner else None)
    if draft is None:
        raise BadRequest("this playbook suggests no message", hint="log a call or resolve the item")
    assert house.care is not None
    sent = actions_repo.last_contact(conn, workspace_id, [item.customer_id]).get(item.customer_id, [])
    decision = contact.decide(house, house.care.caps, person, draft.purpose, now, sent)
    if decision.blocked is not None:
        raise ContactRefused(
            decision.words("en"), hint="nothing was sent; see the customer's preferences", why=decision.blocked
        )
    delivery = outbox.message(workspace_id, item, draft, subject, body + "\n", member.id, now)
    actions_repo.add(conn, [delivery])
    if item.owner_id is None or item.status == repo.OPEN:
        repo.change(
            conn, workspace_id, item.id, owner_id=item.owner_id or member.id, status=repo.CLAIMED, updated_at=now
        )
    details = {"action": delivery.id, "kind": "message", "by": member.id}
    repo.log(conn, workspace_id, [LogEntry(item.id, item.customer_id, now, member.id, "queued", details)])
    return delivery, decision


def retry(conn: Connection, workspace_id: str, member: StaffMember, action_id: str, now: int) -> None:
    """Put a dead letter back in the queue."""
    require(member, Action.WORK_CARE)
    found = actions_repo.get(conn, workspace_id, action_id)
    if found is None:
        raise NotFound(f"no action `{action_id}`")
    if not actions_repo.requeue(conn, workspace_id, action_id, now):
        raise Conflict(f"the action is {found.status}, not a dead letter")
    repo.log(
        conn,
        workspace_id,
        [LogEntry(found.item_id, found.customer_id, now, member.id, "queued", {"action": action_id, "retry": True})],
    )


def _token() -> str:
    import secrets

    return secrets.token_hex(10)
