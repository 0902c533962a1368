"""The published CDNOW figures (Fader, Hardie & Lee 2005), reproduced on the real sample with the paper's split.

Tolerances, and why:
- parameters within 0.5 % and log-likelihoods within 0.1 of the published values (the brief's own tolerances);
- cumulative repeat purchases at week 78: the paper says BG/NBD under-forecasts by about 4 % and Pareto/NBD by
  about 2 %, figures given to the whole per cent, so ours must round to them: within ±0.5 percentage point;
- zero class: published to two decimals (0.23, 0.14), so ours must round to them: within ±0.005;
- correlations within ±0.01.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from omotenashi.anticipation.bgnbd import BGNBD
from omotenashi.anticipation.evaluation import HoldoutReport, evaluate, holdout_report
from omotenashi.anticipation.paretonbd import ParetoNBD
from omotenashi.anticipation.transactions import Transactions, day_number, purchases_between, summarise
from omotenashi.datasets.cdnow import dataset_path, purchases

CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)


@pytest.fixture(scope="module")
def table() -> Transactions:
    return Transactions.from_rows((str(p.customer_id), p.day, p.dollars) for p in purchases())


def test_summary_matches_the_summary_file_shipped_with_the_data(table: Transactions) -> None:
    s = summarise(table, day_number(CALIBRATION_END))
    shipped = np.genfromtxt(dataset_path("cdnow_customers_summary.csv"), delimiter=",", names=True)
    order = np.argsort([int(i) for i in s.customer_ids()])
    assert len(s) == 2357 == len(shipped)
    assert np.array_equal(s.frequency[order], shipped["frequency"])
    assert np.allclose(s.recency[order], shipped["recency"], atol=0.006)
    assert np.allclose(s.T[order], shipped["T"], atol=0.006)
    assert s.frequency.sum() == 2457
    assert purchases_between(table, s, day_number(CALIBRATION_END), day_number(HOLDOUT_END)).sum() == 1882


def _close(value: float, published: float) -> bool:
    return abs(value - published) <= 0.005 * abs(published)


def test_bgnbd_reproduces_the_published_parameters_and_likelihood(table: Transactions) -> None:
    s = summarise(table, day_number(CALIBRATION_END))
    m = BGNBD.fit(s.frequency, s.recency, s.T)
    for value, published in ((m.r, 0.243), (m.alpha, 4.414), (m.a, 0.793), (m.b, 2.426)):
        assert _close(value, published), (value, published)
    assert abs(m.log_likelihood - (-9582.4)) <= 0.1


def test_paretonbd_reproduces_the_published_parameters_and_likelihood(table: Transactions) -> None:
    s = summarise(table, day_number(CALIBRATION_END))
    m = ParetoNBD.fit(s.frequency, s.recency, s.T)
    for value, published in ((m.r, 0.553), (m.alpha, 10.578), (m.s, 0.606), (m.beta, 11.669)):
        assert _close(value, published), (value, published)
    assert abs(m.log_likelihood - (-9595.0)) <= 0.1


@pytest.fixture(scope="module")
def report(table: Transactions) -> HoldoutReport:
    return holdout_report(table, day_number(CALIBRATION_END), day_number(HOLDOUT_END))


@pytest.mark.slow
def test_week_78_cumulative_zero_class_and_correlations(report: HoldoutReport) -> None:
    actual = report.calibration_repeat_purchases + report.holdout_purchases
    assert actual == 4339 and report.zero_class_customers == 1411
    assert round(report.zero_class_actual, 2) == 0.24
    for name, under, zero, corr in (("bgnbd", 4.0, 0.23, 0.626), ("paretonbd", 2.0, 0.14, 0.630)):
        m = report.model(name)
        assert m.cumulative_at_end is not None
        under_forecast = 100 * (actual - m.cumulative_at_end) / actual
        assert abs(under_forecast - under) <= 0.5, (name, under_forecast)
        assert abs(m.zero_class_forecast - zero) <= 0.005, (name, m.zero_class_forecast)
        assert abs(m.correlation - corr) <= 0.01, (name, m.correlation)


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="measured (boosted-3): the boosted model beats both baselines on MAE (0.7540 vs Pareto/NBD's 0.7545 and "
    "BG/NBD's 0.7855) and AUC (0.7788 vs 0.7787 and 0.7725); it loses to both on RMSE (1.6150 vs 1.6028 and 1.6080) "
    "and correlation (0.6246 vs 0.6302 and 0.6256), so it is not promoted",
)
def test_boosted_beats_both_baselines_on_the_holdout(report: HoldoutReport) -> None:
    assert report.promotion is not None
    assert report.promotion.promoted, report.promotion.shortfalls


@pytest.mark.slow
def test_promotion_rule_names_every_shortfall(report: HoldoutReport) -> None:
    assert report.promotion is not None
    boosted = report.model("boosted")
    shortfalls = report.promotion.shortfalls
    for base in ("bgnbd", "paretonbd"):
        other = report.model(base)
        assert (boosted.auc > other.auc) == (not any(f.startswith("auc") and base in f for f in shortfalls))
        assert (boosted.mae < other.mae) == (not any(f.startswith("mae") and base in f for f in shortfalls))


@pytest.mark.slow
def test_evaluate_takes_plain_rows() -> None:
    rows = [(str(p.customer_id), p.day, p.dollars) for p in purchases()]
    report = evaluate(rows, CALIBRATION_END, HOLDOUT_END, models=("bgnbd",))
    assert report.customers == 2357 and report.promotion is None
    assert abs(report.model("bgnbd").mae - 0.785) < 0.001
