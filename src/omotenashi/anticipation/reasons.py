"""Why a customer was anticipated, in plain words (English and Japanese), from the model's own contributions.

A model hands over, per customer, how much each feature moved its anticipation (`Contribution`). Features that
describe one fact about the customer are pooled (the gaps between purchases and the time since the last one are
one rhythm), the facts are ranked by how far they moved the anticipation, and each is written as a sentence built
from the customer's own figures: "Bought every 3–4 weeks until 10 weeks ago" / 「10週間前まで3〜4週間ごとに購入」.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "ja"]

# Which fact each feature speaks to; a feature not listed here is its own fact, named after itself.
TOPICS: dict[str, str] = {
    "mean_gap": "rhythm",
    "gap_spread": "rhythm",
    "last_gap": "rhythm",
    "overdue": "rhythm",
    "weeks_since_last": "rhythm",
    "recency": "rhythm",
    "frequency": "frequency",
    "rate": "frequency",
    "tenure": "frequency",
    "purchases_4w": "recent",
    "purchases_13w": "recent",
    "purchases_26w": "recent",
    "total_spend": "spend",
    "mean_spend": "spend",
    "first_spend": "spend",
    "last_spend": "spend",
    "spend_trend": "spend",
    "bgnbd_alive": "alive",
    "bgnbd_expected": "alive",
    "paretonbd_alive": "alive",
    "paretonbd_expected": "alive",
}
# Labels for the engine's other knowledge when it is passed in as extra features.
EXTRA_LABELS: dict[str, tuple[str, str]] = {
    "friction_signals": ("Friction signals noticed", "検知した摩擦シグナル"),
    "support_contacts": ("Support contacts", "サポートへの問い合わせ"),
    "journey_stage": ("Journey stage", "ジャーニーの段階"),
}


@dataclass(frozen=True)
class Contribution:
    """How far one feature moved a customer's anticipation (in the model's own scale; positive raises it)."""

    feature: str
    effect: float


@dataclass(frozen=True)
class Reason:
    """One fact behind an anticipation, with its direction and weight, in both languages."""

    topic: str
    direction: Literal["raises", "lowers", "typical"]  # typical: the fact is the typical customer's, it moves nothing
    weight: float
    en: str
    ja: str

    def text(self, language: str = "en") -> str:
        """The reason in the reader's language (English for a language we do not have)."""
        return self.ja if language == "ja" else self.en

    def as_dict(self) -> dict[str, str | float]:
        return {"topic": self.topic, "direction": self.direction, "weight": self.weight, "en": self.en, "ja": self.ja}


def reasons_for(contributions: Sequence[Contribution], facts: Mapping[str, float], *, top: int = 3) -> list[Reason]:
    """The `top` facts that moved this customer's anticipation most, strongest first, as plain-words reasons.

    `facts` holds the customer's own feature values (frequency, weeks_since_last, mean_gap …), from which the
    sentences are written; the contributions only choose and order them.
    """
    weights: dict[str, float] = {}
    for item in contributions:
        if math.isfinite(item.effect):
            topic = _topic(item.feature, facts)
            weights[topic] = weights.get(topic, 0.0) + item.effect
    ranked = sorted((t for t, w in weights.items() if abs(w) > 1e-9), key=lambda t: -abs(weights[t]))
    out = []
    for topic in ranked[:top]:
        en, ja = sentence(topic, facts)
        out.append(Reason(topic, "raises" if weights[topic] > 0 else "lowers", abs(weights[topic]), en, ja))
    return out


def _topic(feature: str, facts: Mapping[str, float]) -> str:
    topic = TOPICS.get(feature, f"extra:{feature}")
    # Without a repeat purchase, rhythm, frequency and recent activity all say one thing: never came back.
    if facts.get("frequency", 0.0) < 1 and topic in ("rhythm", "frequency", "recent"):
        return "only_once"
    return topic


def sentence(topic: str, facts: Mapping[str, float]) -> tuple[str, str]:
    """The (English, Japanese) sentence for one fact about a customer."""
    if topic == "only_once":
        weeks = _whole(facts.get("tenure", 0.0))
        return (
            f"Has not bought again since the first purchase {_weeks_en(weeks)} ago",
            f"{weeks}週間前の初回購入以来、再購入なし",
        )
    if topic == "rhythm":
        return _rhythm(facts)
    if topic == "frequency":
        days, weeks = _whole(facts.get("frequency", 0.0)) + 1, _whole(facts.get("tenure", 0.0))
        return f"Bought on {days} different days in {_weeks_en(weeks)}", f"{weeks}週間で{days}日購入"
    if topic == "recent":
        return _recent(facts)
    if topic == "spend":
        mean, last = facts.get("mean_spend", 0.0), facts.get("last_spend", 0.0)
        return (
            f"Spends about {mean:,.0f} per purchase day (last time {last:,.0f})",
            f"1回あたり約{mean:,.0f}の購入（前回は{last:,.0f}）",
        )
    if topic == "alive":
        # Pareto/NBD's, not BG/NBD's: BG/NBD counts everyone without a repeat purchase as certainly active.
        share = facts.get("paretonbd_alive", facts.get("bgnbd_alive", 0.0))
        return (
            f"By their purchase pattern, {share:.0%} likely still a customer",
            f"購買パターンから見て、まだ顧客である可能性は{share:.0%}",
        )
    name = topic.removeprefix("extra:")
    label_en, label_ja = EXTRA_LABELS.get(name, (name.replace("_", " ").capitalize(), name))
    value = facts.get(name, math.nan)
    shown = "unknown" if not math.isfinite(value) else f"{value:g}"
    shown_ja = "不明" if not math.isfinite(value) else f"{value:g}"
    return f"{label_en}: {shown}", f"{label_ja}：{shown_ja}"


def _rhythm(facts: Mapping[str, float]) -> tuple[str, str]:
    since = _whole(facts.get("weeks_since_last", 0.0))
    gap = facts.get("mean_gap", math.nan)
    if facts.get("frequency", 0.0) < 2 or not math.isfinite(gap):
        apart = _whole(facts.get("recency", 0.0))
        return (
            f"Came back once, {_weeks_en(apart)} after the first purchase; last bought {_ago_en(since)}",
            f"初回から{apart}週間後に一度再購入、最後の購入は{_ago_ja(since)}",
        )
    every_en, every_ja = _every(gap)
    if since == 0:
        return f"Buys {every_en}, most recently this week", f"{every_ja}購入、今週も購入"
    return f"Bought {every_en} until {_ago_en(since)}", f"{_ago_ja(since)}まで{every_ja}購入"


def _recent(facts: Mapping[str, float]) -> tuple[str, str]:
    for weeks in (4, 13, 26):
        count = _whole(facts.get(f"purchases_{weeks}w", 0.0))
        if count or weeks == 26:
            break
    if count == 0:
        return f"No purchase in the last {weeks} weeks", f"直近{weeks}週間は購入なし"
    times = "once" if count == 1 else f"on {count} days"
    return f"Bought {times} in the last {weeks} weeks", f"直近{weeks}週間に{count}日購入"


def _every(gap_weeks: float) -> tuple[str, str]:
    """'every 3–4 weeks' / '3〜4週間ごとに' from a mean gap in weeks."""
    if gap_weeks < 1:
        days = max(1, round(gap_weeks * 7))
        return (f"every {days} days" if days > 1 else "daily"), f"{days}日ごとに"
    low, high = math.floor(gap_weeks), math.ceil(gap_weeks)
    if high - low == 0 or gap_weeks - low < 0.15 or high - gap_weeks < 0.15:
        whole = round(gap_weeks)
        return ("every week" if whole == 1 else f"every {whole} weeks"), f"{whole}週間ごとに"
    return f"every {low}–{high} weeks", f"{low}〜{high}週間ごとに"


def _whole(value: float) -> int:
    return round(value) if math.isfinite(value) else 0


def _weeks_en(weeks: int) -> str:
    return "1 week" if weeks == 1 else f"{weeks} weeks"


def _ago_en(weeks: int) -> str:
    return "this week" if weeks == 0 else f"{_weeks_en(weeks)} ago"


def _ago_ja(weeks: int) -> str:
    return "今週" if weeks == 0 else f"{weeks}週間前"
