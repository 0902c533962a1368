"""The better model: Pareto/NBD corrected by gradient boosting on what else the purchases (and the engine) say.

Learning never looks past the calibration end: `fit` cuts the transactions there before anything else. Inside the
calibration period it makes its own time split: features as of `calibration_end − window`, label = purchase days in
the `window` weeks that follow, up to the calibration end. A Pareto/NBD model fitted on the data up to that earlier
cutoff gives each customer an expected count for the window (the offset); a Poisson HistGradientBoosting model
learns how far each customer's actual purchases sit above or below it, from time-windowed features (rhythm, recent
activity, spend, BG/NBD and Pareto/NBD quantities, and any extra features such as friction signals). To forecast,
the same features are computed as of the calibration end, Pareto/NBD is refitted on the whole calibration period,
and its expectation for the horizon is multiplied by the learned correction shrunk half-way towards none (the mean
of the corrected and the plain Pareto/NBD forecasts): a correction learned from one window is noisy.

The probability of buying again within the window is the same forecast for the window, mapped through an isotonic
regression fitted on the training window (so a predicted 30 % means about 30 % of such customers bought).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.isotonic import IsotonicRegression

from omotenashi.anticipation.bgnbd import BGNBD
from omotenashi.anticipation.features import ExtraFeatures, FeatureFrame, features_as_of
from omotenashi.anticipation.fitting import FIT_SAMPLE
from omotenashi.anticipation.paretonbd import ParetoNBD
from omotenashi.anticipation.reasons import Contribution, Reason, reasons_for
from omotenashi.anticipation.sensitive import refuse_sensitive
from omotenashi.anticipation.transactions import FloatArray, Summary, Transactions, purchases_between, summarise
from omotenashi.core.errors import OmotenashiError

VERSION = "boosted-1"
# Features that can only raise the anticipation when they grow (or, for weeks_since_last, only lower it):
# monotone constraints keep a small training set from learning the opposite by chance.
RAISING = {"frequency", "purchases_4w", "purchases_13w", "purchases_26w", "rate"}
RAISING |= {"bgnbd_alive", "bgnbd_expected", "paretonbd_alive", "paretonbd_expected"}
LOWERING = {"weeks_since_last"}


class NotEnoughHistory(OmotenashiError):
    """The calibration period is too short, or has too few customers, to learn from a split inside it."""

    code = "not_enough_history"


@dataclass(frozen=True)
class BoostedSettings:
    """How the boosted model learns; the defaults were chosen on CDNOW customers outside the paper's sample."""

    window_weeks: float = 13.0
    shrink: float = 0.5
    learning_rate: float = 0.03
    max_depth: int = 3
    min_samples_leaf: int = 80
    l2_regularization: float = 5.0
    max_iter: int = 300
    seed: int = 0


@dataclass
class Anticipations:
    """Per customer: expected purchase days in the horizon and the probability of buying within the window.

    `as_of` is the day (days since 1970-01-01) the forecast was computed from: the calibration end.
    """

    customer_ids: list[str]
    as_of: int
    horizon_weeks: float
    expected: FloatArray
    probability_window_weeks: float
    probability: FloatArray
    model_version: str
    contributions: list[list[Contribution]] = field(default_factory=list)


def _structural(summary: Summary, horizon: float) -> tuple[dict[str, FloatArray], ParetoNBD]:
    x, tx, big_t = summary.frequency, summary.recency, summary.T
    bg = BGNBD.fit(x, tx, big_t)
    pn = ParetoNBD.fit(x, tx, big_t)
    columns = {
        "bgnbd_alive": bg.probability_alive(x, tx, big_t),
        "bgnbd_expected": bg.conditional_expected_purchases(horizon, x, tx, big_t),
        "paretonbd_alive": pn.probability_alive(x, tx, big_t),
        "paretonbd_expected": pn.conditional_expected_purchases(horizon, x, tx, big_t),
    }
    return columns, pn


class BoostedModel:
    """Fitted on one calibration period; forecasts any horizon after it, with reasons."""

    def __init__(
        self,
        regressor: HistGradientBoostingRegressor,
        calibrator: IsotonicRegression,
        summary: Summary,
        frame: FeatureFrame,
        pareto: ParetoNBD,
        settings: BoostedSettings,
        medians: FloatArray,
    ) -> None:
        self.regressor = regressor
        self.calibrator = calibrator
        self.summary = summary
        self.frame = frame
        self.pareto = pareto
        self.settings = settings
        self.medians = medians
        self.version = VERSION

    @classmethod
    def fit(
        cls,
        transactions: Transactions,
        calibration_end: int,
        *,
        first_from: int | None = None,
        extra: ExtraFeatures | None = None,
        sensitive: Iterable[str] = (),
        settings: BoostedSettings | None = None,
    ) -> BoostedModel:
        """Learn from the purchases up to `calibration_end` only (later rows are cut before anything is read)."""
        settings = settings or BoostedSettings()
        if extra:
            refuse_sensitive(extra.keys(), sensitive)
        known = transactions.until(calibration_end)
        window = int(round(settings.window_weeks * 7))
        cutoff = calibration_end - window
        train_summary = summarise(known, cutoff, first_from=first_from)
        if len(train_summary) < 200 or train_summary.frequency.sum() < 20:
            raise NotEnoughHistory(
                f"only {len(train_summary)} customers had bought before the training cutoff, "
                f"{settings.window_weeks:g} weeks before the calibration end",
                hint="choose a later calibration end, so that the calibration period holds more history",
            )
        structural, _ = _structural(train_summary, settings.window_weeks)
        train = features_as_of(known, train_summary, extra).with_columns(structural)
        refuse_sensitive(train.names, sensitive)
        label = purchases_between(known, train_summary, cutoff, calibration_end)
        offset = np.maximum(train.column("paretonbd_expected"), 1e-6)
        regressor = HistGradientBoostingRegressor(
            loss="poisson",
            learning_rate=settings.learning_rate,
            max_depth=settings.max_depth,
            min_samples_leaf=settings.min_samples_leaf,
            l2_regularization=settings.l2_regularization,
            max_iter=settings.max_iter,
            early_stopping=True,
            validation_fraction=0.25,
            n_iter_no_change=20,
            monotonic_cst=[1 if n in RAISING else -1 if n in LOWERING else 0 for n in train.names],
            random_state=settings.seed,
        )
        # Poisson with an offset: the rate label/offset, weighted by the offset, has the same likelihood.
        rows = np.arange(len(label))
        if rows.size > FIT_SAMPLE:
            rows = np.sort(np.random.default_rng(settings.seed).choice(rows.size, FIT_SAMPLE, replace=False))
        regressor.fit(train.values[rows], (label / offset)[rows], sample_weight=offset[rows])
        window_forecast = offset * _shrunk(regressor.predict(train.values), settings.shrink)
        calibrator = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        calibrator.fit(window_forecast, (label > 0).astype(np.float64))

        summary = summarise(known, calibration_end, first_from=first_from)
        structural, pareto = _structural(summary, settings.window_weeks)
        frame = features_as_of(known, summary, extra).with_columns(structural)
        medians = np.nanmedian(train.values, axis=0)
        return cls(regressor, calibrator, summary, frame, pareto, settings, medians)

    def correction(self, values: FloatArray | None = None) -> FloatArray:
        """The learned factor on the Pareto/NBD expectation, shrunk towards 1."""
        raw = self.regressor.predict(self.frame.values if values is None else values)
        return _shrunk(raw, self.settings.shrink)

    def predict(self, horizon_weeks: float) -> Anticipations:
        """Forecast each calibration-period customer's purchase days over the next `horizon_weeks` weeks."""
        s = self.summary
        factor = self.correction()
        expected = self.pareto.conditional_expected_purchases(horizon_weeks, s.frequency, s.recency, s.T) * factor
        window = self.settings.window_weeks
        in_window = self.frame.column("paretonbd_expected") * factor
        return Anticipations(
            customer_ids=s.customer_ids(),
            as_of=s.cutoff,
            horizon_weeks=horizon_weeks,
            expected=np.asarray(expected),
            probability_window_weeks=window,
            probability=np.asarray(self.calibrator.predict(in_window)),
            model_version=self.version,
        )

    def contributions(self, rows: Iterable[int]) -> list[list[Contribution]]:
        """How far each feature moved each asked-for customer's forecast, in log scale, by the model itself.

        For each feature, the customer's value is replaced by the training median and the model asked again
        (one-at-a-time occlusion of the boosted correction); the Pareto/NBD part, which reads frequency, recency
        and age, counts towards the purchase rhythm, measured against the median customer's expectation.
        """
        picked = list(rows)
        values = self.frame.values[picked]
        base = np.log(self.correction(values))
        structural = self.frame.column("paretonbd_expected")
        typical = float(np.median(structural))
        out: list[list[Contribution]] = [[] for _ in picked]
        for j, name in enumerate(self.frame.names):
            occluded = values.copy()
            occluded[:, j] = self.medians[j]
            delta = base - np.log(self.correction(occluded))
            for i, effect in enumerate(delta.tolist()):
                out[i].append(Contribution(name, effect))
        for i, row in enumerate(picked):
            effect = float(np.log(max(structural[row], 1e-12) / max(typical, 1e-12)))
            out[i].append(Contribution("recency", effect))
        return out

    def reasons(self, rows: Iterable[int], *, top: int = 3) -> list[list[Reason]]:
        """The plain-words reasons (English and Japanese) behind each asked-for customer's forecast."""
        picked = list(rows)
        out = []
        for row, contributions in zip(picked, self.contributions(picked), strict=True):
            facts = dict(zip(self.frame.names, self.frame.values[row].tolist(), strict=True))
            out.append(reasons_for(contributions, facts, top=top))
        return out


def _shrunk(factor: FloatArray, shrink: float) -> FloatArray:
    return np.asarray(1.0 + (1.0 - shrink) * (factor - 1.0))
