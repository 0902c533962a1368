"""The better model: Pareto/NBD corrected by gradient boosting on what else the purchases (and the engine) say.

Learning never looks past the calibration end: `fit` cuts the transactions there before anything else. Inside the
calibration period it makes its own time splits, one per training window (8, 13 and 20 weeks): features as of
`calibration_end − window`, label = purchase days in the `window` weeks that follow, up to the calibration end. For
each cutoff, BG/NBD and Pareto/NBD fitted on the data up to it (Pareto/NBD by a quick bounded fit started from the
whole calibration period's, since a short history identifies its dropout process weakly) give the structural
features. The offset, each customer's expected count for the window, is the whole calibration period's Pareto/NBD
(the model the forecast multiplies) read on the history up to the cutoff: the cut fits' levels wander from window to
window (actual over expected 0.76 to 1.42 on the nine CDNOW groups), a wandering the trees could only attach to the
features that tell the windows apart (age, recency); against the one model every window sits at 0.81 to 0.99. The
three windows' rows are stacked: more rows, and a correction that does not hang on what one stretch of weeks
happened to be like. Twenty Poisson HistGradientBoosting models (different early-stopping splits, and for large
cohorts different row samples) learn how far each customer's actual purchases sit above or below the offset, from
time-windowed features (rhythm, recent activity, spend, BG/NBD and Pareto/NBD quantities for a 13-week reference,
and any extra features such as friction signals); their corrections are averaged in log scale. The features' bin
edges are found once, on the stacked rows, and shared by the twenty models (`Bins`): that search, repeated by every
model, was most of the fit, and twenty models now cost less than five did. To forecast, the same features are
computed as of the calibration end, Pareto/NBD is fitted on the whole calibration period, and its expectation for
the horizon is multiplied by the averaged correction shrunk half-way towards none.

The probability of buying again within the reference window is the same forecast for that window, mapped through
an isotonic regression fitted on that window's training rows (so a predicted 30 % means about 30 % of such
customers bought).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.isotonic import IsotonicRegression

from omotenashi.anticipation.bgnbd import BGNBD
from omotenashi.anticipation.features import ExtraFeatures, FeatureFrame, features_as_of
from omotenashi.anticipation.fitting import FIT_SAMPLE, sample_rows
from omotenashi.anticipation.paretonbd import ParetoNBD
from omotenashi.anticipation.reasons import Contribution, Reason, reasons_for
from omotenashi.anticipation.sensitive import refuse_sensitive
from omotenashi.anticipation.transactions import FloatArray, Summary, Transactions, purchases_between, summarise
from omotenashi.core.errors import OmotenashiError

VERSION = "boosted-3"
# Features that can only raise the anticipation when they grow (or, for weeks_since_last, only lower it):
# monotone constraints keep a small training set from learning the opposite by chance.
RAISING = {"frequency", "purchases_4w", "purchases_13w", "purchases_26w", "rate"}
RAISING |= {"bgnbd_alive", "bgnbd_expected", "paretonbd_alive", "paretonbd_expected"}
LOWERING = {"weeks_since_last"}
# A training cutoff must leave at least this much history before it to learn from.
MIN_CUSTOMERS, MIN_REPEATS = 200, 20


class NotEnoughHistory(OmotenashiError):
    """The calibration period is too short, or has too few customers, to learn from a split inside it."""

    code = "not_enough_history"


@dataclass(frozen=True)
class BoostedSettings:
    """How the boosted model learns; the defaults were chosen on CDNOW customers outside the paper's sample."""

    windows_weeks: tuple[float, ...] = (8.0, 13.0, 20.0)
    reference_weeks: float = 13.0
    members: int = 20
    max_bins: int = 255
    shrink: float = 0.5
    learning_rate: float = 0.06
    max_depth: int = 3
    min_samples_leaf: int = 80
    l2_regularization: float = 5.0
    max_iter: int = 150
    cut_fit_iterations: int = 60
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


def _structural(summary: Summary, horizon: float, bg: BGNBD, pn: ParetoNBD) -> dict[str, FloatArray]:
    x, tx, big_t = summary.frequency, summary.recency, summary.T
    return {
        "bgnbd_alive": bg.probability_alive(x, tx, big_t),
        "bgnbd_expected": bg.conditional_expected_purchases(horizon, x, tx, big_t),
        "paretonbd_alive": pn.probability_alive(x, tx, big_t),
        "paretonbd_expected": pn.conditional_expected_purchases(horizon, x, tx, big_t),
    }


@dataclass(frozen=True)
class _Window:
    """One time split inside the calibration period: features as of its cutoff, what followed, the offset."""

    weeks: float
    values: FloatArray
    label: FloatArray
    offset: FloatArray


class BoostedModel:
    """Fitted on one calibration period; forecasts any horizon after it, with reasons."""

    def __init__(
        self,
        regressors: list[HistGradientBoostingRegressor],
        bins: Bins,
        calibrator: IsotonicRegression,
        probability_weeks: float,
        summary: Summary,
        frame: FeatureFrame,
        pareto: ParetoNBD,
        settings: BoostedSettings,
        medians: FloatArray,
    ) -> None:
        self.regressors = regressors
        self.bins = bins
        self.calibrator = calibrator
        self.probability_weeks = probability_weeks
        self.summary = summary
        self.frame = frame
        self.pareto = pareto
        self.settings = settings
        self.medians = medians
        self.version = VERSION

    @property
    def trees(self) -> int:
        """How many trees the averaged models hold together."""
        return sum(int(r.n_iter_) for r in self.regressors)

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
        summary = summarise(known, calibration_end, first_from=first_from)
        x, tx, big_t = summary.frequency, summary.recency, summary.T
        if len(summary) < MIN_CUSTOMERS or x.sum() < MIN_REPEATS:
            raise NotEnoughHistory(
                f"only {len(summary)} customers and {x.sum():g} repeat purchase days in the calibration period",
                hint="choose a later calibration end, so that the calibration period holds more history",
            )
        bg, pareto = BGNBD.fit(x, tx, big_t), ParetoNBD.fit(x, tx, big_t)
        frame = features_as_of(known, summary, extra).with_columns(
            _structural(summary, settings.reference_weeks, bg, pareto)
        )
        refuse_sensitive(frame.names, sensitive)
        windows = [
            w
            for weeks in settings.windows_weeks
            if (w := _window(known, calibration_end, weeks, pareto, first_from, extra, settings)) is not None
        ]
        if not windows:
            shortest = min(settings.windows_weeks)
            raise NotEnoughHistory(
                f"fewer than {MIN_CUSTOMERS} customers or {MIN_REPEATS} repeat purchase days before the training "
                f"cutoff, {shortest:g} weeks before the calibration end",
                hint="choose a later calibration end, so that the calibration period holds more history",
            )
        values = np.vstack([w.values for w in windows])
        label = np.concatenate([w.label for w in windows])
        offset = np.concatenate([w.offset for w in windows])
        bins = Bins.learn(values, offset, settings.max_bins)
        binned = bins.apply(values)
        regressors = _fit_members(binned, label, offset, frame.names, settings)
        # The probability is calibrated on the window nearest the reference, on its own training rows.
        at = min(range(len(windows)), key=lambda i: abs(windows[i].weeks - settings.reference_weeks))
        nearest, first = windows[at], sum(len(w.label) for w in windows[:at])
        rows = binned[first : first + len(nearest.label)]
        in_window = nearest.offset * _correction(regressors, rows, settings.shrink)
        calibrator = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        calibrator.fit(in_window, (nearest.label > 0).astype(np.float64))
        medians = np.nanmedian(values, axis=0)
        return cls(regressors, bins, calibrator, nearest.weeks, summary, frame, pareto, settings, medians)

    @property
    def parameters(self) -> dict[str, float | int | str]:
        """What a stored model and a report say of how it was fitted."""
        return {"windows_weeks": ",".join(f"{w:g}" for w in self.settings.windows_weeks), "trees": self.trees}

    def correction(self, values: FloatArray | None = None) -> FloatArray:
        """The learned factor on the Pareto/NBD expectation: the models' mean in log scale, shrunk towards 1."""
        raw = self.frame.values if values is None else values
        return _correction(self.regressors, self.bins.apply(raw), self.settings.shrink)

    def predict(self, horizon_weeks: float) -> Anticipations:
        """Forecast each calibration-period customer's purchase days over the next `horizon_weeks` weeks."""
        s = self.summary
        factor = self.correction()
        expected = self.pareto.conditional_expected_purchases(horizon_weeks, s.frequency, s.recency, s.T) * factor
        window = self.probability_weeks
        in_window = self.pareto.conditional_expected_purchases(window, s.frequency, s.recency, s.T) * factor
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


def _window(
    known: Transactions,
    calibration_end: int,
    weeks: float,
    pareto: ParetoNBD,
    first_from: int | None,
    extra: ExtraFeatures | None,
    settings: BoostedSettings,
) -> _Window | None:
    """The training rows of one time split, or None when too little history comes before its cutoff."""
    cutoff = calibration_end - int(round(weeks * 7))
    summary = summarise(known, cutoff, first_from=first_from)
    if len(summary) < MIN_CUSTOMERS or summary.frequency.sum() < MIN_REPEATS:
        return None
    # The trees read at most FIT_SAMPLE rows in all, so a large cohort's windows need no more customers than that.
    limit = FIT_SAMPLE // len(settings.windows_weeks)
    if len(summary) > limit:
        summary = summary.take(sample_rows(len(summary), limit, settings.seed))
    x, tx, big_t = summary.frequency, summary.recency, summary.T
    bg = BGNBD.fit(x, tx, big_t)
    pn = ParetoNBD.fit_near(x, tx, big_t, pareto, max_iterations=settings.cut_fit_iterations)
    frame = features_as_of(known, summary, extra).with_columns(_structural(summary, settings.reference_weeks, bg, pn))
    label = purchases_between(known, summary, cutoff, calibration_end)
    # The offset is the whole period's Pareto/NBD, the model the forecast multiplies, read on the history up to
    # the cutoff: the trees learn how far customers sit from that model, not from the cut fit's level.
    offset = np.maximum(pareto.conditional_expected_purchases(weeks, x, tx, big_t), 1e-6)
    return _Window(weeks, frame.values, label, offset)


@dataclass(frozen=True)
class Bins:
    """Each feature's bin edges, found once on the stacked training rows and shared by every set of trees.

    The edges are quantiles weighted by the offset (what HistGradientBoosting would find itself from sample
    weights), or the midpoints between distinct values when there are few. Trees given the bin numbers split
    exactly where they would have on the values, but each of the many models no longer sorts and weighs every
    feature again: on CDNOW-sized groups that search was most of the fit.
    """

    edges: list[FloatArray]

    @classmethod
    def learn(cls, values: FloatArray, weight: FloatArray, max_bins: int) -> Bins:
        edges = []
        for column in values.T:
            known = ~np.isnan(column)
            order = np.argsort(column[known], kind="stable")
            sorted_values, cumulative = column[known][order], np.cumsum(weight[known][order])
            distinct = np.unique(sorted_values)
            if distinct.size <= max_bins:
                edges.append(np.asarray((distinct[:-1] + distinct[1:]) / 2.0))
                continue
            quantiles = cumulative[-1] * np.linspace(0.0, 1.0, max_bins + 1)[1:-1]
            picked = np.minimum(np.searchsorted(cumulative, quantiles), sorted_values.size - 1)
            edges.append(np.unique(sorted_values[picked]))
        return cls(edges)

    def apply(self, values: FloatArray) -> FloatArray:
        """Each value replaced by its bin's number (a value on an edge falls in the lower bin); NaN stays NaN."""
        out = np.empty_like(values, dtype=np.float64)
        for j, edges in enumerate(self.edges):
            column = values[:, j]
            out[:, j] = np.where(np.isnan(column), np.nan, np.searchsorted(edges, column, side="left"))
        return out


def _fit_members(
    values: FloatArray, label: FloatArray, offset: FloatArray, names: list[str], settings: BoostedSettings
) -> list[HistGradientBoostingRegressor]:
    """Several boosted corrections, each with its own early-stopping split and, for large cohorts, row sample.

    Poisson with an offset: the rate label/offset, weighted by the offset, has the same likelihood. `values` are
    bin numbers (`Bins`). Early stopping on one random split makes a single model's length (40 to 150 trees on
    CDNOW-sized groups) and so its correction noisy; the mean of twenty is steadier. Together they read at most
    `FIT_SAMPLE` rows, so a large cohort costs about what one model on the sample would.
    """
    per_member = max(FIT_SAMPLE // settings.members, 1)
    constraints = [1 if n in RAISING else -1 if n in LOWERING else 0 for n in names]
    members = []
    for k in range(settings.members):
        seed = settings.seed + k
        rows = sample_rows(label.size, per_member, seed)
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
            monotonic_cst=constraints,
            random_state=seed,
        )
        regressor.fit(values[rows], (label / offset)[rows], sample_weight=offset[rows])
        members.append(regressor)
    return members


def _correction(regressors: list[HistGradientBoostingRegressor], values: FloatArray, shrink: float) -> FloatArray:
    logs = [np.log(np.maximum(r.predict(values), 1e-9)) for r in regressors]
    return _shrunk(np.exp(np.mean(logs, axis=0)), shrink)


def _shrunk(factor: FloatArray, shrink: float) -> FloatArray:
    return np.asarray(1.0 + (1.0 - shrink) * (factor - 1.0))
