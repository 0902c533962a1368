"""Anticipations in plain words, in the reader's language: what is anticipated, how likely, and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from omotenashi.i18n import translator
from omotenashi.store.anticipations import Anticipation

ORDER = ("buys_again", "expected_purchases", "still_active")


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


def describe(items: Sequence[Anticipation], lang: str, slipping_below: float) -> list[Shown]:
    """The customer's anticipations, most useful first, each with its reasons in `lang`."""
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
        if kind == "buys_again":
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
        out.append(Shown(kind, title, value, a.score, level, note, reasons, a.computed_at, a.as_of, a.model_id))
    return out
