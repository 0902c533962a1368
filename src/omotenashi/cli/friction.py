"""`omotenashi friction`: judge a workspace's whole history again (a batch rescan)."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer

from omotenashi.cli.common import ConfigOption, console, friendly_errors, opened_runtime

app = typer.Typer(help="Silent friction: signals found by the detectors of the house file.", no_args_is_help=True)


@app.command()
def rescan(
    config: ConfigOption = None,
    workspace: Annotated[str | None, typer.Option(help="Workspace id (default: the house file's).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Forget every signal and detector memory of a workspace and judge its whole event history again."""

    with friendly_errors():
        with opened_runtime(config) as runtime:
            wid = workspace or next(iter(runtime.houses))
            if wid not in runtime.houses:
                console.print(f"error: no workspace `{wid}` in the house file")
                raise typer.Exit(1)
            runtime.follower.drain()  # memory and journeys first: detectors read what they derived
            start = time.perf_counter()
            report = runtime.friction.rescan(wid)
            elapsed = time.perf_counter() - start
    summary = {"workspace": wid, **report, "seconds": round(elapsed, 2)}
    if as_json:
        sys.stdout.write(json.dumps(summary) + "\n")
        return
    console.print(f"{wid}: judged {report['events']:,} events again in {elapsed:.1f} s; {report['signals']:,} signals")
