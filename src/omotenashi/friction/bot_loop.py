"""Bot loops: a chat with the support bot that goes round in circles.

Three ways, per conversation: the bot suggests `max_suggestions` articles and no person has joined (deflection);
the customer asks for a person and none joins within `human_wait_minutes` or before the chat ends (a person asked
for, not granted); handing the chat over fails (`Handoff Failed`). One article that solves it, two articles and then
a person who joins within minutes, or a customer who leaves after one suggestion are not loops. The signal resolves
when a person joins after all, or the chat ends resolved.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, ClassVar

from omotenashi.config.friction import BotLoopSettings, FrictionEventNames
from omotenashi.friction.base import HOUR, MINUTE, Finding, Record, Triggers, WindowDetector
from omotenashi.friction.events import Event

STARTED, SUGGESTED, HUMAN, JOINED, FAILED, ENDED, MESSAGE = "st", "sg", "hr", "aj", "hf", "en", "m"
TEXT_LIMIT = 200


class BotLoop(WindowDetector):
    name: ClassVar[str] = "bot_loop"
    retention_ms: ClassVar[int] = 48 * HOUR  # a phone may send its part of a chat hours late

    def __init__(self, settings: BotLoopSettings, names: FrictionEventNames) -> None:
        super().__init__(settings, names)
        self.s = settings
        self.wait_ms = settings.human_wait_minutes * MINUTE
        self.tags = {
            names.chat_started: STARTED,
            names.bot_suggested: SUGGESTED,
            names.human_requested: HUMAN,
            names.agent_joined: JOINED,
            names.handoff_failed: FAILED,
            names.chat_ended: ENDED,
            names.chat_message: MESSAGE,
        }
        self.triggers = Triggers(tracks=frozenset(self.tags))

    def wants(self, e: Event) -> bool:
        return e.type == "track" and e.name in self.tags

    def record(self, e: Event) -> Record | None:
        tag = self.tags.get(e.name) if e.type == "track" else None
        if tag is None:
            return None
        conversation = e.text("conversation_id", TEXT_LIMIT)
        if not conversation:
            return None
        extra: Any = None
        if tag == ENDED:
            extra = e.props.get("resolved") is True
        elif tag == SUGGESTED:
            extra = e.text("title", TEXT_LIMIT) or e.text("article_id", TEXT_LIMIT) or ""
        elif tag == FAILED:
            extra = e.text("reason", TEXT_LIMIT) or ""
        return [e.seq, e.ts, tag, conversation, extra]

    def _conversations(self, records: list[Record]) -> dict[str, list[Record]]:
        out: dict[str, list[Record]] = defaultdict(list)
        for r in records:
            out[r[3]].append(r)
        return out

    def evaluate(self, records: list[Record], now: int) -> list[Finding]:
        out = []
        for conversation, items in self._conversations(records).items():
            finding = self._judge(conversation, items, now)
            if finding is not None:
                out.append(finding)
        return out

    def _judge(self, conversation: str, items: list[Record], now: int) -> Finding | None:
        reasons: list[tuple[int, str]] = []
        suggestions = [r for r in items if r[2] == SUGGESTED]
        joined = next((r for r in items if r[2] == JOINED), None)
        ended = next((r for r in items if r[2] == ENDED), None)
        n = self.s.max_suggestions
        if len(suggestions) >= n and (joined is None or joined[1] > suggestions[n - 1][1]):
            reasons.append((suggestions[n - 1][1], "deflection"))
        asked = next((r for r in items if r[2] == HUMAN), None)
        if asked is not None:
            limit = asked[1] + self.wait_ms
            if ended is not None and ended[1] >= asked[1]:
                limit = min(limit, ended[1])
            if (joined is None or joined[1] > limit) and now >= limit:
                reasons.append((limit, "human_denied"))
        failed = next((r for r in items if r[2] == FAILED), None)
        if failed is not None:
            reasons.append((failed[1], "handoff_failed"))
        if not reasons:
            return None
        seen, variant = min(reasons)
        later_join = joined if joined is not None and joined[1] >= seen else None
        resolved = later_join[1] if later_join else (ended[1] if ended is not None and ended[4] is True else None)
        start = next((r for r in items if r[2] == STARTED), items[0])
        details: dict[str, Any] = {
            "conversation": conversation,
            "variant": variant,
            "suggestions": len(suggestions),
            "asked_for_person": sum(1 for r in items if r[2] == HUMAN),
            "articles": [r[4] for r in suggestions][:6],
        }
        if failed is not None:
            details["reason"] = failed[4]
        return Finding(
            key=conversation,
            severity=3 if variant != "deflection" else 2,
            started=start[1],
            first_seen=seen,
            last_seen=items[-1][1],
            evidence=tuple(r[0] for r in items),
            details=details,
            resolved_at=resolved,
        )

    def pending(self, records: list[Record], now: int) -> int | None:
        due = None
        for items in self._conversations(records).values():
            asked = next((r for r in items if r[2] == HUMAN), None)
            if asked is None or any(r[2] in (JOINED, ENDED) for r in items):
                continue
            at = asked[1] + self.wait_ms
            if at > now:
                due = at if due is None else min(due, at)
        return due
