"""A person's consent, purpose by purpose: what they chose, what it means, and changing it (as easy to withdraw as
to grant). Every change is a receipt: purpose, status, method, notice version, where, when."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.core.errors import BadRequest
from omotenashi.core.purposes import ConsentMethod, ConsentStatus, Mechanism
from omotenashi.intake.gate import PurposeRule, allowed
from omotenashi.memory.profile import resolve_customer
from omotenashi.store import consent
from omotenashi.store import customers as repo


@dataclass(frozen=True)
class PurposeConsent:
    purpose: str
    mechanism: Mechanism
    status: str | None  # what the person said, None when they never did
    effective: bool  # whether their events are kept for it now
    changeable: bool  # notice-only purposes need no consent and cannot be switched off
    last: consent.Receipt | None


def subjects_of(conn: Connection, workspace_id: str, members: list[str]) -> list[str]:
    """The identifiers consent is recorded under: userIds first, then anonymous ids."""
    ids = repo.identities_of(conn, workspace_id, members)
    users = sorted(i.value for i in ids if i.kind == "user_id")
    anons = sorted(i.value for i in ids if i.kind == "anonymous_id")
    return users + anons


def view(conn: Connection, workspace_id: str, customer_id: str, house: HouseFile) -> list[PurposeConsent]:
    """Each purpose with the person's latest choice and its effect."""
    _, members = resolve_customer(conn, workspace_id, customer_id)
    receipts = consent.receipts_for(conn, workspace_id, subjects_of(conn, workspace_id, members), None, 10_000)
    latest: dict[str, consent.Receipt] = {}
    for r in receipts:  # newest first
        latest.setdefault(r.purpose, r)
    out = []
    for pid, p in house.purposes.items():
        last = latest.get(pid)
        status = last.status if last else None
        out.append(
            PurposeConsent(
                purpose=pid,
                mechanism=p.mechanism,
                status=status,
                effective=allowed(PurposeRule(p.mechanism, p.notice_version), status),
                changeable=p.mechanism is not Mechanism.NOTICE_ONLY,
                last=last,
            )
        )
    return out


def change(
    conn: Connection,
    workspace_id: str,
    customer_id: str,
    house: HouseFile,
    purpose: str,
    granted: bool,
    method: ConsentMethod,
    place: str,
    now_ms: int,
) -> consent.Receipt | None:
    """Grant or withdraw one purpose for every identifier of the person; the receipt, or None if nothing changed."""
    declared = house.purposes.get(purpose)
    if declared is None:
        raise BadRequest(f"unknown purpose `{purpose}`", hint=f"one of: {', '.join(house.purposes)}")
    if declared.mechanism is Mechanism.NOTICE_ONLY:
        raise BadRequest(
            f"`{purpose}` needs no consent: it is what delivers the service you asked for",
            hint="to stop it, close the account or erase your data",
        )
    _, members = resolve_customer(conn, workspace_id, customer_id)
    subjects = subjects_of(conn, workspace_id, members)
    if not subjects:
        raise BadRequest("this customer has no identifier to record consent under")
    status = ConsentStatus.GRANTED if granted else ConsentStatus.WITHDRAWN
    current = next((p for p in view(conn, workspace_id, customer_id, house) if p.purpose == purpose), None)
    if current is not None and current.status == status:
        return None
    receipt = consent.Receipt(
        subject=subjects[0],
        purpose=purpose,
        status=status.value,
        method=method.value,
        notice_version=declared.notice_version,
        place=place,
        at=now_ms,
    )
    consent.record(conn, workspace_id, [receipt])
    consent.set_state(conn, workspace_id, subjects, purpose, status.value, now_ms)
    return receipt
