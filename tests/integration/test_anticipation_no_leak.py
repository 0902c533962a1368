"""The boosted model never sees the holdout: altering every purchase after the calibration end changes nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest

from omotenashi.anticipation.boosted import BoostedModel
from omotenashi.anticipation.sensitive import SensitiveFeatureRefused
from omotenashi.anticipation.transactions import Transactions, day_number
from omotenashi.datasets.cdnow import purchases

CALIBRATION_END = date(1997, 9, 30)


def _rows() -> list[tuple[str, date, float]]:
    return [(str(p.customer_id), p.day, p.dollars) for p in purchases()]


@pytest.mark.slow
def test_altering_the_holdout_leaves_the_fitted_model_and_its_forecasts_identical() -> None:
    rows = _rows()
    rng = random.Random(3)
    altered = []
    for customer, day, amount in rows:
        if day > CALIBRATION_END:
            # Move every holdout purchase, change its amount, and invent more for some customers.
            day = CALIBRATION_END + timedelta(days=rng.randint(1, 273))
            amount = round(amount * rng.uniform(0.1, 5), 2)
            if rng.random() < 0.5:
                altered.append((customer, CALIBRATION_END + timedelta(days=rng.randint(1, 273)), 9.99))
        altered.append((customer, day, amount))
    rng.shuffle(altered)
    ids = sorted({c for c, _, _ in rows}, key=int)
    for i in ids[:50]:
        altered.append((f"new-{i}", CALIBRATION_END + timedelta(days=10), 5.0))  # customers who first buy later
    cal = day_number(CALIBRATION_END)

    original = BoostedModel.fit(Transactions.from_rows(rows), cal)
    changed = BoostedModel.fit(Transactions.from_rows(altered), cal)

    assert original.summary.customer_ids() == changed.summary.customer_ids()
    assert np.array_equal(original.frame.values, changed.frame.values, equal_nan=True)
    assert [r.n_iter_ for r in original.regressors] == [r.n_iter_ for r in changed.regressors]
    a, b = original.predict(39.0), changed.predict(39.0)
    assert np.array_equal(a.expected, b.expected)
    assert np.array_equal(a.probability, b.probability)
    assert original.pareto == changed.pareto


def test_fitting_refuses_a_sensitive_extra_feature_and_names_it() -> None:
    rows = _rows()
    extra = {
        "support_contacts": {"1": 2.0},
        "customer_age_band": {"1": 3.0},
        "gender": {"1": 1.0},
    }
    with pytest.raises(SensitiveFeatureRefused) as caught:
        BoostedModel.fit(
            Transactions.from_rows(rows), day_number(CALIBRATION_END), extra=extra, sensitive={"age", "gender"}
        )
    assert caught.value.data["features"] == ["customer_age_band", "gender"]
    assert "customer_age_band" in caught.value.message and "gender" in caught.value.message


@pytest.mark.slow
def test_extra_features_flow_in_and_reasons_come_out_in_both_languages() -> None:
    rows = _rows()
    extra = {"support_contacts": {str(i): float(i % 3) for i in range(1, 500)}}
    model = BoostedModel.fit(Transactions.from_rows(rows), day_number(CALIBRATION_END), extra=extra)
    assert "support_contacts" in model.frame.names
    forecast = model.predict(39.0)
    assert forecast.expected.shape == (2357,) and np.all(forecast.expected >= 0)
    assert np.all((forecast.probability >= 0) & (forecast.probability <= 1))
    top = int(np.argmax(forecast.expected))
    reasons = model.reasons([top, 2])
    assert reasons[0] and reasons[1]
    for reason in reasons[0] + reasons[1]:
        assert reason.en and reason.ja and reason.en != reason.ja
