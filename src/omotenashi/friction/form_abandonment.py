"""Form hesitation and abandonment: fields focused and changed, and the form never submitted.

A form session starts at a field's focus and ends at the form's submit, at the next page the device shows (the
customer left), or after `idle_minutes` without a form event (the visit ended). A session with changes and no submit
is abandoned; a session where one field changed `min_redo` times or more is hesitation (seen at that change, and
resolved if the form is submitted in the end). A field focused and left unchanged is not friction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, ClassVar

from omotenashi.config.friction import FormAbandonmentSettings, FrictionEventNames
from omotenashi.friction.base import MINUTE, Finding, Record, Triggers, WindowDetector, globs, matches
from omotenashi.friction.events import Event

FOCUS, CHANGE, SUBMIT, PAGE = "f", "c", "s", "p"
TEXT_LIMIT = 120


class FormAbandonment(WindowDetector):
    name: ClassVar[str] = "form_abandonment"
    retention_ms: ClassVar[int] = 3 * 60 * MINUTE

    def __init__(self, settings: FormAbandonmentSettings, names: FrictionEventNames) -> None:
        super().__init__(settings, names)
        self.s = settings
        self.idle_ms = settings.idle_minutes * MINUTE
        self.ignore = globs(settings.ignore_forms)
        self.tags = {names.field_focused: FOCUS, names.field_changed: CHANGE, names.form_submitted: SUBMIT}
        self.triggers = Triggers(tracks=frozenset({names.field_focused, names.field_changed}))

    def wants(self, e: Event) -> bool:
        return e.type == "track" and e.name in (self.names.field_focused, self.names.field_changed)

    def record(self, e: Event) -> Record | None:
        if e.device is None:
            return None
        if e.type == "page":
            return [e.seq, e.ts, PAGE, e.device, "", ""]
        tag = self.tags.get(e.name) if e.type == "track" else None
        if tag is None:
            return None
        form = e.text("form", TEXT_LIMIT) or ""
        if not form or matches(self.ignore, form):
            return None  # a form event that does not say which form (a data map may strip it) cannot be judged
        return [e.seq, e.ts, tag, e.device, form, e.text("field", TEXT_LIMIT) or ""]

    def _sessions(self, records: list[Record]) -> list[tuple[list[Record], Record | None, bool]]:
        """(form events, what ended the session, whether it has ended) per form session."""
        per_device: dict[str, list[Record]] = defaultdict(list)
        for r in records:
            per_device[r[3]].append(r)
        out: list[tuple[list[Record], Record | None, bool]] = []
        for items in per_device.values():
            session: list[Record] = []
            for r in items:
                if session and (r[1] - session[-1][1] > self.idle_ms or (r[2] != PAGE and r[4] != session[0][4])):
                    out.append((session, None, True))  # went quiet, or moved on to another form
                    session = []
                if r[2] == PAGE:
                    if session:
                        out.append((session, r, True))
                        session = []
                    continue
                if not session and r[2] == SUBMIT:
                    continue
                session.append(r)
                if r[2] == SUBMIT:
                    out.append((session, r, True))
                    session = []
            if session:
                out.append((session, None, False))
        return out

    def evaluate(self, records: list[Record], now: int) -> list[Finding]:
        out = []
        for session, ender, ended in self._sessions(records):
            changes = [r for r in session if r[2] == CHANGE]
            if not changes:
                continue
            submitted = ender is not None and ender[2] == SUBMIT
            idle_at = session[-1][1] + self.idle_ms
            left = ender is not None and ender[2] == PAGE
            quiet = not submitted and not left and (ended or now >= idle_at)
            per_field = Counter(r[5] for r in changes)
            field, redone = per_field.most_common(1)[0]
            hesitated = redone >= self.s.min_redo
            if hesitated:
                seen = [r for r in changes if r[5] == field][self.s.min_redo - 1][1]
            elif left:
                seen = ender[1]  # type: ignore[index]
            elif quiet:
                seen = idle_at
            else:
                continue
            finding = self._finding(session, ender, submitted, hesitated, field, redone, seen)
            out.append(finding)
        return out

    def _finding(
        self,
        session: list[Record],
        ender: Record | None,
        submitted: bool,
        hesitated: bool,
        field: str,
        redone: int,
        seen: int,
    ) -> Finding:
        fields = list(dict.fromkeys(r[5] for r in session if r[2] == CHANGE))
        details: dict[str, Any] = {
            "form": session[0][4],
            "fields": fields[:10],
            "variant": "hesitated" if hesitated else "abandoned",
            "submitted": submitted,
        }
        if hesitated:
            details |= {"field": field, "changes": redone}
        evidence = tuple(r[0] for r in session)
        return Finding(
            key=str(session[0][0]),
            severity=1 if hesitated and submitted else 2,
            started=session[0][1],
            first_seen=seen,
            last_seen=session[-1][1],
            evidence=evidence,
            details=details,
            resolved_at=ender[1] if submitted and ender is not None else None,
        )

    def pending(self, records: list[Record], now: int) -> int | None:
        due = None
        for session, _, ended in self._sessions(records):
            if not ended and any(r[2] == CHANGE for r in session):
                at = session[-1][1] + self.idle_ms
                if at > now:
                    due = at if due is None else min(due, at)
        return due
