"""Rage clicks: a burst of clicks on one spot of one element, as when a button does not respond.

A burst is at least `min_clicks` clicks on the same element, each within `gap_ms` of the one before and within
`radius_px` of the first, the first `min_clicks` of them within `within_ms`. It is seen at its `min_clicks`-th
click and resolved when the product answers (a track event from the same device) within `answer_ms` of the last
click. Clicks on text (`ignore_selectors`, by default `p.*`) select it, and are never rage. Double clicks (two),
ticking several checklist items (each a different spot) and paging slowly (over a second apart) are not bursts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from omotenashi.config.friction import FrictionEventNames, RageClickSettings
from omotenashi.friction import clicks
from omotenashi.friction.base import MINUTE, Finding, Record, Triggers, WindowDetector, globs, matches
from omotenashi.friction.events import Event


class RageClick(WindowDetector):
    name: ClassVar[str] = "rage_click"
    retention_ms: ClassVar[int] = 30 * MINUTE

    def __init__(self, settings: RageClickSettings, names: FrictionEventNames) -> None:
        super().__init__(settings, names)
        self.s = settings
        self.ignore = globs(settings.ignore_selectors)
        self.triggers = Triggers(tracks=frozenset({names.click}))

    def wants(self, e: Event) -> bool:
        return e.type == "track" and e.name == self.names.click

    def record(self, e: Event) -> Record | None:
        return clicks.record(e, self.names)

    def read(self, events: Sequence[Event], kept: Sequence[Record]) -> list[Record]:
        return clicks.read(events, kept, self.names)

    def evaluate(self, records: list[Record], now: int) -> list[Finding]:
        out = []
        for items in clicks.by_device(records).values():
            taken: set[int] = set()
            for i, first in enumerate(items):
                if first[2] != clicks.CLICK or first[0] in taken or matches(self.ignore, first[4]):
                    continue
                burst = self._burst(items, i)
                if burst is None:
                    continue
                taken.update(r[0] for r in burst)
                out.append(self._finding(items, burst))
        return out

    def _burst(self, items: list[Record], start: int) -> list[Record] | None:
        first = items[start]
        burst = [first]
        for r in items[start + 1 :]:
            if r[2] != clicks.CLICK:
                continue  # what the page does meanwhile does not break a burst; time and place do
            if r[1] - burst[-1][1] > self.s.gap_ms:
                break
            if r[4] != first[4] or clicks.distance(r, first) > self.s.radius_px:
                break
            burst.append(r)
        n = self.s.min_clicks
        if len(burst) < n or burst[n - 1][1] - first[1] > self.s.within_ms:
            return None
        return burst

    def _finding(self, items: list[Record], burst: list[Record]) -> Finding:
        first, last = burst[0], burst[-1]
        answer = next(
            (
                r
                for r in items
                if r[2] == clicks.ACTIVITY and r[4] == clicks.TRACK and last[1] <= r[1] <= last[1] + self.s.answer_ms
            ),
            None,
        )
        details: dict[str, Any] = {
            "selector": first[4],
            "text": first[8],
            "page": first[7],
            "clicks": len(burst),
            "seconds": round((last[1] - first[1]) / 1000, 1),
            "variant": "slow_response" if answer else "no_response",
        }
        evidence = tuple(r[0] for r in burst) + ((answer[0],) if answer else ())
        return Finding(
            key=str(first[0]),
            severity=3 if len(burst) >= 6 else 2,
            started=first[1],
            first_seen=burst[self.s.min_clicks - 1][1],
            last_seen=answer[1] if answer else last[1],
            evidence=evidence,
            details=details,
            resolved_at=answer[1] if answer else None,
        )
