"""`omotenashi journeys`: compute transition-time baselines now, or rebuild journeys from the log."""

from __future__ import annotations

import typer

from omotenashi.cli.common import ConfigOption, console, friendly_errors, settings_with

app = typer.Typer(help="Journeys: stages, steps and transition-time baselines.", no_args_is_help=True)


@app.command()
def refresh(config: ConfigOption = None) -> None:
    """Compute every journey's transition-time baselines now (they are also refreshed on a schedule)."""
    from omotenashi.bootstrap import build

    with friendly_errors():
        runtime = build(settings_with(config), follow=False)
        try:
            runtime.follower.drain()
            n = runtime.journeys.refresh()
        finally:
            runtime.close()
    console.print(f"computed {n} baselines")


@app.command()
def rebuild(config: ConfigOption = None) -> None:
    """Forget every journey position and step, and rebuild them from the event log (after the house file's
    journeys changed); then compute the baselines again."""
    from omotenashi.bootstrap import build

    with friendly_errors():
        runtime = build(settings_with(config), follow=False)
        try:
            for wid in runtime.houses:
                runtime.journeys.rebuild(wid)
            applied = runtime.follower.drain()
            n = runtime.journeys.refresh()
        finally:
            runtime.close()
    console.print(f"rebuilt journeys from {applied} event applications; computed {n} baselines")
