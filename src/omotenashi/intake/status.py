"""What a workspace holds: events, customers, and what intake did not keep, by reason."""

from __future__ import annotations

from typing import Any

from omotenashi.store import consent, counters, events
from omotenashi.store.engine import Engines


def status_of_store(engines: Engines, workspace_ids: list[str]) -> list[dict[str, Any]]:
    """Per workspace: stored events, customers, duplicates, refusals and rejections by reason."""
    out = []
    with engines.read.connect() as conn:
        for wid in workspace_ids:
            counts = counters.read(conn, wid)
            out.append(
                {
                    "workspace": wid,
                    "events": events.count(conn, wid),
                    "customers": events.count_subjects(conn, wid),
                    "duplicates": counts.get("duplicates", 0),
                    "suppressed": counts.get("suppressed", 0),
                    "consent_receipts": consent.count_receipts(conn, wid),
                    "refused": _prefixed(counts, "refused:"),
                    "rejections": _prefixed(counts, "rejected:"),
                    "undeclared": _prefixed(counts, "undeclared:"),
                }
            )
    return out


def _prefixed(counts: dict[str, int], prefix: str) -> dict[str, int]:
    return {k[len(prefix) :]: v for k, v in sorted(counts.items()) if k.startswith(prefix) and v}
