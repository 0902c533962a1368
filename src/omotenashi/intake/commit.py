"""What happens inside the writer's transaction: suppression, dedupe, consent ledger, gate, append, counters.

It runs on the single writer's connection, so the decisions and the rows they produce commit together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from omotenashi.core.errors import Rejection
from omotenashi.core.ids import keyed_hash
from omotenashi.intake.gate import PurposeRule, kept_purposes
from omotenashi.intake.validate import Prepared
from omotenashi.store import consent, counters, events, suppressions
from omotenashi.store.recent_ids import RecentIds

_NO_STATE: dict[str, str] = {}


@dataclass(frozen=True)
class WorkspaceRules:
    """Everything the transaction needs to know about one workspace."""

    workspace_id: str
    secret: bytes
    purposes: dict[str, PurposeRule]
    recent: RecentIds | None = None  # the in-memory dedupe window of a single-writer store


@dataclass
class Outcome:
    """What became of the messages of one request or import chunk."""

    accepted: int = 0
    duplicates: int = 0
    suppressed: int = 0
    consent_changes: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    stored_positions: list[int] = field(default_factory=list)


def commit(
    conn: Connection,
    ws: WorkspaceRules,
    source_id: str,
    source_purposes: Sequence[str],
    items: Sequence[Prepared],
    rejected: Sequence[Rejection],
    now_ms: int,
    method: str = "tracker",
) -> Outcome:
    """Store what may be stored of one request; count everything else by reason."""
    out = Outcome()
    live = _drop_suppressed(conn, ws, items, out)
    live = _drop_duplicates(conn, ws, live, now_ms, out)
    receipts: list[consent.Receipt] = []
    needs_state = any(i.consent for i in live) or consent.has_any_state(conn, ws.workspace_id)
    state = _load_state(conn, ws.workspace_id, live) if needs_state else {}
    rows = []
    undeclared: Counter[str] = Counter()
    # Most customers share one consent state (often: none said yet), so the gate is asked once per state.
    verdicts: dict[tuple[tuple[str, str], ...], tuple[str, str | None]] = {}
    workspace_id = ws.workspace_id
    for item in live:
        if item.consent:
            out.consent_changes += _apply_changes(ws, source_id, item, state, receipts, method)
        merged = _merged(state, item) if state else _NO_STATE
        key = tuple(merged.items()) if merged else ()
        verdict = verdicts.get(key)
        if verdict is None:
            purposes, reason = kept_purposes(source_purposes, ws.purposes, merged)
            verdict = verdicts[key] = (",".join(purposes), reason)
        if verdict[1] is not None:
            out.refused[verdict[1]] += 1
            continue
        rows.append(_row(workspace_id, source_id, item, verdict[0]))
        if item.undeclared:
            undeclared.update(item.undeclared)
        out.stored_positions.append(item.position)
    events.append(conn, rows)
    consent.record(conn, ws.workspace_id, receipts)
    out.accepted = len(rows) + out.suppressed
    deltas = Counter({"accepted": len(rows), "duplicates": out.duplicates, "suppressed": out.suppressed})
    deltas.update({f"refused:{k}": v for k, v in out.refused.items()})
    deltas.update(Counter(f"rejected:{r.reason}" for r in rejected))
    deltas.update({f"undeclared:{name}"[:96]: n for name, n in undeclared.items()})
    counters.bump(conn, ws.workspace_id, deltas)
    counters.log_rejections(conn, ws.workspace_id, source_id, now_ms, rejected)
    return out


def _drop_suppressed(conn: Connection, ws: WorkspaceRules, items: Sequence[Prepared], out: Outcome) -> list[Prepared]:
    if not items or not suppressions.has_any(conn, ws.workspace_id):
        return list(items)
    # Many messages of a request come from the same few people: each identifier is hashed once.
    known: dict[tuple[str, str], str] = {}

    def hashed(kind: str, value: str | None) -> list[str]:
        if value is None:
            return []
        found = known.get((kind, value))
        if found is None:
            found = known[(kind, value)] = keyed_hash(ws.secret, kind, value)
        return [found]

    hashes = {id(i): hashed("user_id", i.user_id) + hashed("anonymous_id", i.anonymous_id) for i in items}
    hit = suppressions.suppressed(conn, ws.workspace_id, (h for hs in hashes.values() for h in hs))
    live = [i for i in items if not hit.intersection(hashes[id(i)])]
    out.suppressed = len(items) - len(live)
    return live


def _drop_duplicates(
    conn: Connection, ws: WorkspaceRules, items: Sequence[Prepared], now_ms: int, out: Outcome
) -> list[Prepared]:
    first: dict[int, Prepared] = {}
    for item in items:
        first.setdefault(item.fingerprint, item)
    if ws.recent is not None:
        new = ws.recent.claim(conn, ws.workspace_id, list(first), now_ms)
    else:
        new = events.claim_fingerprints(conn, ws.workspace_id, list(first), now_ms)
    live = [i for i in items if i.fingerprint in new and first[i.fingerprint] is i]
    out.duplicates = len(items) - len(live)
    return live


def _load_state(conn: Connection, workspace_id: str, items: Sequence[Prepared]) -> dict[str, dict[str, str]]:
    subjects: set[str] = set()
    for item in items:
        if item.user_id is not None:
            subjects.add(item.user_id)
        if item.anonymous_id is not None:
            subjects.add(item.anonymous_id)
    return consent.states(conn, workspace_id, subjects)


def _merged(state: dict[str, dict[str, str]], item: Prepared) -> dict[str, str]:
    anon = state.get(item.anonymous_id, {}) if item.anonymous_id is not None else {}
    user = state.get(item.user_id, {}) if item.user_id is not None else {}
    if not anon:
        return user
    return {**anon, **user}


def _apply_changes(
    ws: WorkspaceRules,
    source_id: str,
    item: Prepared,
    state: dict[str, dict[str, str]],
    receipts: list[consent.Receipt],
    method: str,
) -> int:
    subject = item.subject
    current = _merged(state, item)
    mine = state.setdefault(subject, {})
    changed = 0
    for purpose, status, how in item.consent:
        if current.get(purpose) == status and purpose in mine:
            continue
        mine[purpose] = status
        current[purpose] = status
        receipts.append(
            consent.Receipt(
                subject=subject,
                purpose=purpose,
                status=str(status),
                method=how or method,
                notice_version=ws.purposes[purpose].notice_version,
                place=source_id,
                at=item.ts,
                message_id=item.message_id,
            )
        )
        changed += 1
    return changed


def _row(workspace_id: str, source_id: str, i: Prepared, purposes: str) -> tuple[object, ...]:
    return (
        workspace_id,
        source_id,
        i.message_id,
        i.type,
        i.event,
        i.name,
        i.user_id,
        i.anonymous_id,
        i.group_id,
        i.previous_id,
        i.ts,
        i.received_at,
        i.sent_at,
        i.original_ts,
        purposes,
        i.flags,
        i.properties,
        i.traits,
        i.context,
        i.integrations,
    )
