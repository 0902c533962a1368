"""What a customer's purchases say as of a cutoff day: time-windowed features, from transactions only.

Everything here reads purchases made on or before the cutoff and nothing after it, so features as of an earlier
day can be paired with what happened next without leaking it. Other per-customer knowledge the engine holds
(friction signal counts, support contacts, journey stage as a number) comes in through `extra`, keyed by customer
id; a customer missing from it gets NaN, which the tree models treat as "unknown", not as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from omotenashi.anticipation.transactions import FloatArray, IntArray, Summary, Transactions

WINDOWS_WEEKS = (4, 13, 26)
# Feature name → what it means, in words a person reads (used by reasons and the docs).
MEANINGS = {
    "frequency": "repeat purchase days so far",
    "recency": "weeks from first to last purchase",
    "tenure": "weeks since the first purchase",
    "weeks_since_last": "weeks since the last purchase",
    "purchases_4w": "purchase days in the last 4 weeks",
    "purchases_13w": "purchase days in the last 13 weeks",
    "purchases_26w": "purchase days in the last 26 weeks",
    "rate": "purchase days per week since the first purchase",
    "mean_gap": "mean weeks between purchases",
    "gap_spread": "spread of the weeks between purchases",
    "last_gap": "weeks between the last two purchases",
    "overdue": "weeks since the last purchase over the usual gap",
    "total_spend": "total spend",
    "mean_spend": "spend per purchase day",
    "first_spend": "spend on the first purchase day",
    "last_spend": "spend on the last purchase day",
    "spend_trend": "last purchase day's spend over the mean",
}
ExtraFeatures = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class FeatureFrame:
    """One row per summary customer, one column per named feature."""

    names: list[str]
    values: FloatArray
    customer: IntArray

    def column(self, name: str) -> FloatArray:
        return np.asarray(self.values[:, self.names.index(name)])

    def with_columns(self, columns: Mapping[str, FloatArray]) -> FeatureFrame:
        """The same rows with more named columns appended."""
        if not columns:
            return self
        stacked = np.column_stack([self.values, *columns.values()])
        return FeatureFrame([*self.names, *columns], stacked, self.customer)


def purchase_features(transactions: Transactions, summary: Summary) -> FeatureFrame:
    """Time-windowed purchase features for each summary customer, as of the summary's cutoff."""
    cutoff = summary.cutoff
    days = transactions.purchase_days().until(cutoff)
    n_all = len(transactions.ids)
    counts = np.bincount(days.customer, minlength=n_all)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    positions = summary.customer
    last_row = starts[positions] + counts[positions] - 1
    first_row = starts[positions]

    same = days.customer[1:] == days.customer[:-1]
    gap_weeks = np.diff(days.day) / 7.0
    gap_owner = days.customer[1:][same]
    gaps = gap_weeks[same]
    n_gaps = np.bincount(gap_owner, minlength=n_all)[positions].astype(np.float64)
    gap_sum = np.bincount(gap_owner, weights=gaps, minlength=n_all)[positions]
    gap_sq = np.bincount(gap_owner, weights=gaps**2, minlength=n_all)[positions]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_gap = np.where(n_gaps > 0, gap_sum / n_gaps, np.nan)
        spread = np.where(n_gaps > 1, np.sqrt(np.maximum(gap_sq / n_gaps - mean_gap**2, 0.0)), np.nan)
    has_gap = n_gaps > 0
    last_gap = np.full(len(summary), np.nan)
    last_gap[has_gap] = (days.day[last_row[has_gap]] - days.day[last_row[has_gap] - 1]) / 7.0

    since_last = summary.T - summary.recency
    total = np.bincount(days.customer, weights=days.amount, minlength=n_all)[positions]
    mean_spend = total / (summary.frequency + 1.0)
    last_spend = days.amount[last_row]
    columns: dict[str, FloatArray] = {
        "frequency": summary.frequency,
        "recency": summary.recency,
        "tenure": summary.T,
        "weeks_since_last": since_last,
    }
    for weeks in WINDOWS_WEEKS:
        recent = days.day > cutoff - 7 * weeks
        recent_counts = np.bincount(days.customer[recent], minlength=n_all)[positions]
        columns[f"purchases_{weeks}w"] = np.asarray(recent_counts, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["rate"] = np.where(summary.T > 0, summary.frequency / summary.T, np.nan)
        columns["mean_gap"] = mean_gap
        columns["gap_spread"] = spread
        columns["last_gap"] = last_gap
        columns["overdue"] = since_last / mean_gap
        columns["total_spend"] = np.asarray(total, dtype=np.float64)
        columns["mean_spend"] = mean_spend
        columns["first_spend"] = days.amount[first_row]
        columns["last_spend"] = last_spend
        columns["spend_trend"] = np.where(mean_spend > 0, last_spend / mean_spend, np.nan)
    names = list(columns)
    return FeatureFrame(names, np.column_stack([columns[n] for n in names]).astype(np.float64), positions)


def extra_columns(summary: Summary, extra: ExtraFeatures | None) -> dict[str, FloatArray]:
    """Columns for the engine's other per-customer knowledge, aligned with the summary; NaN where unknown."""
    if not extra:
        return {}
    ids = summary.customer_ids()
    return {name: np.array([float(by_id.get(i, np.nan)) for i in ids]) for name, by_id in extra.items()}


def features_as_of(transactions: Transactions, summary: Summary, extra: ExtraFeatures | None = None) -> FeatureFrame:
    """Purchase features plus the extra per-customer features, for each summary customer."""
    return purchase_features(transactions, summary).with_columns(extra_columns(summary, extra))
