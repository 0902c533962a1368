"""Dead clicks: a click followed by nothing at all from the same device for `wait_seconds`.

A working click is answered within a few seconds (a page, a track event, an error); a dead one is followed by
silence, seen once the wait has passed. Clicks on text (`ignore_selectors`) are followed by nothing on purpose.
The signal resolves when a later click on the same element is answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from omotenashi.config.friction import DeadClickSettings, FrictionEventNames
from omotenashi.friction import clicks
from omotenashi.friction.base import MINUTE, Finding, Record, Triggers, WindowDetector, globs, matches
from omotenashi.friction.events import Event


class DeadClick(WindowDetector):
    name: ClassVar[str] = "dead_click"
    retention_ms: ClassVar[int] = 30 * MINUTE

    def __init__(self, settings: DeadClickSettings, names: FrictionEventNames) -> None:
        super().__init__(settings, names)
        self.wait_ms = int(settings.wait_seconds * 1000)
        self.ignore = globs(settings.ignore_selectors)
        self.triggers = Triggers(tracks=frozenset({names.click}))

    def wants(self, e: Event) -> bool:
        return e.type == "track" and e.name == self.names.click

    def record(self, e: Event) -> Record | None:
        return clicks.record(e, self.names)

    def read(self, events: Sequence[Event], kept: Sequence[Record]) -> list[Record]:
        return clicks.read(events, kept, self.names)

    def _answered(self, items: list[Record], i: int) -> Record | None:
        after = clicks.next_after(items, i)
        return after if after is not None and after[1] - items[i][1] <= self.wait_ms else None

    def evaluate(self, records: list[Record], now: int) -> list[Finding]:
        out = []
        for items in clicks.by_device(records).values():
            for i, c in enumerate(items):
                if c[2] != clicks.CLICK or matches(self.ignore, c[4]):
                    continue
                after = clicks.next_after(items, i)
                if after is not None and after[1] - c[1] <= self.wait_ms:
                    continue
                if after is None and now < c[1] + self.wait_ms:
                    continue  # not yet known
                fixed = next(
                    (
                        (r, answer)
                        for j, r in enumerate(items[i + 1 :], start=i + 1)
                        if r[2] == clicks.CLICK and r[4] == c[4] and (answer := self._answered(items, j)) is not None
                    ),
                    None,
                )
                out.append(
                    Finding(
                        key=str(c[0]),
                        severity=1,
                        started=c[1],
                        first_seen=c[1] + self.wait_ms,
                        last_seen=fixed[1][1] if fixed else c[1],
                        evidence=(c[0],) + ((fixed[0][0], fixed[1][0]) if fixed else ()),
                        details={
                            "selector": c[4],
                            "text": c[8],
                            "page": c[7],
                            "waited": round(((after[1] if after else now) - c[1]) / 1000, 1),
                        },
                        resolved_at=fixed[1][1] if fixed else None,
                    )
                )
        return out

    def pending(self, records: list[Record], now: int) -> int | None:
        due = None
        for items in clicks.by_device(records).values():
            last = items[-1]
            if last[2] == clicks.CLICK and now < last[1] + self.wait_ms and not matches(self.ignore, last[4]):
                at = last[1] + self.wait_ms
                due = at if due is None else min(due, at)
        return due
