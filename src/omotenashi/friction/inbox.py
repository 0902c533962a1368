"""Signals as staff read them: the friction inbox, a customer's signals, their timeline items, all in words.

A signal shows only while the customer's consent covers what its detector needs (a withdrawal through the portal
or by staff hides their signals at once; the follower forgets them at the customer's next event).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.core.purposes import ConsentStatus
from omotenashi.friction import explain
from omotenashi.friction.registry import KINDS
from omotenashi.store import consent, cursors
from omotenashi.store import customers as customers_repo
from omotenashi.store import signals as repo

PAGE = 50


@dataclass(frozen=True)
class Shown:
    """One signal in the reader's language."""

    id: str
    customer_id: str
    kind: str
    title: str
    severity: int
    severity_label: str
    status: str
    status_label: str
    explanation: str
    first_seen: int
    last_seen: int
    resolved_at: int | None
    journey: str | None
    step: str | None
    evidence: list[int]
    user_ids: list[str]


@dataclass(frozen=True)
class InboxPage:
    rows: list[Shown]
    next_cursor: str | None
    steps: list[str]
    counts: dict[str, int]  # open signals per kind


def needs(house: HouseFile) -> dict[str, frozenset[str]]:
    """The purposes each kind of signal needs (its detector's)."""
    detectors = house.friction.detectors
    return {kind: frozenset(getattr(detectors, kind).purposes) for kind in KINDS}


def withdrawn(conn: Connection, workspace_id: str, customers: Iterable[str]) -> dict[str, set[str]]:
    """Per customer, the purposes they (any of their identifiers) withdrew."""
    customers = list(customers)
    if not customers or not consent.has_any_state(conn, workspace_id):
        return {}
    ids = customers_repo.identities_of(conn, workspace_id, customers)
    subjects: dict[str, list[str]] = {}
    for i in ids:
        if i.kind in ("user_id", "anonymous_id"):
            subjects.setdefault(i.customer_id, []).append(i.value)
    states = consent.states(conn, workspace_id, {s for subs in subjects.values() for s in subs})
    out: dict[str, set[str]] = {}
    for cid, subs in subjects.items():
        gone = {p for s in subs for p, status in states.get(s, {}).items() if status == ConsentStatus.WITHDRAWN}
        if gone:
            out[cid] = gone
    return out


def _covered(
    conn: Connection, workspace_id: str, house: HouseFile | None, found: Sequence[repo.Signal]
) -> list[repo.Signal]:
    gone = withdrawn(conn, workspace_id, {s.customer_id for s in found})
    if not gone:
        return list(found)
    need = needs(house) if house is not None else {}
    return [s for s in found if not (need.get(s.kind, frozenset({"care"})) & gone.get(s.customer_id, set()))]


def shown(conn: Connection, workspace_id: str, signals: Sequence[repo.Signal], lang: str) -> list[Shown]:
    """Signals in words."""
    users = customers_repo.user_ids_of(conn, workspace_id, {s.customer_id for s in signals})
    return [
        Shown(
            id=s.id,
            customer_id=s.customer_id,
            kind=s.kind,
            title=explain.title(s.kind, lang),
            severity=s.severity,
            severity_label=explain.severity(s.severity, lang),
            status=s.status,
            status_label=explain.status(s.status, lang),
            explanation=explain.explain(s.kind, s.details, lang, resolved=s.status == repo.RESOLVED),
            first_seen=s.first_seen,
            last_seen=s.last_seen,
            resolved_at=s.resolved_at,
            journey=s.journey,
            step=s.step,
            evidence=list(s.evidence),
            user_ids=sorted(users.get(s.customer_id, set())),
        )
        for s in signals
    ]


def encode_cursor(s: Shown) -> str:
    return f"{s.first_seen}.{s.id}"


def decode_cursor(cursor: str | None) -> tuple[int, str] | None:
    if not cursor:
        return None
    at, _, sid = cursor.partition(".")
    try:
        return int(at), sid
    except ValueError:
        return None


def inbox(
    conn: Connection,
    workspace_id: str,
    house: HouseFile,
    lang: str,
    *,
    status: str | None = repo.OPEN,
    severity: int | None = None,
    kinds: Sequence[str] = (),
    step: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE,
) -> InboxPage:
    """A page of the friction inbox, newest first."""
    query = repo.InboxQuery(
        status=status,
        severity=severity,
        kinds=[k for k in kinds if k in KINDS],
        step=step or None,
        before=decode_cursor(cursor),
        limit=limit + 1,
    )
    found = repo.inbox(conn, workspace_id, query)
    more = len(found) > limit
    rows = shown(conn, workspace_id, _covered(conn, workspace_id, house, found[:limit]), lang)
    counts = {kind: n for (kind, st), n in repo.counts(conn, workspace_id).items() if st == repo.OPEN}
    next_cursor = f"{found[limit - 1].first_seen}.{found[limit - 1].id}" if more else None
    return InboxPage(rows, next_cursor, repo.steps_with_signals(conn, workspace_id), counts)


def of_customer(
    conn: Connection, workspace_id: str, house: HouseFile, members: Sequence[str], lang: str
) -> list[Shown]:
    """The signals of one person (the customer and everyone merged into them), newest first."""
    found = repo.of_customers(conn, workspace_id, members)
    return shown(conn, workspace_id, _covered(conn, workspace_id, house, found), lang)


def timeline_items(
    conn: Connection, workspace_id: str, house: HouseFile | None, members: Sequence[str], lang: str
) -> list[Any]:
    """Signals as timeline items (kind `signal`, at the moment each was first seen)."""
    from omotenashi.memory.timeline import Item

    found = _covered(conn, workspace_id, house, repo.of_customers(conn, workspace_id, members))
    out = []
    for s in shown(conn, workspace_id, found, lang):
        out.append(
            Item(
                "signal",
                s.first_seen,
                s.id,
                f"{s.title}: {s.explanation}",
                ("care",),
                {
                    "signal_id": s.id,
                    "kind": s.kind,
                    "severity": s.severity,
                    "status": s.status,
                    "evidence": s.evidence[:10],
                },
            )
        )
    return out


def evidence_times(conn: Connection, workspace_id: str, seqs: Sequence[int]) -> dict[int, int]:
    """When each evidence event happened (events erased since are missing)."""
    return {seq: row.ts for seq, row in cursors.events_by_seq(conn, workspace_id, list(set(seqs))).items()}
