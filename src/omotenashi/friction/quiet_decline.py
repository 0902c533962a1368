"""Quiet decline: a customer's use falling against their own baseline, with no word from them.

Use is counted in active days (days with anything from the customer's browser or app): a visit that runs over an
hour, or three visits on one afternoon, are one day of use, so the count follows the customer's habit rather than
how their visits happen to fall on the clock. On each day, the last few weeks (every span of whole weeks from
`recent_days` to `max_recent_days`) are compared with up to `baseline_days` of the customer's own use before them
(at least three weeks; the first two weeks after signing up are left out: signing up and settling in is busier than a
habit). A span is a decline when it holds at most `max_ratio` of the active days the baseline's rate predicts, and
when chance could hardly have put so few of the customer's active days into it: under no change, which of the
baseline's and the span's days were active is a matter of chance (a hypergeometric test, at `confidence`), so the
test allows for the customer's own spread — a light customer's gaps are normal for them, a daily user's are not. A
decline is seen on the first such day and resolved when the last two weeks are back to `recover_ratio` of the
baseline's rate. A holiday (a week or so of nothing, then back to normal) leaves most of a three-week span busy;
customers whose use is low and stays low are compared with themselves; after a `stop_events` event (a
cancellation) falling use is the expected end, not a quiet decline.

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
from omotenashi.store import detector_state

MIN_BASELINE_DAYS = 21
WARMUP_DAYS = 14  # a customer's first days (signing up, settling in) are busier than their habit: not a baseline
RECOVER_DAYS = 14  # the span whose use says the customer is back
MAX_EPISODES = 12
HOURS_PER_DAY = DAY // HOUR


def fewer_by_chance(k: int, days: int, active: int, drawn: int) -> float:
    """P(X <= k) where X is how many of `active` active days out of `days` fall among `drawn` of them by chance
    (hypergeometric): how likely so few of a customer's active days would land in a span if nothing had changed."""
    low = max(0, drawn + active - days)
    if k < low:
        return 0.0
    if k >= min(active, drawn):
        return 1.0
    lg = math.lgamma
    term = math.exp(
        lg(active + 1) - lg(low + 1) - lg(active - low + 1)
        + lg(days - active + 1) - lg(drawn - low + 1) - lg(days - active - drawn + low + 1)
        - lg(days + 1) + lg(drawn + 1) + lg(days - drawn + 1)
    )  # fmt: skip
    total = term
    for i in range(low, k):
        term *= (active - i) * (drawn - i) / ((i + 1) * (days - active - drawn + i + 1))
        total += term
    return min(1.0, total)


class QuietDecline:
    """Keeps the customer's active days (with the first event of each) and judges each day once."""

    name: ClassVar[str] = "quiet_decline"

    def __init__(self, settings: QuietDeclineSettings, names: FrictionEventNames) -> None:
        self.settings = settings
        self.names = names
        self.purposes = frozenset(settings.purposes)
        self.s = settings
        self.stops = frozenset(settings.stop_events)
        self.signups = frozenset(settings.signup_events)
        self.spans = tuple(range(settings.recent_days, max(settings.recent_days, settings.max_recent_days) + 1, 7))
        self.alpha = 1.0 - settings.confidence
        self.keep_days = settings.baseline_days + self.spans[-1] + 14
        self.triggers = Triggers(tracks=self.stops | self.signups, device=True)

    def to_wake(self, conn: Connection, workspace_id: str, now: int, final: bool) -> list[str]:
        """At the end of a history, every customer it keeps: days after their last look are judged too (a look is
        otherwise due only when a decline may show; judging them all makes the end the same however it was read)."""
        return detector_state.customers_of_detector(conn, workspace_id, self.name) if final else []

    def wants(self, e: Event) -> bool:
        return e.device is not None or (e.type == "track" and (e.name in self.stops or e.name in self.signups))

    def observe(
        self, state: dict[str, Any] | None, events: Sequence[Event], now: int, ctx: Context | None = None
    ) -> Observation:
        st: dict[str, Any] = _upgraded(state) if state else {"a": [], "e": None}
        days: list[list[int]] = st["a"]
        seen: dict[int, int] = {}  # day → first seq, of these events
        earliest_new: int | None = None
        stop, signup = st.get("x"), st.get("s")
        stops, signups = self.stops, self.signups
        for e in events:
            if e.type == "track" and e.name in signups and (signup is None or e.ts // DAY < signup):
                signup = st["s"] = e.ts // DAY
                earliest_new = _min(earliest_new, signup)
            if e.device is not None:
                day = e.ts // DAY
                if day not in seen or e.seq < seen[day]:
                    seen[day] = e.seq
            elif e.type == "track" and e.name in stops and (stop is None or e.ts < stop):
                stop = st["x"] = e.ts
                earliest_new = _min(earliest_new, e.ts // DAY)
        if seen:
            last = days[-1][0] if days else -1
            known = {d for d, _ in days} if min(seen) <= last else set()
            fresh = [[d, q] for d, q in seen.items() if d > last or d not in known]
            if fresh:
                days = st["a"] = sorted([*days, *fresh])
                earliest_new = _min(earliest_new, min(d for d, _ in fresh))
        today = now // DAY
        evaluated = st.get("e")
        due = st.get("d")
        if earliest_new is None and (due is None or now < due) and evaluated is not None and evaluated >= today:
            return Observation(state, state is not None and "h" in state, due=due)
        redo = evaluated is None or (earliest_new is not None and earliest_new < evaluated)
        return self._judge(st, today, redo)

    # --- judging days ----------------------------------------------------------------------------------------------

    def _judge(self, st: dict[str, Any], today: int, redo: bool) -> Observation:
        days: list[list[int]] = st["a"]
        stamps = [d for d, _ in days]
        if not stamps:
            return Observation(None, True)
        signup = st.get("s")
        first_day = stamps[0] if signup is None else max(stamps[0], signup + WARMUP_DAYS)
        oldest_judged = first_day + MIN_BASELINE_DAYS + self.spans[0]
        episodes: list[dict[str, Any]] = [] if redo else list(st.get("p", []))
        start = oldest_judged if redo else max(oldest_judged, (st.get("e") or 0) + 1)
        stop = st.get("x")
        for day in range(start, today + 1):
            self._judge_day(stamps, day, first_day, stop, episodes)
        upserts, retractions, emitted = self._findings(days, stamps, episodes, st.get("k", {}))
        # Days before the oldest one that can still be judged keep what was said about them.
        retractions = [k for k in retractions if int(k) >= oldest_judged]
        kept = episodes[-MAX_EPISODES:]
        st["p"] = kept
        st["k"] = {str(ep["day"]): emitted[str(ep["day"])] for ep in kept}
        st["e"] = today
        horizon = today - self.keep_days
        if stamps[0] < horizon:
            st["a"] = [d for d in days if d[0] >= horizon]
        due = self._due(stamps, today, episodes, stop)
        if due is None:
            st.pop("d", None)
        else:
            st["d"] = due
        return Observation(st, True, upserts, retractions, due)

    def _judge_day(
        self, stamps: list[int], day: int, first_day: int, stop: int | None, episodes: list[dict[str, Any]]
    ) -> None:
        s = self.s
        open_ = episodes[-1] if episodes and episodes[-1].get("end") is None else None
        if open_ is not None:
            back = _count(stamps, day - RECOVER_DAYS, day)
            if back >= s.recover_ratio * open_["rate"] * RECOVER_DAYS:
                open_["end"] = day
            return
        if stop is not None and stop < day * DAY:
            return
        best: dict[str, Any] | None = None
        after = episodes[-1]["end"] if episodes else None  # a fall already said and ended is not said again
        for span in self.spans:
            since = day - span
            if after is not None and since < after:
                break
            base_start = max(first_day, since - s.baseline_days)
            base_days = since - base_start
            if base_days < MIN_BASELINE_DAYS:
                break  # a longer span leaves an even shorter baseline
            base = _count(stamps, base_start, since)
            if base < s.min_baseline_visits:
                continue
            recent = _count(stamps, since, day)
            expected = base * span / base_days
            if recent > s.max_ratio * expected:
                continue
            chance = fewer_by_chance(recent, base_days + span, base + recent, span)
            if chance <= self.alpha and (best is None or chance < best["chance"]):
                best = {"day": day, "since": since, "recent": recent, "expected": round(expected, 2),
                        "base": [base, base_days], "rate": base / base_days, "chance": chance}  # fmt: skip
        if best is not None:
            best["chance"] = float(f"{best['chance']:.2g}")
            episodes.append(best)

    def _findings(
        self,
        days: list[list[int]],
        stamps: list[int],
        episodes: list[dict[str, Any]],
        emitted: dict[str, str],
    ) -> tuple[list[Finding], list[str], dict[str, str]]:
        upserts = []
        current: dict[str, str] = {}
        for ep in episodes:
            f = self._finding(days, stamps, ep)
            fp = f.fingerprint()
            current[f.key] = fp
            if emitted.get(f.key) != fp:
                upserts.append(f)
        retractions = [k for k in emitted if k not in current]
        return upserts, retractions, current

    def _finding(self, days: list[list[int]], stamps: list[int], ep: dict[str, Any]) -> Finding:
        day, since = ep["day"], ep["since"]
        i = bisect_left(stamps, since)
        end = ep.get("end")
        j = bisect_left(stamps, end if end is not None else day)
        before = days[max(0, i - 3) : i]
        during = days[i:j][:5]
        expected, recent = ep["expected"], ep["recent"]
        details = {
            "recent_days": day - since,
            "recent_active_days": recent,
            "expected_active_days": expected,
            "baseline_active_days": ep["base"][0],
            "baseline_days": ep["base"][1],
            "ratio": round(recent / expected, 2) if expected else 0.0,
            "chance": ep["chance"],
        }
        return Finding(
            key=str(day),
            severity=3 if recent == 0 else 2,
            started=since * DAY,
            first_seen=day * DAY,
            last_seen=(end * DAY) if end is not None else day * DAY,
            evidence=tuple(seq for _, seq in before + during),
            details=details,
            resolved_at=end * DAY if end is not None else None,
        )

    def _due(self, stamps: list[int], today: int, episodes: list[dict[str, Any]], stop: int | None) -> int | None:
        """A day worth judging again if nothing more happens: when the shortest span could first be empty enough.

        An estimate (the baseline moves too), but a day judged late is still judged as of that day: a late look only
        delays the signal in real time, never changes it.
        """
        if episodes and episodes[-1].get("end") is None:
            return None  # only the customer coming back can end it
        if stop is not None and stop < today * DAY:
            return None  # after a cancellation, falling use is expected
        span = self.spans[0]
        window = self.s.baseline_days + span
        recent_total = len(stamps) - bisect_left(stamps, today - window)
        if recent_total < self.s.min_baseline_visits:
            return None  # too little use to fall from
        allowed = int(self.s.max_ratio * recent_total / window * span)
        if allowed + 1 > len(stamps):
            return (today + 1) * DAY
        pivot = stamps[-(allowed + 1)]
        return max(today + 1, pivot + span + 1) * DAY


def _count(stamps: list[int], first: int, last: int) -> int:
    """Active days in [first, last)."""
    return bisect_left(stamps, last) - bisect_left(stamps, first)


def _upgraded(state: dict[str, Any]) -> dict[str, Any]:
    """The state as this version keeps it: one kept before counted active hours, judged again as active days."""
    st = dict(state)
    if "h" in st:
        first: dict[int, int] = {}
        for hour, seq in st.pop("h"):
            first.setdefault(hour // HOURS_PER_DAY, seq)
        st["a"] = sorted([d, q] for d, q in first.items())
        st["e"] = None
        st.pop("p", None)
        st.pop("d", None)
    return st


def _min(a: int | None, b: int) -> int:
    return b if a is None else min(a, b)
