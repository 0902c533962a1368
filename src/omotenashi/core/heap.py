"""Keep the cycle collector off what a long-running command built at start-up, and out of batches that allocate
many short-lived objects.

A server or a bulk import builds its runtime once (modules, engines, the app, house files: a few hundred thousand
objects) and then allocates and frees small objects by the million. Each full collection walks every tracked
object, start-up ones included, and on a 1,000,000-message import those walks took about a tenth of the time.
`gc.freeze()` moves what exists now into a generation the collector never walks; it is still freed by reference
counting when released. When the command ends (or returns, as it does when a test runs it in-process) the frozen
objects are handed back to the collector.

A follower's batch makes tens of thousands of small objects (events as detectors read them, their records, rows to
write) that live until the batch ends and are then freed by reference counting; while the batch runs, every 700
allocations start a collection that walks them all again and finds nothing to free (on the friction benchmark, a
tenth of the follower's time). `collector_paused()` holds collections off for the batch; what a batch leaves in
cycles is collected by the first collection after it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def start_up_frozen() -> Iterator[None]:
    """Collect what start-up left behind and hide the rest from collections until the block ends."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off the cycle collector until the block ends (left off if it was off already)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
