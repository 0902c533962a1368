"""The two models of a risk (churn, support contact): a one-feature baseline and the boosted candidate.

- **Baseline**: logistic regression on one feature chosen in advance for the task (churn: active days in the last
  28; support contact: support contacts in the last 30 days), the kind of rule a team would write by hand.
- **Boosted**: `HistGradientBoostingClassifier` (log loss, trees of depth 2, strong regularisation, early stopping
  on 15 % of the training rows; chosen on one simulator seed that the reported figures do not use) on every
  behaviour feature: usage and its trend, support history, friction signals, subscription, counted events, journey
  stage and steps.

Both give calibrated-enough probabilities to read as chances (the holdout's Brier score says how well). Each
explains a customer's score by its own contributions: every fact in turn (a fact's features together, e.g. the
three usage windows) set to the typical customer's values and the model asked again; the change in log-odds is
that fact's weight.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from omotenashi.anticipation.behaviour_features import TOPICS, FloatArray, Frame
from omotenashi.anticipation.reasons import Contribution
from omotenashi.anticipation.sensitive import refuse_sensitive

if TYPE_CHECKING:  # scikit-learn is imported when a model is fitted, not by every command that starts
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

# One OpenMP thread: these trees are small, and on a busy machine (other work on the same cores) the threads of
# HistGradientBoosting wait on each other; measured 20x slower with two threads under load than with one.
ONE_THREAD = {"limits": 1, "user_api": "openmp"}
BOOSTED_VERSION = "risk-boosted-1"
BASELINE_VERSION = "risk-baseline-1"
EPS = 1e-6


def topic_of(feature: str) -> str:
    """The fact a feature speaks to (a counted event is its own fact)."""
    if feature.startswith("count_"):
        return "count:" + feature.removeprefix("count_").rsplit("_", 1)[0]
    return TOPICS.get(feature, feature)


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, EPS, 1 - EPS)
    return np.asarray(np.log(q / (1 - q)))


def _typical(values: FloatArray) -> FloatArray:
    """Per column, the typical customer's value: the median, or NaN (unknown) where most rows are unknown."""
    out = np.full(values.shape[1], np.nan)
    for j in range(values.shape[1]):
        column = values[:, j]
        known = column[~np.isnan(column)]
        if known.size and known.size * 2 >= column.size:
            out[j] = float(np.median(known))
    return out


@dataclass
class RiskModel:
    """A fitted risk model: which features it reads, and the estimator."""

    name: str  # "boosted" or "baseline"
    version: str
    features: list[str]
    estimator: HistGradientBoostingClassifier | LogisticRegression
    typical: FloatArray  # per feature: the training rows' typical value (reasons compare against it)
    fill: FloatArray  # per feature: what an unknown value is read as (baseline only; the trees read NaN)
    iterations: int = 0

    def _ready(self, values: FloatArray) -> FloatArray:
        if self.name == "baseline":
            values = np.where(np.isnan(values), self.fill, values)
        return values

    def _proba(self, values: FloatArray) -> FloatArray:
        with threadpool_limits(**ONE_THREAD):
            return np.asarray(self.estimator.predict_proba(self._ready(values))[:, 1])

    def predict(self, frame: Frame) -> FloatArray:
        """P(the event within the horizon) per row."""
        if len(frame) == 0:
            return np.zeros(0)
        return self._proba(np.column_stack([frame.column(f) for f in self.features]))

    def contributions(self, frame: Frame, rows: Iterable[int] | None = None) -> list[list[Contribution]]:
        """Per asked-for row: each fact's effect on the log-odds (a fact's features set to typical together)."""
        picked = list(range(len(frame))) if rows is None else list(rows)
        if not picked:
            return []
        values = np.column_stack([frame.column(f) for f in self.features])[picked]
        base = _logit(self._proba(values))
        topics: dict[str, list[int]] = {}
        for j, feature in enumerate(self.features):
            topics.setdefault(topic_of(feature), []).append(j)
        out: list[list[Contribution]] = [[] for _ in picked]
        for topic, columns in topics.items():
            occluded = values.copy()
            occluded[:, columns] = self.typical[columns]
            effect = base - _logit(self._proba(occluded))
            for i, e in enumerate(effect.tolist()):
                out[i].append(Contribution(topic, e))
        return out

    def parameters(self) -> dict[str, float | int | str]:
        """What is stored with the model row."""
        body: dict[str, float | int | str] = {"features": ", ".join(self.features)}
        if self.name == "baseline":
            body["coefficient"] = float(self.estimator.coef_[0][0])
            body["intercept"] = float(self.estimator.intercept_[0])
        else:
            body["trees"] = self.iterations
        return body


def fit_boosted(frame: Frame, label: Sequence[bool] | np.ndarray, sensitive: Iterable[str] = ()) -> RiskModel:
    """The candidate, on every feature of the frame (refused if one is named for a sensitive attribute)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    refuse_sensitive(frame.names, sensitive)
    y = np.asarray(label, dtype=np.int64)
    estimator = HistGradientBoostingClassifier(
        learning_rate=0.03,
        max_depth=2,
        min_samples_leaf=80,
        l2_regularization=5.0,
        max_iter=400,
        early_stopping=True,
        validation_fraction=0.15,
        n_iter_no_change=40,
        random_state=0,
    )
    with threadpool_limits(**ONE_THREAD):
        estimator.fit(frame.values, y)
    return RiskModel(
        "boosted",
        BOOSTED_VERSION,
        list(frame.names),
        estimator,
        _typical(frame.values),
        np.zeros(len(frame.names)),
        int(estimator.n_iter_),
    )


def fit_baseline(
    frame: Frame, label: Sequence[bool] | np.ndarray, feature: str, sensitive: Iterable[str] = ()
) -> RiskModel:
    """The baseline: logistic regression on one feature (unknown values read as the training median)."""
    from sklearn.linear_model import LogisticRegression

    refuse_sensitive([feature], sensitive)
    y = np.asarray(label, dtype=np.int64)
    column = frame.column(feature)
    known = column[~np.isnan(column)]
    fill = np.array([float(np.median(known)) if known.size else 0.0])
    estimator = LogisticRegression(C=1.0, max_iter=1_000)
    estimator.fit(np.where(np.isnan(column), fill[0], column).reshape(-1, 1), y)
    typical = _typical(column.reshape(-1, 1))
    return RiskModel("baseline", BASELINE_VERSION, [feature], estimator, typical, fill)


# --- measures ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskMeasures:
    """How well one model's probabilities matched what happened in the holdout."""

    model: str
    version: str
    auc: float
    brier: float
    precision_at_top: float  # share of the top decile (by score) who did it
    recall_at_top: float  # share of those who did it found in the top decile
    mean_score: float
    parameters: dict[str, float | int | str]


def top_share(score: FloatArray, happened: np.ndarray, share: float = 0.1) -> tuple[float, float]:
    """Precision and recall of the top `share` of rows by score; rows tied at the threshold count in proportion.

    Without that, a model that scores many customers alike (a count that is mostly zero) would look better or worse
    by the order rows happen to be in.
    """
    y = np.asarray(happened, dtype=bool)
    n = score.size
    if n == 0 or not y.any():
        return float("nan"), float("nan")
    k = max(1, math.ceil(share * n))
    threshold = np.sort(score)[::-1][k - 1]
    above = score > threshold
    tied = score == threshold
    room = k - int(above.sum())
    expected = float(y[above].sum()) + (room / int(tied.sum())) * float(y[tied].sum())
    return expected / k, expected / float(y.sum())


def measure(model: RiskModel, frame: Frame, happened: np.ndarray) -> RiskMeasures:
    """AUC, Brier score, precision and recall at the top decile of one model on holdout rows."""
    from omotenashi.anticipation.metrics import auc

    p = model.predict(frame)
    y = np.asarray(happened, dtype=np.float64)
    precision, recall = top_share(p, happened)
    return RiskMeasures(
        model.name,
        model.version,
        auc(p, happened),
        float(np.mean((p - y) ** 2)) if p.size else float("nan"),
        precision,
        recall,
        float(p.mean()) if p.size else float("nan"),
        model.parameters(),
    )
