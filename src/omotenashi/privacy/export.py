"""Everything held about a person, as JSON and CSV in one zip: what the portal's download and `privacy export`
hand over."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection

from omotenashi.core.clock import iso
from omotenashi.memory.profile import load_profile
from omotenashi.store import access, anticipations, consent, cursors, journeys, notes, signals
from omotenashi.store import customers as repo

EVENT_FIELDS = (
    "seq",
    "type",
    "event",
    "name",
    "user_id",
    "anonymous_id",
    "ts",
    "source_id",
    "purposes",
    "properties",
    "traits",
    "context",
)


def _events(
    conn: Connection, workspace_id: str, members: list[str], identifiers: list[str]
) -> Iterator[dict[str, Any]]:
    from omotenashi.privacy.erasure import person_event_seqs

    seqs = person_event_seqs(conn, workspace_id, members, identifiers)
    for start in range(0, len(seqs), 2_000):
        rows = cursors.events_by_seq(conn, workspace_id, seqs[start : start + 2_000])
        for seq in seqs[start : start + 2_000]:
            row = rows.get(seq)
            if row is None:
                continue
            yield {
                "seq": row.seq,
                "type": row.type,
                "event": row.event,
                "name": row.name,
                "user_id": row.user_id,
                "anonymous_id": row.anonymous_id,
                "ts": iso(row.ts),
                "source_id": row.source_id,
                "purposes": row.purposes,
                "properties": json.loads(row.properties) if row.properties else None,
                "traits": json.loads(row.traits) if row.traits else None,
                "context": json.loads(row.context) if row.context else None,
            }


def gather(conn: Connection, workspace_id: str, customer_id: str, hashed_kinds: set[str]) -> dict[str, Any]:
    """Everything about a person except their events (which can be many; see `write_zip`)."""
    p = load_profile(conn, workspace_id, customer_id)
    subjects = [i.value for i in p.identities if i.kind in ("user_id", "anonymous_id")]
    return {
        "customer_id": p.customer_id,
        "records_merged": p.members,
        "identifiers": [
            {
                "kind": i.kind,
                "value": None if i.kind in hashed_kinds else i.value,
                "kept_as": "keyed hash (we can recognise it, not read it)" if i.kind in hashed_kinds else "clear",
                "first_seen": iso(i.first_at),
                "source": i.source_id,
            }
            for i in p.identities
        ],
        "traits": [
            {
                "name": v.name,
                "value": v.value,
                "origin": v.origin,
                "source": v.source_id,
                "at": iso(v.at),
                "purposes": list(v.purposes),
                "reason": v.reason,
            }
            for t in p.traits.values()
            for v in t.history
        ],
        "preferences": [
            {
                "name": r.name,
                "value": r.value,
                "origin": r.origin,
                "source": r.source_id,
                "at": iso(r.at),
                "reason": r.reason,
            }
            for r in p.preferences.values()
        ],
        "notes": [
            {"body": n.body, "at": iso(n.created_at), "purpose": n.purpose, "author": n.author_id}
            for n in notes.of_customers(conn, workspace_id, p.members)
            if n.visible_to_customer
        ],
        "consent": [
            {
                "purpose": r.purpose,
                "status": r.status,
                "method": r.method,
                "notice_version": r.notice_version,
                "where": r.place,
                "at": iso(r.at),
            }
            for r in consent.receipts_for(conn, workspace_id, subjects, None, 10_000)
        ],
        "access_log": [
            {"staff": a.staff_id, "what": a.what, "purpose": a.purpose, "at": iso(a.at)}
            for a in access.of_customers(conn, workspace_id, p.members, 10_000)
        ],
        "merges": [
            {"rule": m.rule, "at": iso(m.at), "undone_at": iso(m.undone_at) if m.undone_at else None}
            for m in repo.merges_touching(conn, workspace_id, p.members)
        ],
        "journeys": [
            {
                "journey": j.journey,
                "stage": j.stage,
                "step": j.step,
                "since": iso(j.entered_at),
                "cohort": j.cohort,
            }
            for j in journeys.positions_of(conn, workspace_id, p.members)
        ],
        "friction_signals": [
            {
                "kind": s.kind,
                "status": s.status,
                "first_seen": iso(s.first_seen),
                "last_seen": iso(s.last_seen),
                "journey": s.journey,
                "step": s.step,
                "details": s.details,
            }
            for s in signals.of_customers(conn, workspace_id, p.members)
        ],
        "anticipations": [
            {
                "kind": a.kind,
                "score": a.score,
                "horizon_days": a.horizon_days,
                "computed_at": iso(a.computed_at),
                "model": a.model_id,
                "reasons": [r.get("en") for r in a.reasons],
                "facts": a.facts,
            }
            for member in p.members
            for a in anticipations.of_customer(conn, workspace_id, member)
        ],
        "_subjects": subjects,
        "_members": p.members,
    }


def _csv(rows: list[dict[str, Any]], fields: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for k, v in row.items()}
        )
    return out.getvalue()


def write_zip(
    conn: Connection, workspace_id: str, customer_id: str, hashed_kinds: set[str], target: Any
) -> dict[str, int]:
    """Write the export zip to a binary file object; counts of what it holds."""
    data = gather(conn, workspace_id, customer_id, hashed_kinds)
    subjects, members = data.pop("_subjects"), data.pop("_members")
    counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        n = 0
        with zf.open("events.jsonl", "w") as ev:
            for event in _events(conn, workspace_id, members, subjects):
                ev.write((json.dumps(event, ensure_ascii=False) + "\n").encode())
                n += 1
        with zf.open("events.csv", "w") as ev_csv:
            header = io.StringIO()
            csv.writer(header).writerow(EVENT_FIELDS)
            ev_csv.write(header.getvalue().encode())
            for event in _events(conn, workspace_id, members, subjects):
                line = io.StringIO()
                csv.writer(line).writerow(
                    [
                        json.dumps(event[f], ensure_ascii=False) if isinstance(event[f], dict) else event[f]
                        for f in EVENT_FIELDS
                    ]
                )
                ev_csv.write(line.getvalue().encode())
        counts["events"] = n
        zf.writestr(
            "everything.json",
            json.dumps({**data, "events": f"{n} events in events.jsonl"}, ensure_ascii=False, indent=2),
        )
        zf.writestr(
            "traits.csv", _csv(data["traits"], ["name", "value", "origin", "source", "at", "purposes", "reason"])
        )
        zf.writestr("preferences.csv", _csv(data["preferences"], ["name", "value", "origin", "source", "at", "reason"]))
        zf.writestr(
            "consent.csv", _csv(data["consent"], ["purpose", "status", "method", "notice_version", "where", "at"])
        )
        zf.writestr("access_log.csv", _csv(data["access_log"], ["staff", "what", "purpose", "at"]))
        zf.writestr("notes.csv", _csv(data["notes"], ["body", "at", "purpose", "author"]))
        zf.writestr(
            "anticipations.csv",
            _csv(data["anticipations"], ["kind", "score", "horizon_days", "computed_at", "reasons"]),
        )
        zf.writestr(
            "friction_signals.csv",
            _csv(data["friction_signals"], ["kind", "status", "first_seen", "last_seen", "journey", "step"]),
        )
        zf.writestr("identifiers.csv", _csv(data["identifiers"], ["kind", "value", "kept_as", "first_seen", "source"]))
    return counts
