"""Intake with the log followers switched off, so `bench intake` can tell intake's own cost from the followers'.

`omotenashi import` and `omotenashi serve` run the followers (memory, …) on the same single writer as intake; this
module runs the very same intake without them, in its own process:

    python -m omotenashi.benchmarks.intake_only import HOUSE_FILE FILE SOURCE   # prints {"accepted", "seconds"}
    python -m omotenashi.benchmarks.intake_only serve HOUSE_FILE HOST PORT
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import msgspec

from omotenashi.bootstrap import build
from omotenashi.config.settings import Settings
from omotenashi.core.heap import start_up_frozen


def import_file(house: Path, file: Path, source_id: str) -> dict[str, float]:
    """Import a JSONL file through `Intake.import_lines`; the events accepted and the seconds it took."""
    runtime = build(Settings(house_file=house), follow=False)
    try:
        with start_up_frozen():  # as `omotenashi import` does
            source = runtime.intake.source(next(iter(runtime.houses)), source_id)
            began = time.perf_counter()
            with file.open("rb") as lines:
                report = runtime.intake.import_lines(lines, source)
            seconds = time.perf_counter() - began
    finally:
        runtime.close()
    return {"accepted": report.accepted, "seconds": seconds}


def serve(house: Path, host: str, port: int) -> None:
    """Serve the tracking API of `house` until interrupted."""
    from omotenashi.cli.serving import serve_runtime

    serve_runtime(build(Settings(house_file=house), follow=False), host, port)


if __name__ == "__main__":
    command, house_file, *rest = sys.argv[1:]
    if command == "import":
        figures = import_file(Path(house_file), Path(rest[0]), rest[1])
        sys.stdout.buffer.write(msgspec.json.encode(figures) + b"\n")
    elif command == "serve":
        serve(Path(house_file), rest[0], int(rest[1]))
    else:
        raise SystemExit(f"unknown command {command!r}: use import or serve")
