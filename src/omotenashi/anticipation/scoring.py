"""Scoring a workspace: check every model on its own recent history, use the one that earned it, and anticipate
each customer with the reasons the model itself gives.

1. **Check.** The most recent `holdout_days` are held out: BG/NBD, Pareto/NBD and the candidate (the boosted
   model) learn from the history before them and forecast them (time-based split; `evaluation.holdout_report`).
2. **Choose.** The candidate is promoted only if it beats both baselines on MAE, RMSE, correlation and AUC;
   otherwise the baseline that wins more of those measures is used, and the candidate is stored as not promoted,
   with every measure where it fell short.
3. **Anticipate.** The chosen model learns again from the whole history and gives each customer: expected
   purchase days within the horizon, the probability of buying again within it, and the probability of still
   being a customer — each with its top reasons in English and Japanese, taken from the model's own feature
   contributions (one feature at a time set to the typical customer's value, and the forecast asked again).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from omotenashi.anticipation.bgnbd import BGNBD
from omotenashi.anticipation.boosted import BoostedModel, NotEnoughHistory
from omotenashi.anticipation.evaluation import BASELINES, BadSplit, HoldoutReport, ModelReport, holdout_report
from omotenashi.anticipation.features import purchase_features
from omotenashi.anticipation.paretonbd import ParetoNBD
from omotenashi.anticipation.reasons import Contribution, reasons_for
from omotenashi.anticipation.transactions import FloatArray, Row, Summary, Transactions, summarise
from omotenashi.config.anticipation import AnticipationSection
from omotenashi.store.anticipations import CANDIDATE, LIVE, Anticipation, ModelRow

KINDS = ("expected_purchases", "buys_again", "still_active")
DAY_MS = 86_400_000
MEASURES = (("mae", True), ("rmse", True), ("correlation", False), ("auc", False))


@dataclass(frozen=True)
class Scored:
    """What one scoring run produced: the model used, the candidate that was not promoted, and the rows."""

    live: ModelRow
    rejected: ModelRow | None
    anticipations: list[Anticipation]
    report: HoldoutReport


def _better_baseline(report: HoldoutReport) -> ModelReport:
    """The baseline that wins more of the four measures (MAE breaks a tie)."""
    bg, pn = report.model("bgnbd"), report.model("paretonbd")
    wins = 0
    for measure, lower in MEASURES:
        a, b = getattr(bg, measure), getattr(pn, measure)
        wins += (a < b if lower else a > b) - (b < a if lower else b > a)
    if wins == 0:
        return bg if bg.mae < pn.mae else pn
    return bg if wins > 0 else pn


def check(rows: Sequence[Row], section: AnticipationSection, sensitive: Iterable[str] = ()) -> HoldoutReport:
    """Every model on the workspace's own history, its last `holdout_days` held out."""
    table = Transactions.from_rows(rows)
    if len(table) == 0:
        raise BadSplit(
            "there are no purchases to learn from",
            hint=f"purchases are the events {', '.join(section.purchase_events)} kept for "
            f"{', '.join(section.purposes)}; check anticipation.purchase_events in the house file",
        )
    last = int(table.day.max())
    models = [*BASELINES, *(["boosted"] if section.candidate == "boosted" else [])]
    try:
        return holdout_report(table, last - section.holdout_days, last, models, sensitive=sensitive)
    except NotEnoughHistory:
        return holdout_report(table, last - section.holdout_days, last, list(BASELINES), sensitive=sensitive)


def score(
    rows: Sequence[Row],
    section: AnticipationSection,
    now_ms: int,
    sensitive: Iterable[str] = (),
) -> Scored:
    """Check, choose and anticipate (see the module's description)."""
    report = check(rows, section, sensitive)
    table = Transactions.from_rows(rows)
    last = int(table.day.max())
    as_of_ms = (last + 1) * DAY_MS - 1
    holdout = report.as_dict()
    promoted = report.promotion is not None and report.promotion.promoted
    rejected: ModelRow | None = None
    if report.promotion is not None and not promoted:
        candidate = report.model("boosted")
        rejected = _row(
            candidate.model,
            candidate.version,
            now_ms,
            as_of_ms,
            report.customers,
            candidate.parameters,
            holdout,
            CANDIDATE,
            "; ".join(report.promotion.shortfalls),
        )
    chosen = "boosted" if promoted else _better_baseline(report).model
    why = (
        "beat BG/NBD and Pareto/NBD on MAE, RMSE, correlation and AUC over the holdout"
        if promoted
        else f"the better of BG/NBD and Pareto/NBD over the last {section.holdout_days} days held out"
        + ("; the candidate was not promoted" if rejected else "")
    )
    horizon_weeks = section.horizon_days / 7.0
    summary = summarise(table, last)
    if chosen == "boosted":
        boosted = BoostedModel.fit(table, last, sensitive=sensitive)
        forecast = boosted.predict(horizon_weeks)
        s = boosted.summary
        expected, buys, buys_days = (
            forecast.expected,
            forecast.probability,
            round(forecast.probability_window_weeks * 7),
        )
        alive = boosted.pareto.probability_alive(s.frequency, s.recency, s.T)
        params: dict[str, Any] = dict(boosted.parameters)
        version = boosted.version
        summary = s
        reasons = [[r.as_dict() for r in rs] for rs in boosted.reasons(range(len(s)))]
    else:
        model: BGNBD | ParetoNBD = (BGNBD if chosen == "bgnbd" else ParetoNBD).fit(
            summary.frequency, summary.recency, summary.T
        )
        x, tx, big_t = summary.frequency, summary.recency, summary.T
        expected = model.conditional_expected_purchases(horizon_weeks, x, tx, big_t)
        buys, buys_days = model.probability_of_purchase(horizon_weeks, x, tx, big_t), section.horizon_days
        alive = model.probability_alive(x, tx, big_t)
        params, version = model.as_dict(), model.version
        reasons = _structural_reasons(model, table, summary, horizon_weeks)
    live = _row(chosen, version, now_ms, as_of_ms, len(summary), params, holdout, LIVE, why)
    ids = summary.customer_ids()
    facts = [
        {"frequency": f, "weeks_since_last": t - r, "tenure": t}
        for f, r, t in zip(summary.frequency.tolist(), summary.recency.tolist(), summary.T.tolist(), strict=True)
    ]
    out: list[Anticipation] = []
    for kind, values, days in (
        ("expected_purchases", expected, section.horizon_days),
        ("buys_again", buys, buys_days),
        ("still_active", alive, 0),
    ):
        for i, value in enumerate(np.asarray(values, dtype=np.float64).tolist()):
            out.append(Anticipation(ids[i], kind, float(value), days, now_ms, as_of_ms, live.id, reasons[i], facts[i]))
    return Scored(live, rejected, out, report)


def _row(
    name: str,
    version: str,
    now_ms: int,
    as_of_ms: int,
    customers: int,
    parameters: dict[str, Any],
    holdout: dict[str, Any],
    status: str,
    why: str,
) -> ModelRow:
    return ModelRow(
        "m_" + secrets.token_hex(8), name, version, now_ms, as_of_ms, customers, parameters, holdout, status, why
    )


def _structural_reasons(
    model: BGNBD | ParetoNBD, table: Transactions, summary: Summary, horizon_weeks: float
) -> list[list[dict[str, Any]]]:
    """Reasons of BG/NBD or Pareto/NBD: its inputs (purchase days with the time of the last; age) in turn set to
    the typical customer's, and the expected purchases asked again."""
    x, tx, big_t = summary.frequency, summary.recency, summary.T

    def log_expected(xx: FloatArray, txx: FloatArray, tt: FloatArray) -> FloatArray:
        value = model.conditional_expected_purchases(horizon_weeks, xx, np.minimum(txx, tt), tt)
        return np.asarray(np.log(np.maximum(value, 1e-12)))

    base = log_expected(x, tx, big_t)
    typical = {name: float(np.median(v)) for name, v in (("frequency", x), ("recency", tx), ("tenure", big_t))}
    # How many purchases and when the last one was are one fact in these models (a steady buyer gone quiet is
    # likely gone): they are set to the typical customer's together, and read as the customer's rhythm.
    effects = {
        "recency": base
        - log_expected(np.full_like(x, typical["frequency"]), np.full_like(tx, typical["recency"]), big_t),
        "tenure": base - log_expected(x, tx, np.full_like(big_t, typical["tenure"])),
    }
    frame = purchase_features(table, summary)
    out = []
    for i in range(len(summary)):
        facts = dict(zip(frame.names, frame.values[i].tolist(), strict=True))
        contributions = [Contribution(name, float(effect[i])) for name, effect in effects.items()]
        out.append([r.as_dict() for r in reasons_for(contributions, facts)])
    return out
