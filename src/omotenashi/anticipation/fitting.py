"""What fitting BG/NBD and Pareto/NBD share: exact compression of repeated histories, a start, a failure."""

from __future__ import annotations

import numpy as np

from omotenashi.anticipation.transactions import FloatArray, IntArray
from omotenashi.core.errors import OmotenashiError

FIT_SAMPLE = 250_000


class FitFailed(OmotenashiError):
    """The optimiser did not reach a finite likelihood: the data cannot identify the model."""

    code = "fit_failed"

    def __init__(self, model: str, reason: str) -> None:
        super().__init__(
            f"{model} could not be fitted: {reason}",
            hint="check that the calibration period holds repeat purchases and that dates are in order",
            model=model,
        )


def compress(
    frequency: FloatArray, recency: FloatArray, T: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Distinct (x, t_x, T) histories and how many customers share each; the likelihood is the same, and cheaper.

    Purchases counted in days make many customers share a history (everyone with no repeat purchase who first
    bought on the same day), so a million customers become a few hundred thousand distinct rows or fewer.
    """
    if frequency.size == 0:
        raise FitFailed("model", "there are no customers")
    if frequency.size > FIT_SAMPLE:
        # Four parameters are pinned down long before a million customers: their standard errors at 250,000 are
        # far below the precision anyone reads them at, so larger cohorts are fitted on a fixed random sample.
        pick = sample_rows(frequency.size, FIT_SAMPLE, 0)
        frequency, recency, T = frequency[pick], recency[pick], T[pick]
    # One 64-bit key per row: counts and day-based times are exact in this packing for any realistic history.
    x = np.asarray(frequency, dtype=np.float64)
    tx = np.asarray(recency, dtype=np.float64)
    big_t = np.asarray(T, dtype=np.float64)
    rows = np.stack([x, tx, big_t], axis=1)
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    return unique[:, 0].copy(), unique[:, 1].copy(), unique[:, 2].copy(), counts.astype(np.float64)


def sample_rows(n: int, k: int, seed: int) -> IntArray:
    """A fixed random choice of `k` of `n` row positions (all of them when `k` ≥ `n`), in order."""
    if k >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, k, replace=False))


def start_scale(frequency: FloatArray, T: FloatArray) -> float:
    """A starting α (weeks) of the right order: mean age over mean purchases plus one."""
    return max(float(np.mean(T)), 1.0) / (float(np.mean(frequency)) + 1.0)
