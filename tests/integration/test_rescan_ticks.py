"""Signals must not depend on how events were batched, on when the writer's periodic friction tick lands, nor on a
new process taking over from one that stopped.

Found while comparing a full-size rescan with streaming: in one run of `bench friction` the counts differed for six
detectors. Here a history is imported in large batches with no tick, then judged again by a rescan in small
batches with a tick (and fresh journey baselines) after each, as a busy server would; both must say the same.
Two causes were found this way and are covered here: an error click whose fix came days later was resolved when
the error and the fix were judged in one batch, but left open when a tick (or an earlier batch) had dropped the
error from the window first; and a stall whose timer fell due while the customer sent other events was never
judged (the look with those events skipped it, and the timer was taken as done).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.friction.rescan import rescan
from omotenashi.simulator import WorldConfig, generate
from tests.integration.test_friction import SEED, _import, _signals, settle, signals_of_import


def _tick(runtime: Runtime) -> None:
    consumer = runtime.friction.consumers["shop"]
    runtime.writer.call(lambda conn: consumer.tick(conn, "shop"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("customers", "seed", "chunk"),
    [
        (150, SEED, 700),  # an error click fixed nine days after its error (sim-u-000059)
        (600, 11, 250),  # a stall due while the customer was active elsewhere (sim-u-000373)
    ],
)
def test_ticks_and_batches_change_no_signal(runtime: Runtime, customers: int, seed: int, chunk: int) -> None:
    ordered = generate(WorldConfig(customers=customers, days=60, seed=seed)).messages
    runtime.follower.stop()  # this test drives the follower itself, batch by batch
    _import(runtime, ordered)
    without_ticks = _signals(runtime)
    report = rescan(
        runtime.engines,
        runtime.writer,
        runtime.friction.consumers["shop"],
        "shop",
        chunk=chunk,
        progress=lambda _n: (_tick(runtime), runtime.journeys.refresh("shop")),
    )
    runtime.journeys.refresh("shop")
    settle(runtime)
    assert report["events"] == len(ordered)
    with_ticks = _signals(runtime)
    assert len(without_ticks) > 30
    assert with_ticks == without_ticks


@pytest.mark.slow
def test_a_new_process_judges_what_the_last_one_held_unjudged(store_url: str, house_file: Path, tmp_path: Path) -> None:
    """The follower holds events until they settle (and gathers many before judging): a process that stops with
    events held leaves them to the next, which reads them back from the log and says what one process would."""
    ordered = generate(WorldConfig(customers=600, days=60, seed=11)).messages
    one_process = signals_of_import(house_file, tmp_path / "alone.db", ordered)

    settings = Settings(house_file=house_file, store_url=store_url)
    cut = len(ordered) // 2 + 1_234  # not at a batch's end
    first = build(settings, follow=False)
    try:
        source = first.intake.source("shop", "web")
        for start in range(0, cut, 3_000):
            first.intake.import_lines(iter(ordered[start : min(start + 3_000, cut)]), source)
            first.follower.drain()
        held = first.friction.consumers["shop"]._held["shop"].rows
        assert held  # it stops with events read but not judged yet (the last ones, not settled)
    finally:
        first.close()
    second = build(settings, follow=False)
    try:
        _import(second, ordered[cut:])
        assert _signals(second) == one_process
        assert len(one_process) > 30
    finally:
        second.close()
