"""`omotenashi import`: read a file of messages with a progress bar and print the summary."""

from __future__ import annotations

import gzip
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from omotenashi.bootstrap import Runtime, build
from omotenashi.cli.common import console, err_console
from omotenashi.config.settings import Settings
from omotenashi.core.errors import NotFound
from omotenashi.core.heap import start_up_frozen
from omotenashi.intake.service import IntakeReport
from omotenashi.web.schemas import rejection_out


def _open(file: str) -> tuple[IO[bytes], int | None]:
    if file == "-":
        return sys.stdin.buffer, None
    path = Path(file)
    if not path.exists():
        raise NotFound(f"no such file: {file}", hint="give a .jsonl or .jsonl.gz file, or - for stdin")
    raw: IO[bytes] = path.open("rb")
    size = os.path.getsize(path)
    if file.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw), size  # type: ignore[return-value]
    return raw, size


def _lines(stream: IO[bytes], raw: IO[bytes] | None, progress: Progress | None, task: TaskID | None) -> Iterator[bytes]:
    last = 0
    for line in stream:
        yield line
        if progress is not None and task is not None and raw is not None:
            pos = raw.tell()
            if pos - last > 1 << 20:
                progress.update(task, completed=pos)
                last = pos


def run_import(file: str, source_id: str | None, settings: Settings, *, as_json: bool = False) -> int:
    """Import a file; the exit code is 0 when every line was stored, duplicated or refused, 1 with rejections."""
    # Bulk loads commit the log only; the derived tables catch up from it when `omotenashi serve` runs.
    runtime = build(settings, follow=False)
    try:
        with start_up_frozen():
            report = _import(runtime, file, source_id, as_json)
    finally:
        runtime.close()
    _print(report, as_json)
    return 1 if report.rejected_by_reason else 0


def _import(runtime: Runtime, file: str, source_id: str | None, as_json: bool) -> IntakeReport:
    wid, loaded = next(iter(runtime.houses.items()))
    if source_id is None:
        if len(loaded.house.sources) != 1:
            raise NotFound(
                "more than one source is declared; say which one the file came from",
                hint=f"add --source with one of: {', '.join(loaded.house.sources)}",
            )
        source_id = next(iter(loaded.house.sources))
    source = runtime.intake.source(wid, source_id)
    stream, size = _open(file)
    raw = getattr(stream, "fileobj", stream) if file != "-" else None
    show = size is not None and not as_json and sys.stderr.isatty()
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not show,
    ) as progress:
        task = progress.add_task("import", total=size)
        report = runtime.intake.import_lines(_lines(stream, raw, progress if show else None, task), source)
        progress.update(task, completed=size)
    stream.close()
    return report


def _print(report: IntakeReport, as_json: bool) -> None:
    summary = {
        "accepted": report.accepted,
        "duplicates": report.duplicates,
        "consent_changes": report.consent_changes,
        "refused": dict(report.refused),
        "rejected": dict(report.rejected_by_reason),
        "rejections": [rejection_out(r) for r in report.rejected],
    }
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    console.print(f"accepted {report.accepted}, duplicates {report.duplicates}")
    for reason, n in sorted(report.refused.items()):
        console.print(f"refused {reason}: {n}")
    for reason, n in sorted(report.rejected_by_reason.items()):
        console.print(f"rejected {reason}: {n}")
    for r in report.rejected[:50]:
        console.print(f"  line {r.line}: {r.field or 'message'}: {r.reason}: {r.hint}", markup=False)
    if len(report.rejected) > 50:
        console.print(f"  … and {sum(report.rejected_by_reason.values()) - 50} more (use --json for all listed)")
