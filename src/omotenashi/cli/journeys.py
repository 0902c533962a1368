"""`omotenashi journeys`: compute transition-time baselines now, or rebuild journeys from the log."""

from __future__ import annotations

import typer

from omotenashi.cli.common import ConfigOption, console, friendly_errors, opened_runtime

app = typer.Typer(help="Journeys: stages, steps and transition-time baselines.", no_args_is_help=True)


@app.command()
def refresh(config: ConfigOption = None) -> None:
    """Compute every journey's transition-time baselines now (they are also refreshed on a schedule)."""

    with friendly_errors():
        with opened_runtime(config) as runtime:
            runtime.follower.drain()
            n = runtime.journeys.refresh()
    console.print(f"computed {n} baselines")


@app.command()
def rebuild(config: ConfigOption = None) -> None:
    """Forget every journey position and step, and rebuild them from the event log (after the house file's
    journeys changed); then compute the baselines again."""

    with friendly_errors():
        with opened_runtime(config) as runtime:
            for wid in runtime.houses:
                runtime.journeys.rebuild(wid)
            applied = runtime.follower.drain()
            n = runtime.journeys.refresh()
    console.print(f"rebuilt journeys from {applied} event applications; computed {n} baselines")
