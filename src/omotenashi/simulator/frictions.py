"""Planted friction and its ground truth: which customer, what kind, when it started and ended, and the evidence.

A label is written only when its episode was actually emitted, and it names the messageIds that show it, so a
detector's signal can be matched to it. Labels are synthetic ground truth about synthetic customers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from omotenashi.simulator.timeline import iso
from omotenashi.simulator.world import Customer, WorldConfig

STALL = "stall"
HELP_LOOP = "help_loop"
RAGE_CLICK = "rage_click"
DEAD_CLICK = "dead_click"
ERROR_CLICK = "error_click"
FORM_ABANDONMENT = "form_abandonment"
REPEATED_QUESTION = "repeated_question"
ASKED_TWICE = "asked_twice"
BOT_LOOP = "bot_loop"
QUIET_DECLINE = "quiet_decline"
KINDS = (
    STALL,
    HELP_LOOP,
    RAGE_CLICK,
    DEAD_CLICK,
    ERROR_CLICK,
    FORM_ABANDONMENT,
    REPEATED_QUESTION,
    ASKED_TWICE,
    BOT_LOOP,
    QUIET_DECLINE,
)
VARIANTS: dict[str, tuple[tuple[str, int], ...]] = {
    STALL: (("gone_quiet", 45), ("active_elsewhere", 55)),
    HELP_LOOP: (("repeated_views", 40), ("search_without_click", 35), ("back_and_forth", 25)),
    RAGE_CLICK: (("no_response", 60), ("slow_response", 40)),
    DEAD_CLICK: (("dead", 1),),
    ERROR_CLICK: (("error", 1),),
    FORM_ABANDONMENT: (("abandoned", 65), ("hesitated", 35)),
    REPEATED_QUESTION: (("unresolved", 1), ("after_resolved", 1)),
    ASKED_TWICE: (("after_resolved", 1),),
    BOT_LOOP: (("deflection", 40), ("human_denied", 30), ("handoff_failed", 30)),
    QUIET_DECLINE: (("gradual", 1),),
}
# Chance, per customer over 90 days, that an episode of each kind is planted in their sessions (×3 if troubled).
SESSION_RATES = {
    RAGE_CLICK: 0.05,
    DEAD_CLICK: 0.05,
    ERROR_CLICK: 0.04,
    FORM_ABANDONMENT: 0.05,
    HELP_LOOP: 0.06,
    BOT_LOOP: 0.035,
}
SUPPORT_MATTER_RATE = 0.07  # a question for support arising on its own (friction adds more)
REPEAT_WINDOW_MS = 14 * 86_400_000  # two contacts on one topic this close are a repeated question
WEB_ONLY = frozenset({RAGE_CLICK, DEAD_CLICK, ERROR_CLICK, FORM_ABANDONMENT, HELP_LOOP})


@dataclass
class Label:
    """The ground truth of one planted friction."""

    number: int
    user_id: str
    kind: str
    variant: str
    start_ms: int
    evidence: list[str]
    end_ms: int | None = None
    detectable_ms: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The label as a line of labels.jsonl."""
        return {
            "synthetic": True,
            "id": f"{self.user_id}/{self.number}",
            "userId": self.user_id,
            "kind": self.kind,
            "variant": self.variant,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "detectable_ms": self.detectable_ms,
            "start": iso(self.start_ms),
            "end": None if self.end_ms is None else iso(self.end_ms),
            "evidence": self.evidence,
            "details": self.details,
        }


class Book:
    """The labels of one customer."""

    def __init__(self, customer: Customer) -> None:
        self.user_id = customer.user_id
        self.labels: list[Label] = []

    def add(
        self,
        kind: str,
        variant: str,
        start_ms: int,
        evidence: list[str],
        *,
        end_ms: int | None = None,
        detectable_ms: int | None = None,
        **details: Any,
    ) -> Label:
        """Record a planted friction."""
        label = Label(len(self.labels) + 1, self.user_id, kind, variant, start_ms, evidence, end_ms, detectable_ms)
        label.details = details
        self.labels.append(label)
        return label

    def pressure(self, ms: int, lookback_ms: int) -> float:
        """How much unresolved friction weighs on the customer at `ms`: recent open frictions count fully,
        recent resolved ones a little."""
        total = 0.0
        for label in self.labels:
            if label.start_ms > ms or label.start_ms < ms - lookback_ms:
                continue
            total += 1.0 if label.end_ms is None or label.end_ms > ms else 0.25
        return total


@dataclass(frozen=True)
class Due:
    """An episode planned for the customer's first suitable session on or after `day`."""

    kind: str
    variant: str
    day: int


def variant_of(rng: random.Random, kind: str) -> str:
    """A variant of `kind`, by the weights above."""
    options = VARIANTS[kind]
    roll = rng.random() * sum(w for _, w in options)
    for name, weight in options:
        roll -= weight
        if roll < 0:
            return name
    return options[-1][0]


def plan_episodes(rng: random.Random, customer: Customer, config: WorldConfig, first_day: int) -> list[Due]:
    """The session frictions planted for this customer, each on a day from their first day in the window."""
    span = config.days - first_day
    if span <= 0:
        return []
    factor = span / 90 * (3.0 if customer.troubled else 1.0)
    due = []
    for kind, rate in SESSION_RATES.items():
        chance = rate * factor
        while chance > 0 and rng.random() < min(chance, 0.9):
            due.append(Due(kind, variant_of(rng, kind), first_day + rng.randrange(span)))
            chance -= 1.0
    due.sort(key=lambda d: (d.day, d.kind))
    return due


def support_days(rng: random.Random, customer: Customer, config: WorldConfig, first_day: int) -> list[int]:
    """Days on which a question for support arises on its own."""
    span = config.days - first_day
    if span <= 0:
        return []
    chance = SUPPORT_MATTER_RATE * span / 90 * (2.0 if customer.troubled else 1.0)
    days = []
    while chance > 0 and rng.random() < min(chance, 0.9):
        days.append(first_day + rng.randrange(span))
        chance -= 1.0
    return sorted(days)
