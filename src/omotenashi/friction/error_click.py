"""Error clicks: a click answered by an error message within `within_ms`.

Errors no click caused (a connection lost while reading) and validation errors after a form was submitted (no click
before them) are not error clicks. Several error clicks on one element within half an hour are one signal; it
resolves when a later click on that element is answered by something other than an error, within
`fixed_within_days` of the last error (till then the signal's evidence is kept; after, it stays open).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from omotenashi.config.friction import ErrorClickSettings, FrictionEventNames
from omotenashi.friction import clicks
from omotenashi.friction.base import DAY, MINUTE, SECOND, Finding, Record, Triggers, WindowDetector, globs, matches
from omotenashi.friction.events import Event

SAME_TROUBLE_MS = 30 * MINUTE
ANSWER_MS = 4 * SECOND


class ErrorClick(WindowDetector):
    name: ClassVar[str] = "error_click"
    retention_ms: ClassVar[int] = 60 * MINUTE

    def __init__(self, settings: ErrorClickSettings, names: FrictionEventNames) -> None:
        super().__init__(settings, names)
        self.within = settings.within_ms
        self.ignore = globs(settings.ignore_selectors)
        self.ignore_messages = globs(settings.ignore_messages)
        self.fixed_within = settings.fixed_within_days * DAY
        self.triggers = Triggers(tracks=frozenset({names.click, names.error}))

    def wants(self, e: Event) -> bool:
        return e.type == "track" and e.name in (self.names.click, self.names.error)

    def record(self, e: Event) -> Record | None:
        return clicks.record(e, self.names)

    def read(self, events: Sequence[Event], kept: Sequence[Record]) -> list[Record]:
        return clicks.read(events, kept, self.names)

    def waits_ms(self) -> int:
        return self.fixed_within

    def _caused(self, items: list[Record], i: int) -> Record | None:
        """The click that caused the error items[i], if one came just before it."""
        error = items[i]
        for r in reversed(items[:i]):
            if error[1] - r[1] > self.within:
                return None
            if r[2] == clicks.CLICK:
                return r
        return None

    def evaluate(self, records: list[Record], now: int) -> list[Finding]:
        out = []
        for items in clicks.by_device(records).values():
            runs: list[list[tuple[Record, Record]]] = []
            for i, r in enumerate(items):
                if r[2] != clicks.ACTIVITY or r[4] != clicks.ERROR or matches(self.ignore_messages, r[5]):
                    continue
                click = self._caused(items, i)
                if click is None or matches(self.ignore, click[4]):
                    continue
                run = next((x for x in runs if x[-1][0][4] == click[4] and r[1] - x[-1][1][1] <= SAME_TROUBLE_MS), None)
                if run is None:
                    runs.append([(click, r)])
                elif all(c[0] != click[0] for c, _ in run):
                    run.append((click, r))
            out += [self._finding(items, run) for run in runs]
        return out

    def _finding(self, items: list[Record], run: list[tuple[Record, Record]]) -> Finding:
        first_click, first_error = run[0]
        last_error = run[-1][1]
        fixed = self._fixed(items, first_click[4], last_error)
        evidence: tuple[int, ...] = tuple(s for c, e in run for s in (c[0], e[0]))
        if fixed is not None:
            evidence += (fixed[0][0], fixed[1][0])
        return Finding(
            key=str(first_click[0]),
            severity=2,
            started=first_click[1],
            first_seen=first_error[1],
            last_seen=fixed[1][1] if fixed else last_error[1],
            evidence=evidence,
            details={
                "selector": first_click[4],
                "text": first_click[8],
                "page": first_click[7],
                "message": first_error[5],
                "times": len(run),
            },
            resolved_at=fixed[1][1] if fixed else None,
        )

    def _fixed(self, items: list[Record], selector: str, after: Record) -> tuple[Record, Record] | None:
        """A later click on the same element answered by something other than an error: it works now."""
        for j, r in enumerate(items):
            if r[1] - after[1] > self.fixed_within:
                return None
            if r[1] <= after[1] or r[2] != clicks.CLICK or r[4] != selector:
                continue
            answer = clicks.next_after(items, j)
            if answer is None or answer[1] - r[1] > ANSWER_MS:
                continue
            if answer[2] == clicks.ACTIVITY and answer[4] != clicks.ERROR:
                return r, answer
        return None
