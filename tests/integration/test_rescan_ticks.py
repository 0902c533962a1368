"""Signals must not depend on how events were batched, nor on when the writer's periodic friction tick lands.

Found while comparing a full-size rescan with streaming: in one run of `bench friction` the counts differed for six
detectors. Here a history is imported in large batches with no tick, then judged again by a rescan in small
batches with a tick (and fresh journey baselines) after each, as a busy server would; both must say the same.
Two causes were found this way and are covered here: an error click whose fix came days later was resolved when
the error and the fix were judged in one batch, but left open when a tick (or an earlier batch) had dropped the
error from the window first; and a stall whose timer fell due while the customer sent other events was never
judged (the look with those events skipped it, and the timer was taken as done).
"""

from __future__ import annotations

import pytest

from omotenashi.bootstrap import Runtime
from omotenashi.friction.rescan import rescan
from omotenashi.simulator import WorldConfig, generate
from tests.integration.test_friction import SEED, _import, _signals, settle


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
