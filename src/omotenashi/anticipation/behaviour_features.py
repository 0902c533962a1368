"""Features and labels of the churn and support-contact models, at a cutoff.

Features read only what happened strictly before the cutoff (and signals first seen before it, counted open if they
had not ended by then); labels read only what happened from the cutoff on, within the horizon. So features at an
earlier cutoff can be paired with what happened next, and a model trained on them has not seen the future.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from omotenashi.anticipation.behaviour_log import DAY_MS, BehaviourLog, BoolArray, Column, IntArray
from omotenashi.config.journeys import STAGES

FloatArray = NDArray[np.float64]
ACTIVE_WINDOW_DAYS = 90  # who may be anticipated: a known customer seen within this many days
# Feature → the fact about the customer it speaks to; reasons pool the features of one fact.
TOPICS: dict[str, str] = {
    "active_days_7": "usage",
    "active_days_28": "usage",
    "active_days_prior_28": "usage",
    "usage_trend": "usage",
    "days_since_active": "usage",
    "tenure_days": "tenure",
    "contacts_7": "support",
    "contacts_30": "support",
    "contacts_90": "support",
    "days_since_contact": "support",
    "signals_30": "friction",
    "signals_45": "friction",
    "open_signals": "friction",
    "open_quiet_decline": "decline",
    "open_stall": "stall",
    "subscribed": "subscription",
    "days_since_renewal": "subscription",
    "subscribed_days": "subscription",
    "journey_steps_done": "journey",
    **{f"stage_{s}": "stage" for s in STAGES},
}


def slug(name: str) -> str:
    """A feature-name fragment from an event name: `Payment Failed` → `payment_failed`."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_") or "event"


def counted_feature(event: str, days: int) -> str:
    return f"count_{slug(event)}_{days}"


@dataclass(frozen=True)
class Frame:
    """One row per (customer, cutoff), one column per named feature."""

    names: list[str]
    values: FloatArray
    customer: IntArray  # positions in the log's ids
    cutoff: IntArray  # the cutoff of each row, epoch ms

    def __len__(self) -> int:
        return int(self.customer.size)

    def column(self, name: str) -> FloatArray:
        return np.asarray(self.values[:, self.names.index(name)])

    def facts(self, row: int) -> dict[str, float]:
        """One row as {feature: value}: what reasons are written from."""
        return dict(zip(self.names, self.values[row].tolist(), strict=True))


def _count(col: Column, lo: int, hi: int, n: int, code: int | None = None) -> FloatArray:
    """Rows per customer with lo ≤ ts < hi (of one code, when given)."""
    a, b = np.searchsorted(col.ts, [lo, hi], side="left")
    customers = col.customer[a:b]
    if code is not None:
        customers = customers[col.code[a:b] == code]
    return np.bincount(customers, minlength=n).astype(np.float64)


def _last(col: Column, before: int, n: int) -> tuple[IntArray, IntArray]:
    """Each customer's last row before `before`: its ts and code (-1 where there is none)."""
    stop = int(np.searchsorted(col.ts, before, side="left"))
    ts = np.full(n, -1, dtype=np.int64)
    code = np.full(n, -1, dtype=np.int64)
    if stop:
        rev_customer = col.customer[:stop][::-1]
        unique, first = np.unique(rev_customer, return_index=True)
        ts[unique] = col.ts[:stop][::-1][first]
        code[unique] = col.code[:stop][::-1][first]
    return ts, code


def _first(col: Column, before: int, n: int, code: int | None = None) -> IntArray:
    """Each customer's first row before `before` (of one code, when given): its ts, -1 where there is none."""
    stop = int(np.searchsorted(col.ts, before, side="left"))
    customer, ts = col.customer[:stop], col.ts[:stop]
    if code is not None:
        keep = col.code[:stop] == code
        customer, ts = customer[keep], ts[keep]
    out = np.full(n, -1, dtype=np.int64)
    unique, first = np.unique(customer, return_index=True)
    out[unique] = ts[first]
    return out


def _days_since(ts: IntArray, cutoff: int) -> FloatArray:
    out = (cutoff - ts) / DAY_MS
    return np.where(ts >= 0, out, np.nan)


def feature_names(log: BehaviourLog) -> list[str]:
    """The features every row has, in column order."""
    names = [
        "active_days_7",
        "active_days_28",
        "active_days_prior_28",
        "usage_trend",
        "days_since_active",
        "tenure_days",
        "contacts_7",
        "contacts_30",
        "contacts_90",
        "days_since_contact",
        "signals_30",
        "signals_45",
        "open_signals",
        "open_quiet_decline",
        "open_stall",
        "subscribed",
        "days_since_renewal",
        "subscribed_days",
    ]
    for event in log.count_events:
        names += [counted_feature(event, 7), counted_feature(event, 30)]
    if log.step_names:
        names.append("journey_steps_done")
    if len(log.stages):
        names += [f"stage_{s}" for s in STAGES]
    return names


def features_at(log: BehaviourLog, cutoff: int, rows: IntArray) -> Frame:
    """The features of the customers at positions `rows`, from what happened strictly before `cutoff`."""
    n = log.size
    day = DAY_MS
    cols: dict[str, FloatArray] = {}
    recent = _count(log.use, cutoff - 28 * day, cutoff, n)
    prior = _count(log.use, cutoff - 56 * day, cutoff - 28 * day, n)
    tenure = np.where(log.first_ts < cutoff, (cutoff - log.first_ts) / day, np.nan)
    cols["active_days_7"] = _count(log.use, cutoff - 7 * day, cutoff, n)
    cols["active_days_28"] = recent
    cols["active_days_prior_28"] = prior
    # Active days per observed day, the last four weeks over the four before (NaN until there were four before).
    with np.errstate(divide="ignore", invalid="ignore"):
        observed_prior = np.clip(tenure - 28, 0, 28)
        rate_recent = recent / np.clip(tenure, 1, 28)
        rate_prior = np.where(observed_prior >= 7, prior / np.maximum(observed_prior, 1), np.nan)
        cols["usage_trend"] = np.where(rate_prior > 0, rate_recent / rate_prior, np.nan)
    last_use, _ = _last(log.use, cutoff, n)
    cols["days_since_active"] = np.floor(_days_since(last_use, cutoff))
    cols["tenure_days"] = tenure
    cols["contacts_7"] = _count(log.contacts, cutoff - 7 * day, cutoff, n)
    cols["contacts_30"] = _count(log.contacts, cutoff - 30 * day, cutoff, n)
    cols["contacts_90"] = _count(log.contacts, cutoff - 90 * day, cutoff, n)
    last_contact, _ = _last(log.contacts, cutoff, n)
    cols["days_since_contact"] = _days_since(last_contact, cutoff)
    cols.update(_signal_columns(log, cutoff))
    last_sub, state = _last(log.subscription, cutoff, n)
    subscribed = state == 1
    cols["subscribed"] = subscribed.astype(np.float64)
    cols["days_since_renewal"] = np.where(subscribed, _days_since(last_sub, cutoff), np.nan)
    first_sub = _first(log.subscription, cutoff, n, code=1)
    cols["subscribed_days"] = np.where(subscribed, _days_since(first_sub, cutoff), np.nan)
    for i, event in enumerate(log.count_events):
        cols[counted_feature(event, 7)] = _count(log.counted, cutoff - 7 * day, cutoff, n, code=i)
        cols[counted_feature(event, 30)] = _count(log.counted, cutoff - 30 * day, cutoff, n, code=i)
    if log.step_names:
        reached = _count(log.steps, 0, cutoff, n)
        cols["journey_steps_done"] = reached / len(log.step_names)
    if len(log.stages):
        _, stage = _last(log.stages, cutoff, n)
        for i, s in enumerate(STAGES):
            cols[f"stage_{s}"] = (stage == i).astype(np.float64)
    names = feature_names(log)
    values = np.column_stack([cols[name][rows] for name in names]) if len(rows) else np.zeros((0, len(names)))
    return Frame(names, values.astype(np.float64), rows.astype(np.int64), np.full(len(rows), cutoff, dtype=np.int64))


def _signal_columns(log: BehaviourLog, cutoff: int) -> dict[str, FloatArray]:
    n = log.size
    col = log.signals
    stop = int(np.searchsorted(col.ts, cutoff, side="left"))
    seen = slice(0, stop)
    open_now = log.signal_resolved[seen] > cutoff
    recent = col.ts[seen] >= cutoff - 30 * DAY_MS
    lately = col.ts[seen] >= cutoff - 45 * DAY_MS
    customers, codes = col.customer[seen], col.code[seen]
    out = {
        "signals_30": np.bincount(customers[recent], minlength=n).astype(np.float64),
        "signals_45": np.bincount(customers[lately], minlength=n).astype(np.float64),
        # Open and seen within the last 45 days: an old signal nobody closed says little about now.
        "open_signals": np.bincount(customers[open_now & lately], minlength=n).astype(np.float64),
    }
    for kind in ("quiet_decline", "stall"):
        flag = np.zeros(n)
        if kind in log.signal_kinds:
            mine = open_now & (codes == log.signal_kinds.index(kind))
            flag[np.unique(customers[mine])] = 1.0
        out[f"open_{kind}"] = flag
    return out


# --- who is anticipated, and what happened next ---------------------------------------------------------------------


def seen_recently(log: BehaviourLog, cutoff: int) -> BoolArray:
    """Known customers with any activity in the `ACTIVE_WINDOW_DAYS` before the cutoff."""
    last, _ = _last(log.any, cutoff, log.size)
    return log.identified & (last >= cutoff - ACTIVE_WINDOW_DAYS * DAY_MS)


def subscribers(log: BehaviourLog, cutoff: int) -> BoolArray:
    """Known customers whose last subscription event before the cutoff started or renewed one."""
    _, state = _last(log.subscription, cutoff, log.size)
    return np.asarray(log.identified & (state == 1), dtype=bool)


def ended_within(log: BehaviourLog, cutoff: int, horizon_days: int) -> BoolArray:
    """Whether each customer's subscription ended at or after the cutoff, within the horizon."""
    return _count(log.subscription, cutoff, cutoff + horizon_days * DAY_MS, log.size, code=0) > 0


def contacted_within(log: BehaviourLog, cutoff: int, horizon_days: int) -> BoolArray:
    """Whether each customer contacted support at or after the cutoff, within the horizon."""
    return _count(log.contacts, cutoff, cutoff + horizon_days * DAY_MS, log.size) > 0
