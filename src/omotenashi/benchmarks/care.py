"""`omotenashi bench care`: how fast playbooks turn signals and anticipations into care items, and how long a customer
waits from a planted friction to its care item while the server takes the intake benchmark's load.

1. **Evaluation**: `customers` synthetic customers (default 50,000), each with a friction signal and an anticipation,
   evaluated by every playbook at once (`omotenashi care run`). The baseline, in the same run, is reading the same
   signals and anticipations without acting on them: the ratio says what the playbooks cost above the read.
2. **Latency**: `omotenashi serve`'s app in this process, the intake benchmark's HTTP load against it (its synthetic
   messages, 100 a request, several connections), and every two seconds a planted rage-click burst of a fresh
   customer. Measured per probe: from the burst's acknowledgement to its care item (end to end: this includes the
   friction detectors' settling window, which waits for late events before judging), and from the signal to the item
   (care's own part).

Everything is synthetic and says so (`context.synthetic: true`, `synthetic-…` ids, `example.com` addresses).
"""

from __future__ import annotations

import json
import random
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import msgspec
from ruamel.yaml import YAML
from sqlalchemy import text

from omotenashi.benchmarks.load import LoadResult, batch_body, run_load, write_bodies
from omotenashi.benchmarks.synthetic import Synthetic
from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.core.clock import iso, to_epoch_ms, utc_now
from omotenashi.core.ids import hash_write_key, new_write_key
from omotenashi.staff import accounts
from omotenashi.store import anticipations as anticipations_repo
from omotenashi.store import care_inputs, workspaces
from omotenashi.store import signals as signals_repo

WORKSPACE = "bench"
STAFF = ("care-a@example.com", "care-b@example.com", "care-c@example.com")
KINDS = ("rage_click", "help_loop", "stall", "dead_click")  # the last has no playbook: read, then left alone
CONNECTIONS = 4
PROBE_EVERY_S = 2.0
SETTLE_S = 100.0  # probes this close to the end of the load have no newer events to settle them: not counted
CARE = """
teams:
  care: {members: [care-a@example.com, care-b@example.com, care-c@example.com], routing: least_loaded}
channels:
  email: {type: folder, path: outbox, sender: care@example.com}
templates:
  help:
    subject: {en: "Can we help?", ja: "お手伝いできますか"}
    body: {en: "Hello {{ first_name }}", ja: "{{ name }}様"}
playbooks:
  rage:
    title: {en: Rage clicks, ja: 連打}
    when: {signal: rage_click}
    then: {message: {template: help, channel: email}, priority: high, due_hours: 4}
  loop:
    title: {en: Help loop, ja: ヘルプの行き来}
    when: {signal: help_loop, min_severity: 2}
    then: {call: true}
    outcome: {recovered_when: no_event, event: Support Ticket Opened}
  stalled:
    title: {en: Stalled, ja: 停滞}
    when: {signal: stall}
  slipping:
    title: {en: Slipping away, ja: 離れつつある}
    when: {anticipation: still_active, below: 0.3}
    who: {languages: [ja]}
    then: {message: {template: help, channel: email}, priority: low}
    outcome: {recovered_when: event, event: Order Completed, within_days: 30}
caps: {quiet_hours: ""}
evaluate_seconds: 3600  # the benchmark times one evaluation itself
holdout_share: 0.1
"""


def care_house(folder: Path) -> Path:
    """The `omotenashi init` house file with the benchmark's care section."""
    from importlib import resources

    template = (resources.files("omotenashi.config") / "templates" / "omotenashi.yaml").read_text("utf-8")
    yaml = YAML()
    data = yaml.load(template.format(workspace_id=WORKSPACE, workspace_name='"Benchmark (synthetic)"', timezone="UTC"))
    data["store"]["synchronous"] = "normal"
    data.pop("data_map", None)  # the probes' click properties are kept as sent
    data["care"] = yaml.load(CARE)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "omotenashi.yaml"
    out = StringIO()
    yaml.dump(data, out)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _runtime(folder: Path, *, follow: bool) -> Runtime:
    path = care_house(folder)
    rt = build(Settings(house_file=path), [path], follow=follow)
    now = to_epoch_ms(utc_now())
    for email in STAFF:
        new = accounts.enrol(WORKSPACE, email, email.split("@")[0], "frontline", "benchmark-password", now=now)
        rt.writer.call(lambda conn, new=new: accounts.add(conn, new))  # type: ignore[misc]
    return rt


def _customers(rt: Runtime, count: int) -> list[str]:
    """`count` synthetic customers through intake (identify, with name, e-mail and language); their ids."""
    rng = random.Random(7)  # noqa: S311 - synthetic data
    at = iso(to_epoch_ms(utc_now()) - 86_400_000)
    lines = (
        msgspec.json.encode(
            {
                "type": "identify",
                "messageId": f"bench-care-{n}",
                "userId": f"synthetic-care-{n:06d}",
                "timestamp": at,
                "traits": {
                    "email": f"synthetic-care-{n:06d}@example.com",
                    "name": f"Customer {n}",
                    "language": "ja" if rng.random() < 0.4 else "en",
                },
                "context": {"synthetic": True},
            }
        )
        for n in range(count)
    )
    rt.intake.import_lines(lines, rt.intake.source(WORKSPACE, "web"))
    rt.follower.drain()
    with rt.engines.read.connect() as conn:
        rows = conn.execute(
            text("SELECT customer_id FROM identities WHERE workspace_id = :w AND kind = 'user_id'"), {"w": WORKSPACE}
        )
        return [r[0] for r in rows]


def _plant(rt: Runtime, customers: list[str]) -> int:
    """A signal and an anticipation for every customer, written as the detectors and scoring write them."""
    rng = random.Random(11)  # noqa: S311 - synthetic data
    now = to_epoch_ms(utc_now())
    signals = [
        signals_repo.SignalWrite(
            customer_id=cid,
            kind=KINDS[i % len(KINDS)],
            key=f"bench-{i}",
            severity=2 + i % 2,
            first_seen=now - 3_600_000,
            last_seen=now - 60_000,
            resolved_at=None,
            evidence=[],
            details={"clicks": 4, "step": "Profile Completed", "next_step": "First Project Created"},
            journey=None,
            step=None,
        )
        for i, cid in enumerate(customers)
    ]
    scores = [
        anticipations_repo.Anticipation(
            customer_id=cid,
            kind="still_active",
            score=rng.random(),
            horizon_days=90,
            computed_at=now,
            as_of=now - 86_400_000,
            model_id="m_bench",
            reasons=[{"en": "Bought every 3 weeks until 10 weeks ago", "ja": "10週間前まで3週間ごとにご購入"}],
            facts={"frequency": 3},
        )
        for cid in customers
    ]
    for start in range(0, len(customers), 5_000):
        chunk_s, chunk_a = signals[start : start + 5_000], scores[start : start + 5_000]
        rt.writer.call(lambda conn, s=chunk_s: signals_repo.upsert(conn, WORKSPACE, s, now))  # type: ignore[misc]
        rt.writer.call(lambda conn, a=chunk_a: anticipations_repo.put(conn, WORKSPACE, a))  # type: ignore[misc]
    return len(signals) + len(scores)


def evaluation(folder: Path, customers: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Playbook evaluation over `customers` customers with signals and anticipations."""
    rt = _runtime(folder, follow=False)
    try:
        say(f"care: {customers:,} synthetic customers through intake")
        ids = _customers(rt, customers)
        triggers = _plant(rt, ids)
        say(f"care: reading {triggers:,} signals and anticipations (the baseline)")
        began = time.perf_counter()
        with rt.engines.read.connect() as conn:
            read = len(care_inputs.signals_since(conn, WORKSPACE, (0, ""), limit=10 * customers))
            read += len(care_inputs.anticipations_since(conn, WORKSPACE, ["still_active"], 0))
        baseline_s = time.perf_counter() - began
        say("care: every playbook over them")
        began = time.perf_counter()
        applied = rt.care.evaluate(WORKSPACE)
        evaluate_s = time.perf_counter() - began
    finally:
        rt.close()
    return {
        "customers": len(ids),
        "triggers": read,
        "items": applied.created + applied.held_out,
        "held_out": applied.held_out,
        "actions_queued": applied.actions,
        "read_s": round(baseline_s, 3),
        "evaluate_s": round(evaluate_s, 3),
        "customers_per_s": round(len(ids) / evaluate_s, 1),
        "triggers_per_s": round(read / evaluate_s, 1),
        "ratio_to_read": round(evaluate_s / baseline_s, 2) if baseline_s else None,
    }


def _serve(rt: Runtime) -> tuple[str, Callable[[], None]]:
    import socket

    import uvicorn

    from omotenashi.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(rt, close_on_shutdown=False), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the benchmark server did not start")
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=20)

    return f"http://127.0.0.1:{port}", stop


def _burst(user: str) -> bytes:
    now = to_epoch_ms(utc_now())
    props = {"selector": "button.export", "text": "Export", "x": 120, "y": 40, "page": "/app/reports"}
    clicks = [
        {
            "type": "track",
            "userId": user,
            "anonymousId": f"{user}-device",  # clicks are read per device
            "event": "Element Clicked",
            "properties": props,
            "timestamp": iso(now - 600 + 200 * k),
            "messageId": f"{user}-{k}",
            "context": {"synthetic": True},
        }
        for k in range(3)
    ]
    return json.dumps({"batch": clicks}).encode()


def latency(folder: Path, events: int, say: Callable[[str], None]) -> dict[str, Any]:
    """From a planted friction to its care item, under the intake benchmark's HTTP load."""
    rt = _runtime(folder, follow=True)
    key = new_write_key()
    rt.writer.call(lambda conn: workspaces.add_key(conn, hash_write_key(key), key[:10], WORKSPACE, "web"))
    say(f"care: {events:,} messages of the intake benchmark's load")
    messages = list(Synthetic(now=datetime.now(UTC), prefix="synthetic-load").messages(events))
    sent_at = iso(to_epoch_ms(utc_now()))
    bodies = [batch_body(messages[i : i + 100], sent_at) for i in range(0, len(messages), 100)]
    files = []
    for c in range(CONNECTIONS):
        path = folder / f"bodies-{c}.jsonl"
        write_bodies(path, bodies[c::CONNECTIONS])
        files.append(path)
    del messages, bodies
    base, stop = _serve(rt)
    rt.care.start()
    probes: dict[str, int] = {}
    loaded = threading.Event()
    result: dict[str, LoadResult] = {}

    def load() -> None:
        port = int(base.rsplit(":", 1)[1])
        result["load"] = run_load(port, key, files, deadline_s=3_600)
        loaded.set()

    try:
        thread = threading.Thread(target=load, daemon=True)
        began = time.monotonic()
        thread.start()
        with httpx.Client(base_url=base, auth=(key, ""), timeout=30) as client:
            n = 0
            while not loaded.is_set():
                user = f"synthetic-probe-{n:05d}"
                reply = client.post("/v1/batch", content=_burst(user), headers={"Content-Type": "application/json"})
                if reply.status_code == 200:
                    probes[user] = to_epoch_ms(utc_now())
                n += 1
                loaded.wait(PROBE_EVERY_S)
        load_s = time.monotonic() - began
        end_ms = to_epoch_ms(utc_now())
        say(f"care: load done in {load_s:.0f} s; waiting for the probes' care items")
        counted = {u: t for u, t in probes.items() if t <= end_ms - SETTLE_S * 1000}
        found = _wait_for_items(rt, counted, deadline_s=SETTLE_S + 120)
    finally:
        stop()
        rt.close()
    e2e = sorted(v[0] for v in found.values())
    own = sorted(v[1] for v in found.values())
    figures = result.get("load")
    return {
        "load_events_per_s": round(figures.accepted / figures.wall_s, 1) if figures and figures.wall_s else None,
        "probes": len(counted),
        "items": len(found),
        "event_to_item_p50_s": _pct(e2e, 50),
        "event_to_item_p99_s": _pct(e2e, 99),
        "signal_to_item_p50_ms": _pct(own, 50, 1000),
        "signal_to_item_p99_ms": _pct(own, 99, 1000),
    }


def _pct(values: list[float], q: float, scale: float = 1) -> float | None:
    if not values:
        return None
    rank = max(0, min(len(values) - 1, round(q / 100 * len(values) + 0.5) - 1))
    return round(values[rank] * scale, 3)


def _wait_for_items(rt: Runtime, probes: dict[str, int], deadline_s: float) -> dict[str, tuple[float, float]]:
    """user → (seconds from the burst to the item, seconds from the signal to the item)."""
    found: dict[str, tuple[float, float]] = {}
    stop_at = time.monotonic() + deadline_s
    sql = text(
        "SELECT i.value, c.created_at, s.updated_at FROM care_items c "
        "JOIN identities i ON i.workspace_id = c.workspace_id AND i.customer_id = c.customer_id "
        "AND i.kind = 'user_id' JOIN signals s ON s.workspace_id = c.workspace_id AND s.id = c.trigger_ref "
        "WHERE c.workspace_id = :w AND c.trigger = 'signal'"
    ).bindparams(w=WORKSPACE)
    while len(found) < len(probes) and time.monotonic() < stop_at:
        with rt.engines.read.connect() as conn:
            for user, created, changed in conn.execute(sql):
                if user in probes and user not in found:
                    found[user] = ((created - probes[user]) / 1000, max(0, created - changed) / 1000)
        time.sleep(0.5)
    return found


def run(
    customers: int = 50_000, events: int = 1_000_000, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Both parts, each on a fresh store in a temporary folder."""
    say = progress or (lambda _m: None)
    with tempfile.TemporaryDirectory(prefix="omotenashi-bench-care-") as tmp:
        evaluated = evaluation(Path(tmp) / "evaluation", customers, say)
        timed = latency(Path(tmp) / "latency", events, say)
    return {"evaluation": evaluated, "latency": timed}
