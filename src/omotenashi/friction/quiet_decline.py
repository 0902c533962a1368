"""Quiet decline: a customer's use falling against their own baseline, with no word from them.

Use is counted in active hours (hours with anything from the customer's browser or app). On each day, the last
`recent_days` are compared with the `baseline_days` before them (or as many as there are, from three weeks on, the
customer's first two weeks left out: signing up and settling in is busier than a habit): a
decline is at most `max_ratio` of the baseline's rate, and too large a drop to be chance (a Poisson test at
`confidence`). It is seen on the first such day and resolved when the recent rate is back to `recover_ratio` of the
baseline. A holiday (a week or so of nothing, then back to normal) keeps most of the recent window busy; customers
whose use is low and stays low are compared with themselves; after a `stop_events` event (a cancellation) falling
use is the expected end, not a quiet decline.

The judgement of a day uses only days before it, so a day is judged once, when the customer's clock (the
workspace's event time) has passed it; an event arriving late for an earlier day has the days after it judged again.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection

from omotenashi.config.friction import FrictionEventNames, QuietDeclineSettings
from omotenashi.friction.base import DAY, HOUR, Context, Finding, Observation, Triggers
from omotenashi.friction.events import Event
from omotenashi.store import signals as repo

MIN_BASELINE_DAYS = 21
WARMUP_DAYS = 14  # a customer's first days (signing up, settling in) are busier than their habit: not a baseline
MAX_EPISODES = 12
HOURS_PER_DAY = DAY // HOUR


def poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean)."""
    if mean <= 0:
        return 1.0
    term = math.exp(-mean)
    total = term
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return min(1.0, total)


class QuietDecline:
    """Keeps the customer's active hours (with the first event of each) and judges each day once."""

    name: ClassVar[str] = "quiet_decline"

    def __init__(self, settings: QuietDeclineSettings, names: FrictionEventNames) -> None:
        self.settings = settings
        self.names = names
        self.purposes = frozenset(settings.purposes)
        self.s = settings
        self.stops = frozenset(settings.stop_events)
        self.keep_days = settings.baseline_days + settings.recent_days + 14
        self.triggers = Triggers(tracks=self.stops, device=True)

    def to_wake(self, conn: Connection, workspace_id: str, now: int, final: bool) -> list[str]:
        """At the end of a history, every customer it keeps: days after their last look are judged too (a look is
        otherwise due only when a decline may show; judging them all makes the end the same however it was read)."""
        return repo.customers_of_detector(conn, workspace_id, self.name) if final else []

    def wants(self, e: Event) -> bool:
        return e.device is not None or (e.type == "track" and e.name in self.stops)

    def observe(
        self, state: dict[str, Any] | None, events: Sequence[Event], now: int, ctx: Context | None = None
    ) -> Observation:
        st: dict[str, Any] = dict(state) if state else {"h": [], "e": None}
        hours: list[list[int]] = st["h"]
        seen: dict[int, int] = {}  # hour → first seq, of these events
        earliest_new: int | None = None
        stop = st.get("x")
        stops = self.stops
        for e in events:
            if e.device is not None:
                hour = e.ts // HOUR
                if hour not in seen:
                    seen[hour] = e.seq
            elif e.type == "track" and e.name in stops and (stop is None or e.ts < stop):
                stop = st["x"] = e.ts
                earliest_new = _min(earliest_new, e.ts // DAY)
        if seen:
            last = hours[-1][0] if hours else -1
            known = {h for h, _ in hours} if min(seen) <= last else ()
            fresh = [[h, q] for h, q in seen.items() if h > last or h not in known]
            if fresh:
                hours = st["h"] = sorted([*hours, *fresh])
                earliest_new = _min(earliest_new, min(h for h, _ in fresh) // HOURS_PER_DAY)
        today = now // DAY
        evaluated = st.get("e")
        due = st.get("d")
        if earliest_new is None and (due is None or now < due) and evaluated is not None and evaluated >= today:
            return Observation(state, False, due=due)
        redo = evaluated is None or (earliest_new is not None and earliest_new < evaluated)
        return self._judge(st, today, redo, changed=earliest_new is not None)

    # --- judging days ----------------------------------------------------------------------------------------------

    def _judge(self, st: dict[str, Any], today: int, redo: bool, *, changed: bool) -> Observation:
        hours: list[list[int]] = st["h"]
        stamps = [h for h, _ in hours]
        if not stamps:
            return Observation(None, True)
        first_day = stamps[0] // HOURS_PER_DAY + WARMUP_DAYS
        oldest_judged = first_day + MIN_BASELINE_DAYS + self.s.recent_days
        episodes: list[dict[str, Any]] = [] if redo else list(st.get("p", []))
        start = oldest_judged if redo else max(oldest_judged, (st.get("e") or 0) + 1)
        for day in range(start, today + 1):
            self._judge_day(stamps, day, first_day, st.get("x"), episodes)
        upserts, retractions, emitted = self._findings(hours, stamps, episodes, st.get("k", {}))
        # Days before the oldest one that can still be judged keep what was said about them.
        retractions = [k for k in retractions if int(k) >= oldest_judged]
        kept = episodes[-MAX_EPISODES:]
        st["p"] = kept
        st["k"] = {str(ep["day"]): emitted[str(ep["day"])] for ep in kept}
        st["e"] = today
        horizon = (today - self.keep_days) * HOURS_PER_DAY
        if stamps[0] < horizon:
            st["h"] = [h for h in hours if h[0] >= horizon]
        due = self._due(stamps, today, episodes)
        if due is None:
            st.pop("d", None)
        else:
            st["d"] = due
        return Observation(st, True, upserts, retractions, due)

    def _window(self, stamps: list[int], first: int, last: int) -> int:
        """Active hours on days [first, last)."""
        return bisect_left(stamps, last * HOURS_PER_DAY) - bisect_left(stamps, first * HOURS_PER_DAY)

    def _baseline(self, stamps: list[int], day: int, first_day: int) -> tuple[int, int] | None:
        """(active hours, days) of the baseline before the recent window ending on `day`."""
        recent_start = day - self.s.recent_days
        base_start = max(first_day, recent_start - self.s.baseline_days)
        span = recent_start - base_start
        if span < MIN_BASELINE_DAYS:
            return None
        count = self._window(stamps, base_start, recent_start)
        return (count, span) if count >= self.s.min_baseline_visits else None

    def _judge_day(
        self, stamps: list[int], day: int, first_day: int, stop: int | None, episodes: list[dict[str, Any]]
    ) -> None:
        s = self.s
        recent = self._window(stamps, day - s.recent_days, day)
        open_ = episodes[-1] if episodes and episodes[-1].get("end") is None else None
        if open_ is not None:
            if recent >= s.recover_ratio * open_["expected"]:
                open_["end"] = day
            return
        if stop is not None and stop < day * DAY:
            return
        base = self._baseline(stamps, day, first_day)
        if base is None:
            return
        expected = base[0] / base[1] * s.recent_days
        if recent > s.max_ratio * expected:
            return
        if poisson_cdf(recent, expected) > 1.0 - s.confidence:
            return
        episodes.append({"day": day, "expected": round(expected, 3), "recent": recent, "base": list(base)})

    def _findings(
        self,
        hours: list[list[int]],
        stamps: list[int],
        episodes: list[dict[str, Any]],
        emitted: dict[str, str],
    ) -> tuple[list[Finding], list[str], dict[str, str]]:
        upserts = []
        current: dict[str, str] = {}
        for ep in episodes:
            f = self._finding(hours, stamps, ep)
            fp = f.fingerprint()
            current[f.key] = fp
            if emitted.get(f.key) != fp:
                upserts.append(f)
        retractions = [k for k in emitted if k not in current]
        return upserts, retractions, current

    def _finding(self, hours: list[list[int]], stamps: list[int], ep: dict[str, Any]) -> Finding:
        day = ep["day"]
        recent_start = day - self.s.recent_days
        i = bisect_left(stamps, recent_start * HOURS_PER_DAY)
        end = ep.get("end")
        j = bisect_left(stamps, (end if end is not None else day) * HOURS_PER_DAY)
        before = hours[max(0, i - 3) : i]
        during = hours[i:j][:5]
        started = (before[-1][0] * HOUR + HOUR) if before else recent_start * DAY
        expected, recent = ep["expected"], ep["recent"]
        details = {
            "recent_days": self.s.recent_days,
            "recent_hours": recent,
            "expected_hours": expected,
            "baseline_hours": ep["base"][0],
            "baseline_days": ep["base"][1],
            "ratio": round(recent / expected, 2) if expected else 0.0,
        }
        return Finding(
            key=str(day),
            severity=3 if recent == 0 else 2,
            started=max(started, recent_start * DAY),
            first_seen=day * DAY,
            last_seen=(end * DAY) if end is not None else day * DAY,
            evidence=tuple(seq for _, seq in before + during),
            details=details,
            resolved_at=end * DAY if end is not None else None,
        )

    def _due(self, stamps: list[int], today: int, episodes: list[dict[str, Any]]) -> int | None:
        """A day worth judging again if nothing more happens: when the recent window could first be empty enough.

        An estimate (the baseline moves too), but a day judged late is still judged as of that day: a late look only
        delays the signal in real time, never changes it.
        """
        if episodes and episodes[-1].get("end") is None:
            return None  # only the customer coming back can end it
        span_start = (today - self.s.baseline_days - self.s.recent_days) * HOURS_PER_DAY
        recent_total = len(stamps) - bisect_left(stamps, span_start)
        if recent_total < self.s.min_baseline_visits:
            return None  # too little use to fall from
        rate = recent_total / (self.s.baseline_days + self.s.recent_days)
        allowed = int(self.s.max_ratio * rate * self.s.recent_days)
        if allowed + 1 > len(stamps):
            return (today + 1) * DAY
        pivot = stamps[-(allowed + 1)] // HOURS_PER_DAY
        return max(today + 1, pivot + self.s.recent_days + 1) * DAY


def _min(a: int | None, b: int) -> int:
    return b if a is None else min(a, b)
