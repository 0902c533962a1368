"""`omotenashi simulate`: write a synthetic world of customers, with planted friction and its labels."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from omotenashi.cli.common import console, err_console

DEFAULT_START = "2026-01-05"  # the simulator's own default (world.DEFAULT_START), kept here so --help stays quick


def simulate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write messages.jsonl, labels.jsonl, … into.")],
    customers: Annotated[int, typer.Option(help="How many customers.", min=1)] = 1_000,
    days: Annotated[int, typer.Option(help="How many days the window spans.", min=1, max=3_650)] = 90,
    seed: Annotated[int, typer.Option(help="The seed: the same seed writes the same bytes.")] = 1,
    start: Annotated[str, typer.Option(help="The window's first day, YYYY-MM-DD.")] = DEFAULT_START,
    scale: Annotated[float, typer.Option(help="Multiplies how often customers visit.", min=0.01, max=100)] = 1.0,
    shuffle: Annotated[
        bool, typer.Option("--shuffle", help="Write messages in arrival order (phones deliver late), not time order.")
    ] = False,
    workers: Annotated[int | None, typer.Option(help="Processes (default: one per core).", min=1)] = None,
) -> None:
    """Write a synthetic company's customers: Segment messages, planted friction with labels, all synthetic."""
    from omotenashi.simulator.output import remove, write
    from omotenashi.simulator.world import WorldConfig

    try:
        first = date.fromisoformat(start)
    except ValueError as exc:
        err_console.print(f"error: --start {start!r} is not a date; give YYYY-MM-DD, e.g. 2026-01-05")
        raise typer.Exit(2) from exc
    config = WorldConfig(customers=customers, days=days, seed=seed, start=first, scale=scale)
    remove(out)
    began = time.perf_counter()
    with Progress(
        TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console
    ) as progress:
        task = progress.add_task("customers", total=customers)
        manifest = write(config, out, shuffle=shuffle, workers=workers, progress=lambda n: progress.advance(task, n))
    seconds = time.perf_counter() - began
    labels = manifest.labels_by_kind
    console.print(
        f"wrote {manifest.messages:,} synthetic messages of {customers:,} customers over {days} days "
        f"and {sum(labels.values()):,} friction labels to {out} in {seconds:.1f} s "
        f"({manifest.messages / max(seconds, 1e-9):,.0f} messages/s)"
    )
    console.print("labels: " + ", ".join(f"{kind} {n:,}" for kind, n in labels.items()))
    console.print(f"order: {'arrival (shuffled)' if shuffle else 'time'}; every message has context.synthetic: true")
