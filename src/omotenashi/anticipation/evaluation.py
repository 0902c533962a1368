"""The holdout report: fit on a calibration period, forecast the holdout, and compare models side by side.

Every model sees only the purchases up to the calibration end; the holdout is read only to score the forecasts.
Per customer: MAE, RMSE and correlation of forecast with actual holdout purchase days, and the AUC of "buys again in
the holdout" (each model ranks customers by its expected holdout purchases). For the cohort: the forecast total,
the zero class (customers with no repeat purchase in calibration), and for BG/NBD and Pareto/NBD the paper's
cumulative tracking of repeat purchases at the end of the holdout.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np

from omotenashi.anticipation import metrics
from omotenashi.anticipation.bgnbd import BGNBD
from omotenashi.anticipation.boosted import BoostedModel
from omotenashi.anticipation.features import ExtraFeatures
from omotenashi.anticipation.paretonbd import ParetoNBD
from omotenashi.anticipation.transactions import (
    FloatArray,
    Row,
    Summary,
    Transactions,
    day_number,
    purchases_between,
    summarise,
)
from omotenashi.core.errors import OmotenashiError

MODELS = ("bgnbd", "paretonbd", "boosted")
BASELINES = ("bgnbd", "paretonbd")
TITLES = {"bgnbd": "BG/NBD", "paretonbd": "Pareto/NBD", "boosted": "Boosted (Pareto/NBD × gradient boosting)"}


class BadSplit(OmotenashiError):
    """The calibration and holdout dates do not make a usable split of the transactions."""

    code = "bad_split"


@dataclass(frozen=True)
class ModelReport:
    """One model's holdout figures."""

    model: str
    version: str
    mae: float
    rmse: float
    correlation: float
    auc: float
    forecast_holdout: float
    zero_class_forecast: float
    cumulative_at_end: float | None
    fit_seconds: float
    parameters: dict[str, float | int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Promotion:
    """Whether a candidate may replace its baselines, and every measure where it fell short."""

    promoted: bool
    shortfalls: list[str]


@dataclass(frozen=True)
class HoldoutReport:
    """Actual figures of the holdout and each model's forecasts of them."""

    calibration_end: date
    holdout_end: date
    holdout_weeks: float
    customers: int
    calibration_repeat_purchases: float
    holdout_purchases: float
    buyers_share: float
    zero_class_customers: int
    zero_class_actual: float
    models: list[ModelReport]
    promotion: Promotion | None

    def model(self, name: str) -> ModelReport:
        return next(m for m in self.models if m.model == name)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        body = asdict(self)
        body["calibration_end"] = self.calibration_end.isoformat()
        body["holdout_end"] = self.holdout_end.isoformat()
        body["actual_cumulative_at_end"] = self.calibration_repeat_purchases + self.holdout_purchases
        return body


def promote(candidate: ModelReport, baselines: Sequence[ModelReport]) -> Promotion:
    """A candidate is promoted only if it is better than every baseline on MAE, RMSE, correlation and AUC."""
    shortfalls = []
    for base in baselines:
        for measure, lower_is_better in (("mae", True), ("rmse", True), ("correlation", False), ("auc", False)):
            mine, theirs = getattr(candidate, measure), getattr(base, measure)
            better = mine < theirs if lower_is_better else mine > theirs
            if not better or not np.isfinite(mine):
                shortfalls.append(f"{measure} {mine:.4f} is not better than {base.model}'s {theirs:.4f}")
    return Promotion(promoted=not shortfalls, shortfalls=shortfalls)


def _report(
    name: str,
    version: str,
    forecast: FloatArray,
    actual: FloatArray,
    summary: Summary,
    seconds: float,
    cumulative: float | None,
    parameters: dict[str, float | int | str],
) -> ModelReport:
    zero = summary.frequency == 0
    return ModelReport(
        model=name,
        version=version,
        mae=metrics.mae(forecast, actual),
        rmse=metrics.rmse(forecast, actual),
        correlation=metrics.correlation(forecast, actual),
        auc=metrics.auc(forecast, actual > 0),
        forecast_holdout=float(forecast.sum()),
        zero_class_forecast=float(forecast[zero].mean()) if zero.any() else float("nan"),
        cumulative_at_end=cumulative,
        fit_seconds=seconds,
        parameters=parameters,
    )


def holdout_report(
    transactions: Transactions,
    calibration_end: int,
    holdout_end: int,
    models: Iterable[str] = MODELS,
    *,
    first_from: int | None = None,
    extra: ExtraFeatures | None = None,
    sensitive: Iterable[str] = (),
) -> HoldoutReport:
    """Fit each model on the calibration period and score its forecast of the holdout."""
    if holdout_end <= calibration_end:
        raise BadSplit("the holdout must end after the calibration end", hint="pass a later --holdout-end")
    known = transactions.until(calibration_end)
    summary = summarise(known, calibration_end, first_from=first_from)
    if len(summary) < 2 or summary.frequency.sum() == 0:
        raise BadSplit(
            f"the calibration period holds {len(summary)} customers and no repeat purchase",
            hint="choose a later --calibration-end",
        )
    actual = purchases_between(transactions, summary, calibration_end, holdout_end)
    horizon = (holdout_end - calibration_end) / 7.0
    # Age of each customer at the end of the holdout: where the paper reads its cumulative tracking plot.
    age_at_end = (holdout_end - summary.first_day) / 7.0
    x, tx, big_t = summary.frequency, summary.recency, summary.T
    wanted = list(models)
    reports = []
    for name in wanted:
        began = time.perf_counter()
        if name in BASELINES:
            model: BGNBD | ParetoNBD = (BGNBD if name == "bgnbd" else ParetoNBD).fit(x, tx, big_t)
            seconds = time.perf_counter() - began
            forecast = model.conditional_expected_purchases(horizon, x, tx, big_t)
            cumulative = float(model.expected_purchases(age_at_end).sum())
            reports.append(
                _report(name, model.version, forecast, actual, summary, seconds, cumulative, model.as_dict())
            )
        elif name == "boosted":
            boosted = BoostedModel.fit(
                transactions, calibration_end, first_from=first_from, extra=extra, sensitive=sensitive
            )
            seconds = time.perf_counter() - began
            forecast = boosted.predict(horizon).expected
            parameters: dict[str, float | int | str] = {**boosted.parameters, "version": boosted.version}
            reports.append(_report(name, boosted.version, forecast, actual, summary, seconds, None, parameters))
        else:
            raise BadSplit(f"unknown model {name!r}", hint=f"choose one of {', '.join(MODELS)} or all")
    baselines = [r for r in reports if r.model in BASELINES]
    candidate = next((r for r in reports if r.model == "boosted"), None)
    zero = summary.frequency == 0
    return HoldoutReport(
        calibration_end=date.fromordinal(date(1970, 1, 1).toordinal() + calibration_end),
        holdout_end=date.fromordinal(date(1970, 1, 1).toordinal() + holdout_end),
        holdout_weeks=horizon,
        customers=len(summary),
        calibration_repeat_purchases=float(x.sum()),
        holdout_purchases=float(actual.sum()),
        buyers_share=float((actual > 0).mean()),
        zero_class_customers=int(zero.sum()),
        zero_class_actual=float(actual[zero].mean()) if zero.any() else float("nan"),
        models=reports,
        promotion=promote(candidate, baselines) if candidate is not None and baselines else None,
    )


def evaluate(
    transactions: Sequence[Row],
    calibration_end: date,
    holdout_end: date,
    models: Iterable[str] = MODELS,
    *,
    extra: ExtraFeatures | None = None,
    sensitive: Iterable[str] = (),
) -> HoldoutReport:
    """The holdout report for (customer id, date, amount) rows: the workspace's history or a user's file."""
    table = Transactions.from_rows(transactions)
    if len(table) == 0:
        raise BadSplit("there are no transactions to evaluate", hint="check the file or the workspace's history")
    return holdout_report(
        table, day_number(calibration_end), day_number(holdout_end), models, extra=extra, sensitive=sensitive
    )
