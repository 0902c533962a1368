"""`omotenashi bench friction`: how well each detector finds the friction the simulator planted, how fast, and what
the detectors cost.

One synthetic world (`omotenashi.simulator`, seed `BENCH_SEED`, which tests never use) is imported twice into fresh
stores: once with every detector on and once with friction off, the same run and taking turns, so the cost is a
ratio. Signals are then matched to the planted labels:

- a signal matches a label of its kind for the same customer when their evidence shares an event (two events for
  repeated questions and asking twice, which are about pairs of contacts), or, for quiet decline, which has no single
  evidence, when the signal is first seen between a week before the decline began and a week after it ended;
- precision is the share of signals that match a label, recall the share of labels some signal matches, and the
  delay runs from the friction's start (`start_ms`) to the signal's `first_seen` (event time: when the events showed
  it, which is when the follower says it once it has them);
- a label whose friction really happened but that the window never shows (`details.visible` false: a quiet decline
  too faint, too late or too short to tell from chance in the customer's visits) is left out of recall, and a signal
  matching it still counts as right: it is neither missed nor a false alarm (`unseen` counts them).

Then the workspace is rescanned as a batch (`omotenashi friction rescan`), timed. Everything here is synthetic.
"""

from __future__ import annotations

import itertools
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from omotenashi.benchmarks import decline as decline_world
from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.core.heap import start_up_frozen
from omotenashi.friction.registry import KINDS
from omotenashi.simulator import BENCH_SEED, WorldConfig, lines, write
from omotenashi.simulator.world import DAY_MS
from omotenashi.store import customers as customers_repo
from omotenashi.store import signals as repo
from omotenashi.store.sql import fetch_in

WORKSPACE = "bench"
PAIRS = frozenset({"repeated_question", "asked_twice"})
DECLINE_MARGIN_MS = 7 * DAY_MS
TARGETS = {"precision": 0.9, "recall": 0.8, "cost": 0.3}
# Messages per customer over 90 days ≈ FIXED + PER_SCALE × scale (measured: 63 at scale 1, 31 at 0.32): signups,
# onboarding, billing and support do not grow with how often customers visit.
FIXED_PER_CUSTOMER = 16.0
PER_SCALE = 47.0
DECLINE_CUSTOMERS = 40_000  # the world at scale 1 that quiet decline is measured on (about 224 visible declines)
TURN_BATCHES = 5  # batches one store imports before the other takes its turn
IDLE_UPKEEP_S = 2.0  # a writer's idle upkeep starts after a second without work


def bench_house(folder: Path, *, friction: bool = True) -> Path:
    """The benchmark's house file: the config template, with the synthetic company's onboarding journey (no declared
    deadline: stalls are judged against cohorts alone, as the simulator plants them)."""
    from importlib import resources
    from io import StringIO

    from ruamel.yaml import YAML

    template = (resources.files("omotenashi.config") / "templates" / "omotenashi.yaml").read_text("utf-8")
    text = template.format(workspace_id=WORKSPACE, workspace_name='"Benchmark (synthetic)"', timezone="UTC")
    yaml = YAML()
    data = yaml.load(text)
    data["store"]["synchronous"] = "normal"
    data["journeys"] = yaml.load(JOURNEYS)
    data["friction"] = {"enabled": friction}
    # Care is not measured here (and its playbook on stalls would be a configuration error with friction off).
    data.pop("care", None)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "omotenashi.yaml"
    out = StringIO()
    yaml.dump(data, out)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


JOURNEYS = """
signup_event: Signed Up
cohorts:
  plan: {first_of: [signup.plan, trait.plan]}
  source: {first_of: [signup.source, trait.source]}
  signup_month: {first_of: [signup_time, trait.createdAt], month: true}
stages:
  onboard:
    events: [Account Created, Profile Completed, First Project Created, Teammate Invited]
journeys:
  onboarding:
    steps: [Account Created, Profile Completed, First Project Created, Teammate Invited]
    cohort: [plan, source, signup_month]
"""


# --- matching signals to labels -----------------------------------------------------------------------------------


def _user_of(conn: Any, workspace_id: str, customers: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for cid, ids in customers_repo.user_ids_of(conn, workspace_id, customers).items():
        out[cid] = sorted(ids)[0]
    return out


def _message_ids(conn: Any, workspace_id: str, seqs: Iterable[int]) -> dict[int, str]:
    sql = "SELECT seq, message_id FROM events WHERE workspace_id = ? AND seq IN ({marks})"
    return {int(s): m for s, m in fetch_in(conn, sql, (workspace_id,), set(seqs))}


def signals_as_messages(runtime: Runtime, workspace_id: str = WORKSPACE) -> list[dict[str, Any]]:
    """Every signal with its customer's userId and its evidence as messageIds."""
    with runtime.engines.read.connect() as conn:
        found = repo.all_signals(conn, workspace_id)
        users = _user_of(conn, workspace_id, {s.customer_id for s in found})
        ids = _message_ids(conn, workspace_id, {seq for s in found for seq in s.evidence})
    return [
        {
            "user": users.get(s.customer_id, s.customer_id),
            "kind": s.kind,
            "key": s.key,
            "status": s.status,
            "first_seen": s.first_seen,
            "resolved_at": s.resolved_at,
            "evidence": [ids[q] for q in s.evidence if q in ids],
            "details": s.details,
        }
        for s in found
    ]


def _matches(signal: dict[str, Any], label: dict[str, Any], end_ms: int) -> bool:
    if signal["kind"] == "quiet_decline":
        stop = label["end_ms"] if label["end_ms"] is not None else end_ms
        return bool(label["start_ms"] - DECLINE_MARGIN_MS <= signal["first_seen"] <= stop + DECLINE_MARGIN_MS)
    shared = len(set(signal["evidence"]) & set(label["evidence"]))
    if signal["kind"] in PAIRS:
        return shared >= min(2, len(label["evidence"]))
    return shared >= 1


def score(signals: list[dict[str, Any]], labels: list[dict[str, Any]], end_ms: int) -> dict[str, dict[str, Any]]:
    """Precision, recall and delay per kind."""
    by_user: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for label in labels:
        by_user[(label["userId"], label["kind"])].append(label)
    matched_signals: dict[str, int] = defaultdict(int)
    found: dict[str, dict[str, int]] = defaultdict(dict)  # kind → label id → earliest first_seen
    count: dict[str, int] = defaultdict(int)
    for s in signals:
        count[s["kind"]] += 1
        hits = [lb for lb in by_user.get((s["user"], s["kind"]), []) if _matches(s, lb, end_ms)]
        if hits:
            matched_signals[s["kind"]] += 1
        for lb in hits:
            seen = found[s["kind"]].get(lb["id"])
            found[s["kind"]][lb["id"]] = s["first_seen"] if seen is None else min(seen, s["first_seen"])
    out: dict[str, dict[str, Any]] = {}
    starts = {lb["id"]: lb["start_ms"] for lb in labels}
    unseen = {lb["id"] for lb in labels if lb["details"].get("visible") is False}
    for kind in KINDS:
        n_labels = sum(1 for lb in labels if lb["kind"] == kind and lb["id"] not in unseen)
        hit = [lid for lid in found[kind] if lid not in unseen]
        delays = [max(0, found[kind][lid] - starts[lid]) for lid in hit]
        out[kind] = {
            "signals": count[kind],
            "labels": n_labels,
            "unseen": sum(1 for lb in labels if lb["kind"] == kind and lb["id"] in unseen),
            "precision": round(matched_signals[kind] / count[kind], 3) if count[kind] else None,
            "recall": round(len(hit) / n_labels, 3) if n_labels else None,
            "median_delay_s": round(statistics.median(delays) / 1000, 1) if delays else None,
        }
    return out


# --- the run ------------------------------------------------------------------------------------------------------


def _runtime(folder: Path, friction: bool) -> Runtime:
    return build(Settings(house_file=bench_house(folder, friction=friction)), follow=False)


@dataclass
class _Meter:
    """Events imported into one store, and the wall and CPU time that took."""

    events: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0

    def rate(self) -> float:
        return self.events / self.wall_s if self.wall_s else 0.0

    def cpu_us(self) -> float:
        return self.cpu_s / self.events * 1e6 if self.events else 0.0


def _import(rt: Runtime, source: Any, chunk: list[bytes], meter: _Meter) -> None:
    cpu, start = time.process_time(), time.perf_counter()
    rt.intake.import_lines(iter(chunk), source)
    rt.follower.drain()
    meter.wall_s += time.perf_counter() - start
    meter.cpu_s += time.process_time() - cpu
    meter.events += len(chunk)


def _chunks(messages: Path, batch: int) -> Iterator[list[bytes]]:
    chunk: list[bytes] = []
    for line in lines(messages):
        chunk.append(line)
        if len(chunk) >= batch:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def intake(root: Path, messages: Path, *, batch: int = 20_000) -> tuple[Runtime, dict[str, _Meter]]:
    """Import the world through intake and every follower into two stores, one with friction off and one with every
    detector on, in batches as a busy service would. The two take turns every `TURN_BATCHES` batches (off then on,
    then on then off): a shared machine's speed drifts over minutes, and both stores then meet the same drift.
    Between turns the store just used is left to its idle upkeep (its writer checkpoints the WAL after a second
    without work), uncounted, as a busy service would not stop for it. Returns the store with friction on, and
    each store's events, wall time and CPU time (all threads)."""
    off, on = _runtime(root / "off", False), _runtime(root / "on", True)
    meters = {"off": _Meter(), "on": _Meter()}
    turns = [("off", off, off.intake.source(WORKSPACE, "web")), ("on", on, on.intake.source(WORKSPACE, "web"))]
    chunks = _chunks(messages, batch)
    try:
        with start_up_frozen():  # as `serve` and `import` run: the start-up heap is not the collector's to walk
            for k in itertools.count():
                block = list(itertools.islice(chunks, TURN_BATCHES))
                if not block:
                    break
                for name, rt, source in turns if k % 2 == 0 else turns[::-1]:
                    for chunk in block:
                        _import(rt, source, chunk, meters[name])
                    time.sleep(IDLE_UPKEEP_S)
    except BaseException:
        on.close()
        raise
    finally:
        off.close()
    return on, meters


def quality(rt: Runtime, labels: list[dict[str, Any]], end_ms: int) -> dict[str, dict[str, Any]]:
    """Compute the journeys' baselines as the service would have by now, then score the signals."""
    rt.friction.tick(WORKSPACE, flush=True)
    rt.journeys.refresh(WORKSPACE)
    rt.friction.tick(WORKSPACE, flush=True)
    return score(signals_as_messages(rt), labels, end_ms)


def run(
    customers: int = 50_000,
    events: int = 1_000_000,
    *,
    scale: float | None = None,
    seed: int = BENCH_SEED,
    decline_customers: int = DECLINE_CUSTOMERS,
    progress: Callable[..., Any] | None = None,
) -> dict[str, Any]:
    """Measure; every figure is in the returned dict. With `decline_customers`, quiet decline is also measured on a
    world of that many customers at scale 1 (`benchmarks.decline`)."""
    say = progress or (lambda *_: None)
    if scale is None:
        scale = round(min(4.0, max(0.05, (events / customers - FIXED_PER_CUSTOMER) / PER_SCALE)), 3)
    config = WorldConfig(customers=customers, days=90, seed=seed, scale=scale)
    with tempfile.TemporaryDirectory(prefix="omotenashi-bench-friction-") as tmp:
        root = Path(tmp)
        say(f"generating a synthetic world: {customers:,} customers, 90 days, scale {scale}, seed {seed}")
        manifest = write(config, root / "world")
        messages = root / "world" / "messages.jsonl"
        labels = [msgspec.json.decode(line) for line in lines(root / "world" / "labels.jsonl")]
        say(f"{manifest.messages:,} messages, {len(labels):,} labels; intake with friction off and on, batch by batch")
        on, meters = intake(root, messages)
        off_rate, on_rate = meters["off"].rate(), meters["on"].rate()
        off_cpu, on_cpu = meters["off"].cpu_us(), meters["on"].cpu_us()
        try:
            say("matching signals to labels")
            kinds = quality(on, labels, config.end_ms)
            say("batch rescan")
            start = time.perf_counter()
            rescanned = on.friction.rescan(WORKSPACE)
            rescan_s = time.perf_counter() - start
            on.journeys.refresh(WORKSPACE)
            on.friction.tick(WORKSPACE, flush=True)
            after = score(signals_as_messages(on), labels, config.end_ms)
        finally:
            on.close()
        decline = None
        if decline_customers:
            found, planted, end_ms, decline_messages = decline_world.judged(
                decline_customers, seed, bench_house(root / "decline"), say
            )
            decline = {
                "customers": decline_customers,
                "scale": 1.0,
                "messages": decline_messages,
                **score(found, planted, end_ms)[decline_world.KIND],
            }
    return {
        "synthetic": True,
        "seed": seed,
        "customers": customers,
        "scale": scale,
        "messages": manifest.messages,
        "labels": len(labels),
        "targets": TARGETS,
        "detectors": kinds,
        "rescan_agrees": {k: after[k]["signals"] == kinds[k]["signals"] for k in KINDS},
        "throughput": {
            "friction_off_events_per_s": round(off_rate),
            "friction_on_events_per_s": round(on_rate),
            "ratio": round(on_rate / off_rate, 3),
            "added_cost": round(off_rate / on_rate - 1, 3),
            "friction_off_cpu_us_per_event": round(off_cpu, 1),
            "friction_on_cpu_us_per_event": round(on_cpu, 1),
            "added_cpu": round(on_cpu / off_cpu - 1, 3),
        },
        "rescan": {"events": rescanned["events"], "seconds": round(rescan_s, 2), "signals": rescanned["signals"]},
        "quiet_decline_at_scale_1": decline,
    }
