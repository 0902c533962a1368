"""`omotenashi bench memory`: intake with identity resolution and profile updates against intake alone, and
briefing latency for customers with 10, 1,000 and 100,000 events (it must stay flat as history grows).

All messages are synthetic (see benchmarks/synthetic.py).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from omotenashi.benchmarks.synthetic import Synthetic
from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.memory.briefing import build_briefing
from omotenashi.store import customer_events
from omotenashi.store import customers as repo

HISTORIES = (10, 1_000, 100_000)


def template_house(folder: Path) -> Path:
    """The house file `omotenashi init` writes, for workspace `bench`, in `folder`."""
    from importlib import resources

    template = (resources.files("omotenashi.config") / "templates" / "omotenashi.yaml").read_text("utf-8")
    path = folder / "omotenashi.yaml"
    path.write_text(
        template.format(workspace_id="bench", workspace_name='"Benchmark (synthetic)"', timezone="UTC"),
        encoding="utf-8",
    )
    return path


def _runtime(folder: Path, follow: bool) -> Runtime:
    folder.mkdir(parents=True, exist_ok=True)
    return build(Settings(house_file=template_house(folder)), follow=follow)


def _intake(folder: Path, lines: list[bytes], with_memory: bool) -> float:
    rt = _runtime(folder, follow=with_memory)
    try:
        start = time.perf_counter()
        rt.intake.import_lines(iter(lines), rt.intake.source("bench", "web"))
        if with_memory:
            rt.follower.drain()
        return len(lines) / (time.perf_counter() - start)
    finally:
        rt.close()


def history(user: str, n: int) -> Iterator[bytes]:
    """`n` messages of one customer, a minute apart: an identify, then plays and orders."""
    base = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000)
    encode = msgspec.json.Encoder().encode
    yield encode({"type": "identify", "userId": user, "traits": {"name": f"Synthetic {user}", "language": "en"}})
    for i in range(n - 1):
        yield encode(
            {
                "type": "track",
                "userId": user,
                "messageId": f"{user}-{i}",
                "event": "Song Played" if i % 7 else "Order Completed",
                "properties": {"revenue": 9.99, "quantity": 1, "synthetic": True},
                "timestamp": datetime.fromtimestamp((base + i * 60_000) / 1000, UTC).isoformat(),
            }
        )


def _briefing_latency(folder: Path, samples: int) -> dict[str, dict[str, float]]:
    rt = _runtime(folder, follow=False)
    out: dict[str, dict[str, float]] = {}
    try:
        for n in HISTORIES:
            rt.intake.import_lines(history(f"h{n}", n), rt.intake.source("bench", "web"))
        rt.follower.drain()
        house = rt.house_files["bench"]
        for n in HISTORIES:
            with rt.engines.read.connect() as conn:
                cid = repo.find_identities(conn, "bench", [("user_id", f"h{n}")])[("user_id", f"h{n}")]
                events = customer_events.stats_of(conn, "bench", [cid])[0]
                times = []
                for _ in range(samples):
                    start = time.perf_counter()
                    build_briefing(conn, "bench", cid, house, "en")
                    times.append((time.perf_counter() - start) * 1000)
            times.sort()
            out[str(n)] = {
                "events": events,
                "p50_ms": round(statistics.median(times), 3),
                "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 3),
            }
    finally:
        rt.close()
    return out


def run(events: int = 200_000, samples: int = 300, progress: Callable[..., Any] | None = None) -> dict[str, Any]:
    """Measure; every figure is in the returned dict."""
    say = progress or (lambda *_: None)
    say(f"generating {events:,} synthetic messages")
    lines = list(Synthetic(customers=min(50_000, max(100, events // 20))).messages(events))
    with tempfile.TemporaryDirectory(prefix="omotenashi-bench-memory-") as tmp:
        root = Path(tmp)
        say("intake alone")
        alone = _intake(root / "alone", lines, with_memory=False)
        say("intake with identity resolution and profile updates")
        with_memory = _intake(root / "memory", lines, with_memory=True)
        say("briefing latency for 10, 1,000 and 100,000 events")
        latency = _briefing_latency(root / "briefing", samples)
    small, big = latency[str(HISTORIES[0])]["p50_ms"], latency[str(HISTORIES[-1])]["p50_ms"]
    return {
        "events": events,
        "intake_alone": {"events_per_s": round(alone)},
        "intake_with_memory": {"events_per_s": round(with_memory), "ratio": round(with_memory / alone, 3)},
        "briefing": latency,
        "briefing_growth": round(big / small, 3) if small else None,
    }
