"""Anticipations in plain words, in the reader's language: what is anticipated, how likely, and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from omotenashi.anticipation import behaviour_words
from omotenashi.i18n import translator
from omotenashi.store.anticipations import Anticipation

# Behaviour first (what to act on now), then purchases.
ORDER = (*behaviour_words.ORDER, "buys_again", "expected_purchases", "still_active")


@dataclass(frozen=True)
class Shown:
    """One anticipation as a person reads it."""

    kind: str
    title: str
    value: str
    score: float
    level: str  # "good", "watch" (slipping away), or "" when nothing stands out
    note: str | None
    reasons: list[str]
    computed_at: int
    as_of: int
    model_id: str
    tag: str | None = None  # what `watch` means for this kind, e.g. "About to need help" (default: slipping away)
    steps: list[tuple[str, str, float]] = field(default_factory=list)  # next step: (step, its title, chance)
    synthetic: bool = False  # computed from made-up data (the simulator, the demo): always shown as such


def describe(
    items: Sequence[Anticipation], lang: str, slipping_below: float, watch: Mapping[str, float] | None = None
) -> list[Shown]:
    """The customer's anticipations, most useful first, each with its reasons in `lang`; a risk at or above its
    `watch` level (`behaviour_words.watch_levels`) is marked for attention."""
    _ = translator(lang)
    by_kind = {a.kind: a for a in items}
    out: list[Shown] = []
    for kind in ORDER:
        a = by_kind.get(kind)
        if a is None:
            continue
        reasons = [str(r.get("ja" if lang == "ja" else "en", "")) for r in a.reasons]
        note: str | None = None
        level = ""
        tag: str | None = None
        worded = behaviour_words.wording(kind, a.score, a.horizon_days, a.facts, lang, watch or {})
        if worded is not None:
            title, value, level, note, tag = worded.title, worded.value, worded.level, worded.note, worded.tag
        elif kind == "buys_again":
            title = _("Buys again within %(days)s days") % {"days": a.horizon_days}
            value = f"{a.score:.0%}"
            level = "good" if a.score >= 0.5 else ""
        elif kind == "expected_purchases":
            title = _("Expected purchase days in the next %(days)s days") % {"days": a.horizon_days}
            value = f"{a.score:.1f}"
        else:
            title = _("Still a customer")
            value = f"{a.score:.0%}"
            if a.repeat_buyer and a.score < slipping_below:
                level = "watch"
                note = _("Slipping away: bought again before, and has been quiet longer than their rhythm suggests.")
            elif not a.repeat_buyer:
                note = _("Bought once: too little history to say more than the typical customer.")
        steps = behaviour_words.steps_of(a.facts, lang) if kind == "next_step" else []
        out.append(
            Shown(
                kind,
                title,
                value,
                a.score,
                level,
                note,
                reasons,
                a.computed_at,
                a.as_of,
                a.model_id,
                tag,
                steps,
                bool(a.facts.get("synthetic", False)),
            )
        )
    return out
