"""`bench friction` measures quiet decline on a second world by giving each customer's events straight to the
detector; that shortcut must say exactly what the whole pipeline says (real SQLite store, intake, followers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from omotenashi.benchmarks import decline, friction
from omotenashi.simulator import WorldConfig, write
from tests.integration.test_friction import SEED


@pytest.mark.slow
def test_the_detector_given_events_directly_says_what_the_pipeline_says(tmp_path: Path) -> None:
    house = friction.bench_house(tmp_path / "house")
    found, planted, end_ms, messages = decline.judged(2_000, SEED, house)
    direct = sorted((s["user"], s["first_seen"]) for s in found)

    write(WorldConfig(customers=2_000, days=90, seed=SEED, scale=1.0), tmp_path / "world")
    rt = friction._runtime(tmp_path / "store", True)
    try:
        source = rt.intake.source(friction.WORKSPACE, "web")
        for chunk in friction._chunks(tmp_path / "world" / "messages.jsonl", 5_000):
            rt.intake.import_lines(iter(chunk), source)
            rt.follower.drain()
        rt.friction.tick(friction.WORKSPACE, flush=True)
        piped = sorted(
            (s["user"], s["first_seen"]) for s in friction.signals_as_messages(rt) if s["kind"] == decline.KIND
        )
    finally:
        rt.close()
    assert len(direct) >= 5
    assert direct == piped
    assert messages > 100_000 and any(label["details"]["visible"] for label in planted)
    figures = friction.score(found, planted, end_ms)[decline.KIND]
    assert figures["signals"] == len(found) and figures["labels"] > 0
