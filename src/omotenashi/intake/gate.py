"""The consent gate: under which purposes an event may be kept, given what the customer said."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from omotenashi.core.purposes import ConsentStatus, Mechanism

REFUSED_WITHDRAWN = "consent_withdrawn"
REFUSED_MISSING = "consent_missing"


@dataclass(frozen=True)
class PurposeRule:
    """What the gate needs to know of one purpose."""

    mechanism: Mechanism
    notice_version: str


def allowed(rule: PurposeRule, status: str | None) -> bool:
    """Whether an event may be kept for a purpose, given the customer's current choice (None: never said)."""
    if rule.mechanism is Mechanism.NOTICE_ONLY:
        return True
    if rule.mechanism is Mechanism.OPT_OUT:
        return status != ConsentStatus.WITHDRAWN
    return status == ConsentStatus.GRANTED


def kept_purposes(
    source_purposes: Sequence[str], rules: Mapping[str, PurposeRule], state: Mapping[str, str]
) -> tuple[list[str], str | None]:
    """The purposes the event is kept for, or none and the reason it was refused."""
    kept = [p for p in source_purposes if allowed(rules[p], state.get(p))]
    if kept:
        return kept, None
    withdrawn = any(state.get(p) == ConsentStatus.WITHDRAWN for p in source_purposes)
    return kept, REFUSED_WITHDRAWN if withdrawn else REFUSED_MISSING
