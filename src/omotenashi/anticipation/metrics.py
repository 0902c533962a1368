"""How close per-customer forecasts came to what customers then did: the measures a holdout report reads."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

from omotenashi.anticipation.transactions import FloatArray


def mae(predicted: FloatArray, actual: FloatArray) -> float:
    """Mean absolute error per customer."""
    return float(np.mean(np.abs(predicted - actual)))


def rmse(predicted: FloatArray, actual: FloatArray) -> float:
    """Root mean squared error per customer."""
    return float(np.sqrt(np.mean((predicted - actual) ** 2)))


def correlation(predicted: FloatArray, actual: FloatArray) -> float:
    """Pearson correlation of forecast with actual purchases (NaN when either is constant)."""
    if predicted.size < 2 or np.std(predicted) == 0 or np.std(actual) == 0:
        return float("nan")
    return float(np.corrcoef(predicted, actual)[0, 1])


def auc(score: FloatArray, happened: NDArray[np.bool_] | FloatArray) -> float:
    """Area under the ROC curve: the chance a random customer who bought again scores above one who did not.

    Ties count one half (the Mann–Whitney form, with mid-ranks), so a model that cannot tell customers apart
    scores 0.5, not better.
    """
    positive = np.asarray(happened, dtype=bool)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
