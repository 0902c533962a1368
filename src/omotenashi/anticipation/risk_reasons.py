"""Why a customer is at risk (of not renewing, of needing support), in plain words, in English and Japanese.

The risk model hands over how far each fact about the customer moved their score (`Contribution`, in log-odds, by
the model itself: `risk_model.RiskModel.contributions`); the facts that moved it most are written as sentences from
the customer's own figures: "Active on 2 of the last 28 days, 11 in the 4 weeks before" /
「直近28日間の利用は2日（その前の4週間は11日）」.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from omotenashi.anticipation.reasons import Contribution, Reason
from omotenashi.config.journeys import STAGES

STAGE_WORDS: dict[str, tuple[str, str]] = {
    "discover": ("discover", "認知"),
    "purchase": ("purchase", "購入"),
    "onboard": ("onboard", "導入"),
    "use": ("use", "利用"),
    "support": ("support", "サポート"),
    "renew": ("renew", "更新"),
    "recommend": ("recommend", "推奨"),
}


def risk_reasons(
    contributions: Sequence[Contribution],
    facts: Mapping[str, float],
    events: Mapping[str, str] | None = None,
    *,
    top: int = 3,
) -> list[Reason]:
    """The `top` facts that moved this customer's risk most, strongest first, as plain-words reasons.

    `contributions` are per fact (topic); `facts` the customer's feature values; `events` names the counted events
    by their feature slug (`payment_failed` → `Payment Failed`).
    """
    finite = [c for c in contributions if math.isfinite(c.effect)]
    ranked = sorted((c for c in finite if abs(c.effect) > 1e-9), key=lambda c: -abs(c.effect))
    out = []
    for c in ranked[:top]:
        en, ja = sentence(c.feature, facts, events or {})
        out.append(Reason(c.feature, "raises" if c.effect > 0 else "lowers", abs(c.effect), en, ja))
    if not out and finite:
        # Nothing sets this customer apart (e.g. the one feature a baseline reads is the typical customer's): the
        # chance is the typical one, and the facts the model read say so.
        for c in finite[:top]:
            en, ja = sentence(c.feature, facts, events or {})
            out.append(Reason(c.feature, "typical", 0.0, f"{en}, as is typical", f"{ja}（標準的な水準）"))
    return out


def _n(facts: Mapping[str, float], name: str) -> int | None:
    value = facts.get(name, math.nan)
    return round(value) if math.isfinite(value) else None


def _times_en(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _days_en(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _ago_en(days: int) -> str:
    return "today" if days == 0 else f"{_days_en(days)} ago"


def _ago_ja(days: int) -> str:
    return "本日" if days == 0 else f"{days}日前"


def sentence(topic: str, facts: Mapping[str, float], events: Mapping[str, str]) -> tuple[str, str]:
    """The (English, Japanese) sentence for one fact about a customer."""
    if topic.startswith("count:"):
        return _counted(topic.removeprefix("count:"), facts, events)
    writer = _WRITERS.get(topic)
    if writer is not None:
        return writer(facts)
    value = facts.get(topic, math.nan)
    shown = f"{value:g}" if math.isfinite(value) else "unknown"
    return f"{topic.replace('_', ' ').capitalize()}: {shown}", f"{topic}：{shown if math.isfinite(value) else '不明'}"


def _usage(facts: Mapping[str, float]) -> tuple[str, str]:
    since = _n(facts, "days_since_active")
    recent, prior = _n(facts, "active_days_28") or 0, _n(facts, "active_days_prior_28")
    tenure = _n(facts, "tenure_days") or 0
    if since is None:
        return "No use of the product seen yet", "製品の利用はまだ見られません"
    if since >= 14:
        return f"Not seen using the product for {since} days", f"{since}日間、製品の利用なし"
    if prior is not None and tenure >= 35:
        return (
            f"Active on {recent} of the last 28 days, {prior} in the 4 weeks before",
            f"直近28日間の利用は{recent}日（その前の4週間は{prior}日）",
        )
    return f"Active on {recent} of the last 28 days", f"直近28日間に{recent}日利用"


def _tenure(facts: Mapping[str, float]) -> tuple[str, str]:
    days = _n(facts, "tenure_days") or 0
    return f"First seen {_days_en(days)} ago", f"初めての利用は{days}日前"


def _support(facts: Mapping[str, float]) -> tuple[str, str]:
    last = _n(facts, "days_since_contact")
    n30, n90 = _n(facts, "contacts_30") or 0, _n(facts, "contacts_90") or 0
    if last is None or n90 == 0:
        return "No support contact in the last 90 days", "直近90日間、サポートへの問い合わせなし"
    if n30 == 0:
        return (
            f"Last contacted support {_ago_en(last)} ({_times_en(n90)} in 90 days)",
            f"最後のサポートへの問い合わせは{_ago_ja(last)}（90日間で{n90}回）",
        )
    return (
        f"Contacted support {_times_en(n30)} in the last 30 days, last {_ago_en(last)}",
        f"直近30日間にサポートへ{n30}回問い合わせ（最後は{_ago_ja(last)}）",
    )


def _friction(facts: Mapping[str, float]) -> tuple[str, str]:
    n45, still = _n(facts, "signals_45") or 0, _n(facts, "open_signals") or 0
    if n45 == 0:
        return "No friction noticed in the last 45 days", "直近45日間、摩擦は検知されていません"
    if still:
        return (
            f"{n45} friction signal{'s' if n45 != 1 else ''} in the last 45 days, {still} still open",
            f"直近45日間に摩擦シグナル{n45}件（うち未解決{still}件）",
        )
    return (
        f"{n45} friction signal{'s' if n45 != 1 else ''} in the last 45 days, all since resolved",
        f"直近45日間に摩擦シグナル{n45}件（すべて解決済み）",
    )


def _decline(facts: Mapping[str, float]) -> tuple[str, str]:
    if facts.get("open_quiet_decline", 0.0) >= 0.5:
        return "Use has been quietly declining (noticed, still open)", "利用が静かに減少中（検知済み・未解決）"
    return "No quiet decline in use noticed", "利用の静かな減少は検知されていません"


def _stall(facts: Mapping[str, float]) -> tuple[str, str]:
    if facts.get("open_stall", 0.0) >= 0.5:
        return "Stuck at a journey step (noticed, still open)", "ジャーニーのステップで停滞中（検知済み・未解決）"
    return "Not stuck at any journey step", "ジャーニーのステップでの停滞なし"


def _subscription(facts: Mapping[str, float]) -> tuple[str, str]:
    if facts.get("subscribed", 0.0) < 0.5:
        return "No subscription", "契約なし"
    since, renewed = _n(facts, "subscribed_days") or 0, _n(facts, "days_since_renewal") or 0
    return (
        f"Subscribed for {_days_en(since)}, last renewed or started {_ago_en(renewed)}",
        f"契約して{since}日、最後の開始・更新は{_ago_ja(renewed)}",
    )


def _journey(facts: Mapping[str, float]) -> tuple[str, str]:
    share = facts.get("journey_steps_done", math.nan)
    if not math.isfinite(share):
        return "No journey steps yet", "ジャーニーのステップはまだありません"
    return f"Has reached {share:.0%} of the journey steps", f"ジャーニーのステップを{share:.0%}達成"


def _stage(facts: Mapping[str, float]) -> tuple[str, str]:
    for stage in STAGES:
        if facts.get(f"stage_{stage}", 0.0) >= 0.5:
            en, ja = STAGE_WORDS[stage]
            return f"Latest activity is in the {en} stage", f"直近の行動は「{ja}」の段階"
    return "No journey stage yet", "ジャーニーの段階はまだありません"


def _counted(slug: str, facts: Mapping[str, float], events: Mapping[str, str]) -> tuple[str, str]:
    name = events.get(slug, slug.replace("_", " "))
    n7, n30 = _n(facts, f"count_{slug}_7") or 0, _n(facts, f"count_{slug}_30") or 0
    if n30 == 0:
        return f"No “{name}” in the last 30 days", f"直近30日間に「{name}」なし"
    if n7:
        return (
            f"“{name}” {_times_en(n30)} in the last 30 days ({n7} in the last 7)",
            f"直近30日間に「{name}」が{n30}回（直近7日間に{n7}回）",
        )
    return f"“{name}” {_times_en(n30)} in the last 30 days", f"直近30日間に「{name}」が{n30}回"


_WRITERS = {
    "usage": _usage,
    "tenure": _tenure,
    "support": _support,
    "friction": _friction,
    "decline": _decline,
    "stall": _stall,
    "subscription": _subscription,
    "journey": _journey,
    "stage": _stage,
}
