"""A simulator of a made-up software company and its customers, with planted friction and ground-truth labels.

Everything it produces is synthetic and labelled so: every message carries `context.synthetic: true`, every label
and customer line `"synthetic": true`. See docs/events.md for the events it emits and what each label means.
"""

from omotenashi.simulator.output import World, generate, lines, messages, write
from omotenashi.simulator.world import BENCH_SEED, WorldConfig

__all__ = ["BENCH_SEED", "World", "WorldConfig", "generate", "lines", "messages", "write"]
