"""Long-running commands hide their start-up objects from the cycle collector, and give them back when done;
follower batches hold collections off while they run."""

from __future__ import annotations

import gc
import weakref

import pytest

from omotenashi.core.heap import collector_paused, start_up_frozen


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_objects_built_before_the_block_are_frozen_and_released_after_it() -> None:
    built = [_Cycle() for _ in range(100)]
    with start_up_frozen():
        assert gc.get_freeze_count() >= len(built)
        # Garbage made inside the block is still collected as usual.
        made = _Cycle()
        del made
        assert gc.collect() >= 1
    assert gc.get_freeze_count() == 0
    del built
    assert gc.collect() >= 100  # unfrozen: the start-up cycles can be collected again


def test_the_collector_gets_them_back_even_when_the_command_fails() -> None:
    try:
        with start_up_frozen():
            raise RuntimeError("the command failed")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0


def test_a_paused_collector_runs_no_collection_in_the_block_and_is_back_on_after_it() -> None:
    assert gc.isenabled()
    before = gc.get_stats()[0]["collections"]
    with collector_paused():
        assert not gc.isenabled()
        garbage = [_Cycle() for _ in range(10_000)]  # far past the young generation's threshold
        one = weakref.ref(garbage[0])
        del garbage
        assert gc.get_stats()[0]["collections"] == before
        assert one() is not None  # a cycle: only the collector frees it
    assert gc.isenabled()
    gc.collect()
    assert one() is None  # the block's cycles are collected once it has ended


def test_a_pause_inside_a_pause_leaves_the_collector_to_the_outer_one_and_a_failure_still_resumes_it() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the batch failed")
    assert gc.isenabled()
