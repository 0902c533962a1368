"""Churn and support-contact risk: who is anticipated at a cutoff, what counts as it happening, and the holdout check.

**Cutoffs.** Weekly, counted back from the log's end (`as_of`, just after its latest activity). A cutoff is
*labelled* when its horizon ended before `as_of`: what each customer did in it is known.

**Time-based split.** The labelled cutoffs of the last `holdout_days` (before the horizon) are the test window; the
models learn from the labelled cutoffs whose horizon ended before the first test cutoff (so nothing a test label
reads was seen in training), and at least `WARMUP_DAYS` after the log began (features need some history). The
baseline and the boosted candidate learn the same rows, and are measured on the same test rows: AUC, Brier score,
precision and recall at the top decile. The candidate is promoted only if it beats the baseline on both AUC and the
Brier score; otherwise the baseline is used.

**Scoring.** The model used learns again from every labelled cutoff, and every customer anticipated at `as_of` gets
a probability with its reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from omotenashi.anticipation import behaviour_features as bf
from omotenashi.anticipation.behaviour_log import DAY_MS, BehaviourLog, BoolArray
from omotenashi.anticipation.risk_model import RiskMeasures, RiskModel, fit_baseline, fit_boosted, measure
from omotenashi.core.errors import OmotenashiError

WARMUP_DAYS = 28
STEP_DAYS = 7
MIN_POSITIVES = 5  # fewer events than this in the training rows or in the test window: nothing to learn or check


class NotEnoughBehaviour(OmotenashiError):
    """The log is too short, or the event too rare in it, to learn the risk and check it on a later window."""

    code = "not_enough_behaviour"


@dataclass(frozen=True)
class RiskTask:
    """One risk: who may have it at a cutoff, whether it happened within the horizon, and the baseline's feature."""

    kind: str  # the anticipation kind, e.g. churn_risk
    family: str  # the model family, e.g. churn (stored model names are `family:model`)
    horizon_days: int
    baseline_feature: str
    population: Callable[[BehaviourLog, int], BoolArray]
    happened: Callable[[BehaviourLog, int, int], BoolArray]
    event: str  # what happens, in words: for messages

    def label(self, log: BehaviourLog, cutoff: int) -> BoolArray:
        return self.happened(log, cutoff, self.horizon_days)


def churn_task(horizon_days: int) -> RiskTask:
    """Will a subscriber's subscription end (cancelled, not renewed) within the horizon?"""
    return RiskTask(
        "churn_risk", "churn", horizon_days, "active_days_28", bf.subscribers, bf.ended_within, "a subscription end"
    )


def support_task(horizon_days: int) -> RiskTask:
    """Will a customer seen lately contact support within the horizon?"""
    return RiskTask(
        "support_contact_risk",
        "support_contact",
        horizon_days,
        "contacts_30",
        bf.seen_recently,
        bf.contacted_within,
        "a support contact",
    )


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).date().isoformat()


@dataclass(frozen=True)
class Schedule:
    """The cutoffs of one check: training, test, and all labelled (what the model used learns from at the end)."""

    as_of: int
    train: list[int]
    test: list[int]
    labelled: list[int]


def schedule(log: BehaviourLog, horizon_days: int, holdout_days: int) -> Schedule:
    """Weekly cutoffs back from the log's end, split in time (see the module's description)."""
    as_of = log.last_ts + 1
    start = int(log.first_ts.min()) if log.size else as_of
    earliest = start + WARMUP_DAYS * DAY_MS
    horizon = horizon_days * DAY_MS
    labelled = []
    k = 0
    while True:
        cutoff = as_of - k * STEP_DAYS * DAY_MS
        k += 1
        if cutoff < earliest:
            break
        if cutoff + horizon <= as_of:
            labelled.append(cutoff)
    labelled.sort()
    test = [c for c in labelled if c > as_of - horizon - holdout_days * DAY_MS]
    first_test = min(test) if test else as_of
    train = [c for c in labelled if c + horizon <= first_test]
    return Schedule(as_of, train, test, labelled)


def rows_at(log: BehaviourLog, task: RiskTask, cutoffs: Iterable[int]) -> tuple[bf.Frame, BoolArray]:
    """Features and labels of every customer the task anticipates, at each cutoff, stacked."""
    frames, labels = [], []
    for cutoff in cutoffs:
        rows = np.flatnonzero(task.population(log, cutoff))
        frames.append(bf.features_at(log, cutoff, rows))
        labels.append(task.label(log, cutoff)[rows])
    names = bf.feature_names(log)
    if not frames:
        return bf.Frame(names, np.zeros((0, len(names))), np.zeros(0, np.int64), np.zeros(0, np.int64)), np.zeros(
            0, dtype=bool
        )
    return (
        bf.Frame(
            names,
            np.vstack([f.values for f in frames]),
            np.concatenate([f.customer for f in frames]),
            np.concatenate([f.cutoff for f in frames]),
        ),
        np.concatenate(labels),
    )


@dataclass(frozen=True)
class RiskPromotion:
    """Whether the boosted candidate replaces the baseline, and every measure where it fell short."""

    promoted: bool
    shortfalls: list[str]


@dataclass(frozen=True)
class RiskReport:
    """The holdout check of one risk: the split, what happened, and both models side by side."""

    kind: str
    horizon_days: int
    as_of: str
    train_cutoffs: list[str]
    test_cutoffs: list[str]
    train_rows: int
    train_positives: int
    test_rows: int
    test_positives: int
    base_rate: float
    models: list[RiskMeasures]
    promotion: RiskPromotion
    features: list[str] = field(default_factory=list)
    synthetic: bool = False  # True when measured on the simulator's made-up company

    def model(self, name: str) -> RiskMeasures:
        return next(m for m in self.models if m.model == name)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        return asdict(self)


def promote(candidate: RiskMeasures, baseline: RiskMeasures) -> RiskPromotion:
    """The candidate is promoted only if its AUC is higher and its Brier score lower than the baseline's."""
    shortfalls = []
    if not (np.isfinite(candidate.auc) and candidate.auc > baseline.auc):
        shortfalls.append(f"auc {candidate.auc:.4f} is not better than the baseline's {baseline.auc:.4f}")
    if not (np.isfinite(candidate.brier) and candidate.brier < baseline.brier):
        shortfalls.append(f"brier {candidate.brier:.5f} is not better than the baseline's {baseline.brier:.5f}")
    return RiskPromotion(not shortfalls, shortfalls)


@dataclass(frozen=True)
class Checked:
    """A holdout check and the model it chose (fitted on the training cutoffs only)."""

    report: RiskReport
    chosen: str  # "boosted" or "baseline"
    schedule: Schedule
    boosted: RiskModel  # as fitted on the training cutoffs
    baseline: RiskModel


def check(
    log: BehaviourLog,
    task: RiskTask,
    holdout_days: int,
    *,
    sensitive: Iterable[str] = (),
    synthetic: bool = False,
) -> Checked:
    """Learn on the earlier cutoffs, measure both models on the later window, and say which one earned its use."""
    sensitive = list(sensitive)
    plan = schedule(log, task.horizon_days, holdout_days)
    if not plan.test or not plan.train:
        days = (log.last_ts - int(log.first_ts.min())) // DAY_MS if log.size else 0
        raise NotEnoughBehaviour(
            f"{task.kind}: {days} days of history are too few to learn on some weeks and check on later ones",
            hint=f"it needs about {WARMUP_DAYS + 2 * task.horizon_days + holdout_days + STEP_DAYS} days "
            f"(warm-up {WARMUP_DAYS}, twice the {task.horizon_days}-day horizon, the {holdout_days}-day holdout)",
        )
    train, y_train = rows_at(log, task, plan.train)
    test, y_test = rows_at(log, task, plan.test)
    if int(y_train.sum()) < MIN_POSITIVES or int(y_test.sum()) < MIN_POSITIVES:
        raise NotEnoughBehaviour(
            f"{task.kind}: {int(y_train.sum())} training rows and {int(y_test.sum())} test rows saw {task.event} "
            f"(at least {MIN_POSITIVES} of each are needed)",
            hint="check the events named in the house file's anticipation section, or wait for more history",
        )
    boosted = fit_boosted(train, y_train, sensitive)
    baseline = fit_baseline(train, y_train, task.baseline_feature, sensitive)
    candidate, base = measure(boosted, test, y_test), measure(baseline, test, y_test)
    promotion = promote(candidate, base)
    report = RiskReport(
        kind=task.kind,
        horizon_days=task.horizon_days,
        as_of=_iso(plan.as_of),
        train_cutoffs=[_iso(c) for c in plan.train],
        test_cutoffs=[_iso(c) for c in plan.test],
        train_rows=len(train),
        train_positives=int(y_train.sum()),
        test_rows=len(test),
        test_positives=int(y_test.sum()),
        base_rate=float(y_test.mean()),
        models=[base, candidate],
        promotion=promotion,
        features=list(train.names),
        synthetic=synthetic,
    )
    return Checked(report, "boosted" if promotion.promoted else "baseline", plan, boosted, baseline)


@dataclass(frozen=True)
class RiskScores:
    """The chosen model, refitted on every labelled cutoff, and its anticipation of each customer at `as_of`."""

    model: RiskModel
    frame: bf.Frame
    scores: np.ndarray
    training_rows: int


def fit_and_score(log: BehaviourLog, task: RiskTask, checked: Checked, *, sensitive: Iterable[str] = ()) -> RiskScores:
    """Learn again from every labelled cutoff with the chosen model and anticipate everyone at the log's end."""
    sensitive = list(sensitive)
    frame, label = rows_at(log, task, checked.schedule.labelled)
    if checked.chosen == "boosted":
        model = fit_boosted(frame, label, sensitive)
    else:
        model = fit_baseline(frame, label, task.baseline_feature, sensitive)
    as_of = checked.schedule.as_of
    now = bf.features_at(log, as_of, np.flatnonzero(task.population(log, as_of)))
    return RiskScores(model, now, model.predict(now), len(frame))
