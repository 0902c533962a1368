"""`omotenashi bench`: figures as ratios to a baseline measured in the same run."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from omotenashi.cli.common import console

app = typer.Typer(help="Benchmarks; each prints ratios to a baseline measured in the same run.", no_args_is_help=True)


@app.command()
def intake(
    events: Annotated[int, typer.Option(help="Messages to generate.")] = 1_000_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Intake throughput: the decode+insert ceiling, `import`, and HTTP `/v1/batch`, with peak memory."""
    from omotenashi.benchmarks.intake import run

    figures = run(events, progress=None if as_json else console.print)
    if as_json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
