"""Scoring a workspace's behaviour: churn risk, support-contact risk and next step, each checked on its own later
history before a model is used, and stored as anticipations with reasons in English and Japanese.

Per kind, one outcome: the model used (`live`), the candidate that was not promoted (if it lost), the anticipations,
and the holdout report — or why the kind was skipped (too little history, the event never happens). Stored model
names are `family:model`, e.g. `churn:boosted` or `next_step:markov`, so each family has its own live model.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from omotenashi.anticipation import behaviour_features as bf
from omotenashi.anticipation import risk
from omotenashi.anticipation.activity import Activity
from omotenashi.anticipation.behaviour_log import DAY_MS, BehaviourLog
from omotenashi.anticipation.next_step import NextStep, NextStepModel, evaluate, sequences
from omotenashi.anticipation.risk_reasons import risk_reasons
from omotenashi.anticipation.sensitive import refuse_sensitive
from omotenashi.config.anticipation import AnticipationSection
from omotenashi.store.anticipations import CANDIDATE, LIVE, Anticipation, ModelRow

RISK_KINDS = ("churn_risk", "support_contact_risk")
NEXT_STEP = "next_step"
KINDS = (*RISK_KINDS, NEXT_STEP)
NEXT_STEP_VERSION = "next-step-1"
MARKOV_VERSION = "markov-1"
MIN_NEXT_STEP_CUSTOMERS = 20  # fewer customers with a next step in the holdout: nothing to check it on


@dataclass(frozen=True)
class Outcome:
    """What scoring one kind produced, or why it was skipped."""

    kind: str
    live: ModelRow | None = None
    rejected: ModelRow | None = None
    anticipations: list[Anticipation] = field(default_factory=list)
    report: dict[str, Any] | None = None
    skipped: str | None = None

    @property
    def models(self) -> list[ModelRow]:
        return [m for m in (self.rejected, self.live) if m is not None]


def _row(
    name: str,
    version: str,
    now: int,
    as_of: int,
    customers: int,
    params: dict[str, Any],
    report: dict[str, Any],
    status: str,
    why: str,
) -> ModelRow:
    return ModelRow("m_" + secrets.token_hex(8), name, version, now, as_of, customers, params, report, status, why)


def _facts(values: dict[str, float]) -> dict[str, Any]:
    return {k: round(v, 4) for k, v in values.items() if math.isfinite(v)}


def score_risk(
    log: BehaviourLog,
    task: risk.RiskTask,
    holdout_days: int,
    now_ms: int,
    *,
    sensitive: Iterable[str] = (),
    synthetic: bool = False,
    synthetic_customers: Collection[str] = frozenset(),
) -> Outcome:
    """Check, choose and anticipate one risk (`risk.py`); a kind without enough history is skipped, with why."""
    sensitive = list(sensitive)
    try:
        checked = risk.check(log, task, holdout_days, sensitive=sensitive, synthetic=synthetic)
    except risk.NotEnoughBehaviour as exc:
        return Outcome(task.kind, skipped=f"{exc.message} ({exc.hint})" if exc.hint else exc.message)
    report = checked.report.as_dict()
    scores = risk.fit_and_score(log, task, checked, sensitive=sensitive)
    as_of = checked.schedule.as_of - 1
    family = task.family
    rejected = None
    if not checked.report.promotion.promoted:
        candidate = checked.report.model("boosted")
        shortfalls = "; ".join(checked.report.promotion.shortfalls)
        params = dict(candidate.parameters)
        rejected = _row(
            f"{family}:boosted",
            candidate.version,
            now_ms,
            as_of,
            len(scores.frame),
            params,
            report,
            CANDIDATE,
            shortfalls,
        )
    chosen = checked.chosen
    why = (
        f"beat the one-feature baseline ({task.baseline_feature}) on AUC and Brier score over the holdout"
        if chosen == "boosted"
        else f"the one-feature baseline ({task.baseline_feature}); the boosted candidate was not promoted"
    )
    model = scores.model
    params = {**model.parameters(), "training_rows": scores.training_rows}
    live = _row(f"{family}:{chosen}", model.version, now_ms, as_of, len(scores.frame), params, report, LIVE, why)
    events = {bf.slug(e): e for e in log.count_events}
    out = []
    contributions = model.contributions(scores.frame)
    for i, (position, p) in enumerate(zip(scores.frame.customer.tolist(), scores.scores.tolist(), strict=True)):
        facts = scores.frame.facts(i)
        reasons = [r.as_dict() for r in risk_reasons(contributions[i], facts, events)]
        customer = log.ids[position]
        kept = _facts(facts) | ({"synthetic": True} if customer in synthetic_customers else {})
        out.append(
            Anticipation(customer, task.kind, float(p), task.horizon_days, now_ms, as_of, live.id, reasons, kept)
        )
    return Outcome(task.kind, live, rejected, out, report)


def score_next_step(
    activities: Sequence[Activity],
    log: BehaviourLog,
    holdout_days: int,
    now_ms: int,
    *,
    sensitive: Iterable[str] = (),
    synthetic: bool = False,
    synthetic_customers: Collection[str] = frozenset(),
) -> Outcome:
    """Check the next-step model against the first-order baseline on the last `holdout_days`, then anticipate the
    likeliest three next steps of every customer seen lately."""
    as_of = log.last_ts + 1
    split = as_of - holdout_days * DAY_MS
    report = evaluate(activities, split)
    if report.customers < MIN_NEXT_STEP_CUSTOMERS:
        return Outcome(
            NEXT_STEP,
            skipped=f"next_step: {report.customers} customers took a known step in the last {holdout_days} days "
            f"(at least {MIN_NEXT_STEP_CUSTOMERS} are needed to check the model)",
        )
    body = report.as_dict()
    body["synthetic"] = synthetic
    body["split"] = split
    model = NextStepModel().fit(activities, as_of)
    refuse_sensitive(model.baseline.overall, sensitive)
    promoted = report.model_hit1 > report.baseline_hit1 and report.model_hit3 > report.baseline_hit3
    shortfalls = [
        f"{name} {mine:.4f} is not better than the first-order baseline's {theirs:.4f}"
        for name, mine, theirs in (
            ("hit@1", report.model_hit1, report.baseline_hit1),
            ("hit@3", report.model_hit3, report.baseline_hit3),
        )
        if not mine > theirs
    ]
    seqs = sequences(activities, as_of)
    who = [log.ids[i] for i in np.flatnonzero(bf.seen_recently(log, as_of)).tolist() if log.ids[i] in seqs]
    predictions: list[NextStep] = []
    for customer in who:
        seq = seqs[customer]
        if promoted:
            predictions.append(model.predict_one(customer, seq, as_of))
        else:
            ranked = model.baseline.rank(seq[-1][0])
            predictions.append(NextStep(customer, ranked, model.reasons(seq, ranked, as_of), seq[-1][0]))
    rejected = None
    if not promoted:
        why_not = "; ".join(shortfalls)
        rejected = _row("next_step:blend", NEXT_STEP_VERSION, now_ms, as_of - 1, len(who), {}, body, CANDIDATE, why_not)
    name, version, why = (
        ("next_step:blend", NEXT_STEP_VERSION, "beat the first-order transition baseline on hit@1 and hit@3")
        if promoted
        else ("next_step:markov", MARKOV_VERSION, "the first-order transition baseline; the blended model lost")
    )
    params = {"steps_known": len(model.baseline.overall)}
    live = _row(name, version, now_ms, as_of - 1, len(who), params, body, LIVE, why)
    out = [
        Anticipation(
            p.customer_id,
            NEXT_STEP,
            float(p.steps[0][1]) if p.steps else 0.0,
            0,
            now_ms,
            as_of - 1,
            live.id,
            [r.as_dict() for r in p.reasons],
            {"steps": [[s, float(prob)] for s, prob in p.steps], "last_step": p.last_step}
            | ({"synthetic": True} if p.customer_id in synthetic_customers else {}),
        )
        for p in predictions
        if p.steps
    ]
    return Outcome(NEXT_STEP, live, rejected, out, body)


def score_behaviour(
    activities: Sequence[Activity],
    log: BehaviourLog,
    section: AnticipationSection,
    now_ms: int,
    *,
    sensitive: Iterable[str] = (),
    synthetic: bool = False,
    synthetic_customers: Collection[str] = frozenset(),
) -> list[Outcome]:
    """Every behaviour kind the section turns on, in order: churn risk, support-contact risk, next step."""
    labels: dict[str, Any] = {
        "sensitive": list(sensitive),
        "synthetic": synthetic,
        "synthetic_customers": synthetic_customers,
    }
    holdout = section.behaviour_holdout_days
    out = []
    if log.size == 0:
        return [Outcome(kind, skipped=f"{kind}: no activity to learn from") for kind in enabled(section)]
    if section.churn is not None:
        task = risk.churn_task(section.churn.horizon_days)
        out.append(score_risk(log, task, holdout, now_ms, **labels))
    if section.support_contact is not None:
        task = risk.support_task(section.support_contact.horizon_days)
        out.append(score_risk(log, task, holdout, now_ms, **labels))
    if section.next_step:
        out.append(score_next_step(activities, log, holdout, now_ms, **labels))
    return out


def enabled(section: AnticipationSection) -> list[str]:
    """The behaviour kinds the section turns on."""
    return [
        kind
        for kind, on in (
            ("churn_risk", section.churn is not None),
            ("support_contact_risk", section.support_contact is not None),
            (NEXT_STEP, section.next_step),
        )
        if on
    ]
