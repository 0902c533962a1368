"""Erasure: the person leaves the event log and every derived table; what the law requires is kept, separated
from them; their identifiers are suppressed by keyed hash so later events are dropped at intake; they get a
receipt. Each step commits with the journal, so an erasure killed half-way resumes and completes on restart.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.core.errors import Conflict, NotFound
from omotenashi.core.ids import keyed_hash
from omotenashi.memory.consumer import MemoryConsumer
from omotenashi.memory.profile import resolve_customer
from omotenashi.store import cursors, goodwill, rights, suppressions
from omotenashi.store import customers as customers_repo
from omotenashi.store import erasure as sql

STEPS = ("suppress", "events", "derived", "consent", "customers", "requests", "done")


def pseudonym_for(request_id: str) -> str:
    """What kept records carry instead of the person: the erasure, not the customer."""
    return f"erased:{request_id}"


def plan(conn: Connection, workspace_id: str, customer_id: str, memory: MemoryConsumer) -> dict[str, Any]:
    """Who exactly is erased: every record merged into the person, and every identifier they were known by."""
    root, members = resolve_customer(conn, workspace_id, customer_id)
    identities = customers_repo.identities_of(conn, workspace_id, members)
    hashes = []
    for ident in identities:
        spec = memory.identifiers.get(ident.kind)
        stored_hashed = spec is not None and spec.store_as == "keyed_hash"
        hashes.append(ident.value if stored_hashed else keyed_hash(memory.secret, ident.kind, ident.value))
    plain = [i.value for i in identities if i.kind in ("user_id", "anonymous_id")]
    return {"root": root, "members": members, "identifiers": plain, "hashes": sorted(set(hashes)), "step": 0}


def person_event_seqs(conn: Connection, workspace_id: str, members: list[str], identifiers: list[str]) -> list[int]:
    """Every stored event of the person: those client memory attributed to them, and those after its cursor that
    carry one of their identifiers."""
    attributed = cursors.position(conn, workspace_id, MemoryConsumer.name)
    return sql.event_seqs(conn, workspace_id, members, identifiers, attributed)


def _kept_reason(house: HouseFile, kind: str, event: str | None) -> Any:
    dm = house.data_map
    if dm is None:
        return None
    entry = dm.events.get(event or "") if kind == "track" else (dm.pages if kind == "page" else None)
    reason = entry.kept_after_erasure if entry is not None else None
    return reason or (dm.defaults.kept_after_erasure if entry is not None else None)


def _kept_properties(
    conn: Connection, workspace_id: str, house: HouseFile, seqs: list[int], names: dict[int, tuple[str, str | None]]
) -> dict[int, str | None]:
    """Kept events keep only the properties the data map declares for them: nothing else about the person."""
    dm = house.data_map
    out: dict[int, str | None] = {}
    for seq, raw in sql.properties_of(conn, workspace_id, seqs).items():
        kind, event = names[seq]
        entry = (dm.events.get(event or "") if kind == "track" else dm.pages) if dm else None
        declared = set(entry.properties) if entry is not None else set()
        try:
            props = json.loads(raw) if raw else {}
        except ValueError:
            props = {}
        kept = {k: v for k, v in props.items() if k in declared} if isinstance(props, dict) else {}
        out[seq] = json.dumps(kept, ensure_ascii=False) if kept else None
    return out


def run_step(conn: Connection, workspace_id: str, request_id: str, house: HouseFile, now_ms: int) -> bool:
    """Run the next step of an erasure in this transaction; False once it is complete."""
    return bool(run_steps(conn, workspace_id, [request_id], house, now_ms))


def run_steps(
    conn: Connection,
    workspace_id: str,
    request_ids: Sequence[str],
    house: HouseFile,
    now_ms: int,
    mail_folders: Mapping[str, Path] | None = None,
) -> list[str]:
    """Run the next step of each erasure in this transaction; the ones not yet complete (`mail_folders`: the
    workspace's folder channels and where they write, whose messages to the person are deleted too)."""
    found = rights.get_many(conn, workspace_id, request_ids)
    journals: dict[str, dict[str, Any]] = {}
    for rid in request_ids:
        req = found.get(rid)
        if req is None or req.progress is None:
            raise NotFound(f"no erasure `{rid}`")
        journals[rid] = dict(req.progress)
    # The events client memory has not attributed yet are looked up once for all at the "events" step.
    identifiers = [i for p in journals.values() if STEPS[p["step"]] == "events" for i in p["identifiers"]]
    attributed = cursors.position(conn, workspace_id, MemoryConsumer.name)
    tail = sql.tail_seqs(conn, workspace_id, identifiers, attributed) if identifiers else {}
    under_way: dict[str, dict[str, Any]] = {}
    for rid, journal in journals.items():
        progress = _step(conn, workspace_id, rid, journal, house, now_ms, tail, mail_folders or {})
        if progress is not None:
            under_way[rid] = progress
    rights.save_progress(conn, workspace_id, under_way)
    return list(under_way)


def _step(
    conn: Connection,
    workspace_id: str,
    request_id: str,
    progress: dict[str, Any],
    house: HouseFile,
    now_ms: int,
    tail: dict[str, set[int]],
    mail_folders: Mapping[str, Path],
) -> dict[str, Any] | None:
    """One step of one erasure; its journal afterwards, or None once it is complete (receipt written)."""
    step = STEPS[progress["step"]]
    members: list[str] = progress["members"]
    identifiers: list[str] = progress["identifiers"]
    pseudonym = pseudonym_for(request_id)
    removed: Counter[str] = Counter(progress.get("removed", {}))
    if step == "suppress":
        for h in progress["hashes"]:
            suppressions.add(conn, workspace_id, h, f"erasure {request_id}", now_ms)
    elif step == "events":
        seqs = sql.attributed_seqs(conn, workspace_id, members, {i: tail.get(i, set()) for i in identifiers})
        names = sql.event_names(conn, workspace_id, seqs)
        kept: dict[str, dict[str, Any]] = {}
        keep_seqs, drop_seqs = [], []
        for seq in seqs:
            kind, event = names[seq]
            reason = _kept_reason(house, kind, event)
            if reason is None:
                drop_seqs.append(seq)
            else:
                keep_seqs.append(seq)
                entry = kept.setdefault(event or kind, {"count": 0, "why": reason.model_dump()})
                entry["count"] += 1
        removed["events"] += sql.delete_events(conn, workspace_id, drop_seqs)
        sql.separate_events(conn, workspace_id, keep_seqs, pseudonym)
        sql.set_properties(conn, workspace_id, _kept_properties(conn, workspace_id, house, keep_seqs, names))
        progress["kept"] = kept
    elif step == "derived":
        # Messages a folder channel wrote for the person (trials, the demo) go with the actions that sent them.
        removed["messages_in_folders"] += _delete_mail_files(conn, workspace_id, members, mail_folders)
        removed.update(sql.delete_by_customer(conn, workspace_id, members))
        removed["notes"] += sql.delete_notes(conn, workspace_id, members)
        # The goodwill ledger keeps every grant (budgets and audit need them), no longer saying whose it was.
        removed["goodwill_grants_unlinked"] += goodwill.forget_customers(conn, workspace_id, members)
        removed.update(sql.delete_links_between_customers(conn, workspace_id, members))
    elif step == "consent":
        removed.update(sql.delete_consent(conn, workspace_id, identifiers))
    elif step == "customers":
        removed["customers"] += sql.delete_customers(conn, workspace_id, members)
    elif step == "requests":
        sql.separate_requests(conn, workspace_id, members, pseudonym)
    progress["removed"] = dict(removed)
    progress["step"] += 1
    if STEPS[progress["step"]] == "done":
        receipt = {
            "request": request_id,
            "erased_at": now_ms,
            "reference": pseudonym,
            "removed": {k: v for k, v in sorted(removed.items()) if v},
            "kept": progress.get("kept", {}),
            "suppressed_identifiers": len(progress["hashes"]),
        }
        rights.change(
            conn,
            workspace_id,
            request_id,
            progress=None,
            status="completed",
            completed_at=now_ms,
            receipt=receipt,
            outcome="erased",
            customer_id=pseudonym,
            identity=None,
        )
        return None
    return progress


def _delete_mail_files(
    conn: Connection, workspace_id: str, members: Sequence[str], mail_folders: Mapping[str, Path]
) -> int:
    """Delete the `.eml` files folder channels wrote for these customers; how many there were."""
    deleted = 0
    for channel, folder in mail_folders.items():
        for action in sql.action_ids(conn, workspace_id, members, channel):
            path = folder / f"{action}.eml"
            if path.is_file():
                path.unlink()
                deleted += 1
    return deleted


def start(
    conn: Connection,
    workspace_id: str,
    customer_id: str,
    memory: MemoryConsumer,
    *,
    via: str,
    now_ms: int,
    staff_id: str | None = None,
    request_id: str | None = None,
    due_at: int | None = None,
) -> str:
    """Record an erasure request with its plan; the steps then run one transaction each."""
    if not customers_repo.exists(conn, workspace_id, customer_id):
        raise NotFound(f"no customer `{customer_id}` in this workspace", hint="they may already be erased")
    progress = plan(conn, workspace_id, customer_id, memory)
    rid = request_id or "r_" + secrets.token_hex(8)
    existing = rights.get(conn, workspace_id, rid) if request_id else None
    if existing is not None:
        if existing.status == "completed":
            raise Conflict(f"request `{rid}` is already completed")
        rights.change(conn, workspace_id, rid, progress=progress, status="in_progress", customer_id=progress["root"])
        return rid
    rights.add(
        conn,
        workspace_id,
        rights.RightsRequest(
            id=rid,
            kind="erase",
            customer_id=progress["root"],
            identity=None,
            via=via,
            received_at=now_ms,
            due_at=due_at or now_ms + 30 * 86_400_000,
            verification="verified",
            status="in_progress",
            progress=progress,
            outcome=None,
            receipt=None,
            staff_id=staff_id,
            completed_at=None,
        ),
    )
    return rid


def finish(
    call: Callable[[Callable[[Connection], list[str]]], list[str]],
    workspace_id: str,
    request_ids: Sequence[str],
    house: HouseFile,
    now: Callable[[], int],
    mail_folders: Mapping[str, Path] | None = None,
) -> None:
    """Run the remaining steps of one erasure or of a batch: each step for the whole batch in one committed
    transaction, so a batch costs a handful of commits, and a stop between two leaves each person's journal
    pointing at their next step."""
    pending = list(request_ids)
    while pending:
        pending = call(
            partial(
                _steps_now,
                workspace_id=workspace_id,
                request_ids=pending,
                house=house,
                now=now,
                mail_folders=mail_folders or {},
            )
        )


def _steps_now(
    conn: Connection,
    *,
    workspace_id: str,
    request_ids: list[str],
    house: HouseFile,
    now: Callable[[], int],
    mail_folders: Mapping[str, Path],
) -> list[str]:
    return run_steps(conn, workspace_id, request_ids, house, now(), mail_folders)
