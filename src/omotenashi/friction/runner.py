"""Drive the detectors over one batch of events, per customer, then the customers whose time has come.

Shared by the log follower and the rescan. For each detector and customer: what it keeps is loaded, the new events
merged in, its findings compared with what it said before; changed findings are upserted, disproved ones taken
back, and a timer set when time alone could change something. Then the timers due by `now` (the workspace's event
time) are run, and the customers a detector asks to look at again (stall, after new baselines).
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.friction import registry
from omotenashi.friction.base import Context, Detector, Finding, Observation, Sweeper
from omotenashi.friction.events import Event
from omotenashi.store import detector_state
from omotenashi.store import journeys as journeys_repo
from omotenashi.store import signals as repo


@dataclass
class Writes:
    """Everything one batch decided, written at the end in a few statements."""

    states: list[tuple[str, str, str]] = field(default_factory=list)  # (detector, customer, state as stored)
    gone: list[tuple[str, str]] = field(default_factory=list)
    timers: list[tuple[int, int, str]] = field(default_factory=list)
    upserts: list[tuple[str, str, Finding]] = field(default_factory=list)  # (customer, kind, finding)
    taken_back: list[str] = field(default_factory=list)
    looks: int = 0


class _Seen:
    """One customer's events of a batch that some detectors may read, summed up to ask detectors quickly."""

    __slots__ = ("device", "events", "pages", "tracks")

    def __init__(self, events: list[Event]) -> None:
        self.events = events
        self.tracks = {e.name for e in events if e.type == "track"}
        self.pages = [e for e in events if e.type == "page"]
        self.device = any(e.device is not None for e in events)

    def starts(self, d: Detector) -> bool:
        """Whether one of these events may start something the detector keeps."""
        t = d.triggers
        if not t.tracks.isdisjoint(self.tracks) or (t.device and self.device):
            return True
        return t.pages and any(d.wants(e) for e in self.pages)


class StateCache:
    """What the detectors keep of the customers seen lately, as last written (and that they keep nothing, which is
    most of what there is to know), so a batch reads the store only for customers it has not seen.

    States are kept as the JSON the store holds: a look gets a fresh copy, exactly what a new process would read
    back, and tens of thousands of customers' windows are a few strings rather than a heap of small lists that
    every full collection of the cycle collector would walk.

    Only the follower that writes these rows reads them through here; it empties the cache when a batch fails, when
    it forgets customers, and before a rescan. Timers read the store itself: an erased customer gets no event, and
    a timer finds nothing left of them.
    """

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._by_customer: OrderedDict[str, dict[str, str]] = OrderedDict()

    def load(
        self, conn: Connection, workspace_id: str, names: Sequence[str], customers: Sequence[str]
    ) -> dict[str, dict[str, str]]:
        """Customer → detector → state (its stored JSON: `detector_state.decode_state` makes a copy to look with)."""
        known = self._by_customer
        missing = [c for c in customers if c not in known]
        if missing:
            found = detector_state.load_state_texts(conn, workspace_id, names, missing)
            for c in missing:
                known[c] = {}
            for (name, c), text in found.items():
                if detector_state.decode_state(text) is not None:  # an unreadable row is as good as none
                    known[c][name] = text
        out = {}
        for c in customers:
            known.move_to_end(c)
            out[c] = known[c]
        while len(known) > self.limit:
            known.popitem(last=False)
        return out

    def put(self, customer_id: str, name: str, text: str | None) -> None:
        """What a detector now keeps of a customer (its stored JSON; None: nothing)."""
        entry = self._by_customer.get(customer_id)
        if entry is None:
            return
        if text is None:
            entry.pop(name, None)
        else:
            entry[name] = text

    def drop(self, customers: Sequence[str]) -> None:
        for c in customers:
            self._by_customer.pop(c, None)

    def clear(self) -> None:
        self._by_customer.clear()


class Runner:
    """The enabled detectors of one workspace, run together."""

    def __init__(self, house: HouseFile) -> None:
        self.cache = StateCache()
        self.detectors: list[Detector] = registry.build(house)
        self.by_name = {d.name: d for d in self.detectors}
        self.sweepers: list[Sweeper] = [d for d in self.detectors if hasattr(d, "to_wake")]  # type: ignore[misc]
        self.journeys = house.journeys.journeys if house.journeys is not None else {}

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.detectors]

    def purposes(self) -> set[str]:
        """Every purpose some detector needs."""
        return {p for d in self.detectors for p in d.purposes}

    def run(
        self,
        conn: Connection,
        workspace_id: str,
        batch: Mapping[str, Sequence[Event]],
        now: int,
        wall_ms: int,
        *,
        timers: bool = True,
        sweep: bool = False,
        final: bool = False,
    ) -> Writes:
        """Apply one batch (customer → their new events, in time order) as of event time `now`; with `sweep`, also
        look again at the customers a detector asks for (stall, after new baselines)."""
        out = Writes()
        cache: dict[Any, Any] = {}
        states = self.cache.load(conn, workspace_id, self.names, list(batch)) if batch else {}
        looked: set[tuple[str, str]] = set()
        # What is kept stays stored JSON until the look that needs it: a batch's copies live one look each.
        todo: dict[str, list[tuple[str, str | None, list[Event]]]] = defaultdict(list)
        for cid, events in batch.items():
            seen: dict[frozenset[str], _Seen] = {}
            kept = states[cid]
            for d in self.detectors:
                needs = d.purposes
                view = seen.get(needs)
                if view is None:
                    view = seen[needs] = _Seen([e for e in events if needs <= e.purposes])
                text = kept.get(d.name)
                if text is None and not view.starts(d):
                    continue
                todo[d.name].append((cid, text, view.events))
        decode = detector_state.decode_state
        for d in self.detectors:
            work = todo.get(d.name)
            if not work:
                continue
            prepare = getattr(d, "prepare", None)
            looks: Iterable[tuple[str, dict[str, Any] | None, list[Event]]] = (
                (cid, None if text is None else decode(text), events) for cid, text, events in work
            )
            if prepare is not None:
                looks = list(looks)
                prepare(Context(conn, workspace_id, "", cache), looks, now)
            for cid, state, events in looks:
                obs = d.observe(state, events, now, Context(conn, workspace_id, cid, cache))
                self._take(out, d, workspace_id, cid, state, obs, now)
                looked.add((d.name, cid))
        if timers:
            self._wake(conn, workspace_id, now, looked, cache, out, sweep=sweep, final=final)
        self._write(conn, workspace_id, out, wall_ms, cache)
        return out

    def _wake(
        self,
        conn: Connection,
        workspace_id: str,
        now: int,
        looked: set[tuple[str, str]],
        cache: dict[Any, Any],
        out: Writes,
        *,
        sweep: bool,
        final: bool,
    ) -> None:
        woken: dict[str, set[str]] = defaultdict(set)
        for code, cid in detector_state.take_due_timers(conn, workspace_id, now):
            name = registry.KINDS[code] if code < len(registry.KINDS) else ""
            if name in self.by_name and (name, cid) not in looked:
                woken[name].add(cid)
        for sweeper in self.sweepers if sweep else []:
            for cid in sweeper.to_wake(conn, workspace_id, now, final):
                if (sweeper.name, cid) not in looked:
                    woken[sweeper.name].add(cid)
        if not woken:
            return
        customers = sorted({c for cids in woken.values() for c in cids})
        states = detector_state.load_states(conn, workspace_id, sorted(woken), customers)
        for name, cids in woken.items():
            d = self.by_name[name]
            prepare = getattr(d, "prepare", None)
            if prepare is not None:
                prepare(
                    Context(conn, workspace_id, "", cache), [(c, states.get((name, c)), []) for c in sorted(cids)], now
                )
            for cid in sorted(cids):
                state = states.get((name, cid))
                obs = d.observe(state, [], now, Context(conn, workspace_id, cid, cache))
                self._take(out, d, workspace_id, cid, state, obs, now)

    def _take(
        self,
        out: Writes,
        d: Detector,
        workspace_id: str,
        cid: str,
        before: dict[str, Any] | None,
        obs: Observation,
        now: int,
    ) -> None:
        out.looks += 1
        if not obs.changed:
            return
        if obs.state is None:
            self.cache.put(cid, d.name, None)
            if before is not None:
                out.gone.append((d.name, cid))
        else:
            state = obs.state
            registered = before.get("_t") if before else None
            if obs.due is not None and (registered is None or registered <= now or registered > obs.due):
                out.timers.append((obs.due, registry.CODES[d.name], cid))
                state["_t"] = obs.due
            elif registered is not None and registered > now:
                state["_t"] = registered  # still set: it will fire, and a look then costs little
            else:
                state.pop("_t", None)
            text = detector_state.encode_state(state)
            self.cache.put(cid, d.name, text)
            out.states.append((d.name, cid, text))
        out.upserts.extend((cid, d.name, f) for f in obs.upserts)
        out.taken_back.extend(repo.signal_id(workspace_id, cid, d.name, k) for k in obs.retractions)

    def _write(self, conn: Connection, workspace_id: str, out: Writes, wall_ms: int, cache: dict[Any, Any]) -> None:
        detector_state.save_states(conn, workspace_id, out.states, out.gone, wall_ms)
        detector_state.add_timers(conn, workspace_id, out.timers, wall_ms)
        if out.taken_back:
            repo.take_back(conn, workspace_id, out.taken_back)
        if out.upserts:
            steps = self._steps_of(conn, workspace_id, [cid for cid, _, f in out.upserts if f.journey is None])
            rows = []
            for cid, kind, f in out.upserts:
                journey, step = (f.journey, f.step) if f.journey is not None else _step_at(steps.get(cid), f.started)
                rows.append(
                    repo.SignalWrite(
                        cid,
                        kind,
                        f.key,
                        f.severity,
                        f.first_seen,
                        f.last_seen,
                        f.resolved_at,
                        f.evidence,
                        f.details,
                        journey,
                        step,
                    )
                )
            repo.upsert(conn, workspace_id, rows, wall_ms)

    def _steps_of(self, conn: Connection, workspace_id: str, customers: Sequence[str]) -> dict[str, list[Reached]]:
        """The journey steps each customer reached."""
        if not customers or not self.journeys:
            return {}
        found = journeys_repo.step_rows_for(conn, workspace_id, set(customers), self.journeys)
        out: dict[str, list[Reached]] = defaultdict(list)
        for (cid, journey), rows in found.items():
            last = len(self.journeys[journey].steps) - 1
            for index, r in rows.items():
                out[cid].append(Reached(journey, index, r.step, r.entered_at, r.left_at, index >= last))
        return out


@dataclass(frozen=True)
class Reached:
    journey: str
    index: int
    step: str
    entered: int
    left: int | None
    last: bool


def _step_at(steps: list[Reached] | None, at: int) -> tuple[str | None, str | None]:
    """The journey step the customer was at when a friction began (None once they had finished the journey)."""
    here = [s for s in steps or [] if s.entered <= at and (s.left is None or s.left > at)]
    if not here:
        return None, None
    found = max(here, key=lambda s: (s.index, s.journey))
    return (None, None) if found.last else (found.journey, found.step)
