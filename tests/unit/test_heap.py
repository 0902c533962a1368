"""Long-running commands hide their start-up objects from the cycle collector, and give them back when done."""

from __future__ import annotations

import gc

from omotenashi.core.heap import start_up_frozen


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
