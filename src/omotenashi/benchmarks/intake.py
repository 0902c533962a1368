"""`omotenashi bench intake`: how close `import` and HTTP `/v1/batch` come to what decode + insert alone allow.

One run generates synthetic messages, measures the ceiling (msgspec decode plus a plain SQLite `executemany`, one
process), then the real CLI: `omotenashi import` as a subprocess on a fresh store, and `omotenashi serve` as a
subprocess on a fresh store driven from 127.0.0.1 by keep-alive connections in separate processes. Every
figure is reported with its ratio to the ceiling measured in the same run, on the same messages.

The real commands also run the log followers (memory, …) on the same single writer as intake. So that intake's
own cost stays visible, `import` and `http` each carry an `intake_only` figure: the same intake, same messages,
fresh store, with the followers off (see intake_only.py).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from omotenashi.benchmarks import ceiling
from omotenashi.benchmarks.load import HOST, LoadResult, batch_body, run_load, write_bodies
from omotenashi.benchmarks.processes import (
    INTAKE_ONLY,
    cli,
    free_port,
    init_house,
    module,
    peak_rss_mb,
    run_cli,
    server,
    timed,
)
from omotenashi.benchmarks.synthetic import CUSTOMERS, EVENT_NAMES, Synthetic
from omotenashi.config.house import SqliteStore
from omotenashi.config.loader import load_house

IMPORT_TARGET = 0.5
HTTP_TARGET = 0.3
MESSAGES_PER_REQUEST = 100
CONNECTIONS = 6
SOURCE = "web"

Progress = Callable[[str], Any]


class _ImportSummary(msgspec.Struct):
    accepted: int
    duplicates: int
    rejected: dict[str, int]


class _IntakeOnlyImport(msgspec.Struct):
    accepted: int
    seconds: float


def run(events: int, progress: Callable[..., Any] | None = None, connections: int = CONNECTIONS) -> dict[str, Any]:
    """Measure the ceiling, `omotenashi import` and HTTP `/v1/batch` on `events` synthetic messages."""
    if events < MESSAGES_PER_REQUEST * connections:
        raise ValueError(f"use at least {MESSAGES_PER_REQUEST * connections} events")
    say: Progress = progress or (lambda _text: None)
    with tempfile.TemporaryDirectory(prefix="omotenashi-bench-") as tmp:
        folder = Path(tmp)
        say(f"generating {events:,} synthetic messages ({CUSTOMERS:,} customers, {len(EVENT_NAMES)} event names)")
        lines = list(Synthetic().messages(events))
        avg_bytes = sum(map(len, lines)) / len(lines)
        jsonl = folder / "messages.jsonl"
        jsonl.write_bytes(b"\n".join(lines) + b"\n")
        body_files = _body_files(folder, lines, connections)

        say("measuring the ceiling: msgspec decode + SQLite executemany, 10,000 rows per transaction")
        (folder / "ceiling").mkdir()
        top = ceiling.measure(lines, folder / "ceiling", _synchronous(init_house(folder / "ceiling-house")))
        del lines

        say(f"measuring `omotenashi import` of {events:,} messages (subprocess, fresh store)")
        imported = _measure_import(folder, jsonl, events)
        say("… and the same intake with the log followers off")
        imported_alone = _measure_intake_only_import(folder, jsonl, events)
        jsonl.unlink()

        say(f"measuring HTTP /v1/batch: {connections} keep-alive connections, {MESSAGES_PER_REQUEST} messages each")
        http = _measure_http(folder / "http", body_files, events, with_followers=True)
        say("… and the same intake with the log followers off")
        http_alone = _measure_http(folder / "http-intake-only", body_files, events, with_followers=False)

    rate = top.events_per_s
    return {
        "events": events,
        "synthetic": True,
        "message_bytes_avg": round(avg_bytes),
        "ceiling": top.as_dict() | {"rows_per_transaction": ceiling.ROWS_PER_TRANSACTION},
        "import": {
            "events_per_s": round(imported["events_per_s"]),
            "ratio": round(imported["events_per_s"] / rate, 3),
            "target": IMPORT_TARGET,
            "wall_s": round(imported["wall_s"], 2),
            "process_start_s": round(imported["start_s"], 2),
            "peak_rss_mb": imported["peak_rss_mb"],
            "intake_only": {
                "events_per_s": round(imported_alone),
                "ratio": round(imported_alone / rate, 3),
            },
        },
        "http": _http_figures(http, rate) | {"intake_only": _http_figures(http_alone, rate)},
        "peak_rss_mb": http["peak_rss_mb"],
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version},
    }


def _http_figures(measured: dict[str, Any], ceiling_rate: float) -> dict[str, Any]:
    load: LoadResult = measured["load"]
    rate = load.accepted / load.wall_s
    return {
        "events_per_s": round(rate),
        "ratio": round(rate / ceiling_rate, 3),
        "target": HTTP_TARGET,
        "p50_ms": round(load.percentile(50), 2),
        "p99_ms": round(load.percentile(99), 2),
        "requests": load.requests,
        "errors": load.errors,
        "connections": len(measured["bodies"]),
        "messages_per_request": MESSAGES_PER_REQUEST,
        "wall_s": round(load.wall_s, 2),
        "peak_rss_mb": measured["peak_rss_mb"],
    }


def _body_files(folder: Path, lines: Sequence[bytes], connections: int) -> list[Path]:
    sent_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    per_connection: list[list[bytes]] = [[] for _ in range(connections)]
    for n, start in enumerate(range(0, len(lines), MESSAGES_PER_REQUEST)):
        body = batch_body(lines[start : start + MESSAGES_PER_REQUEST], sent_at)
        per_connection[n % connections].append(body)
    paths = []
    for n, bodies in enumerate(per_connection):
        path = folder / f"bodies-{n}.txt"
        write_bodies(path, bodies)
        paths.append(path)
    return paths


def _synchronous(house: Path) -> str:
    store = load_house(house).house.store
    return store.synchronous if isinstance(store, SqliteStore) else "full"


def _measure_import(folder: Path, jsonl: Path, events: int) -> dict[str, float]:
    empty = folder / "empty.jsonl"
    empty.write_bytes(b"")
    # What the subprocess costs with nothing to import (interpreter, imports, a fresh store, shutdown):
    # measured on its own and left out of events/s, as the ceiling has no process start either.
    starts = []
    for n in range(2):
        house = init_house(folder / f"import-empty-{n}")
        starts.append(timed(_import_command(house, empty), house.parent, 120)[0])
    house = init_house(folder / "import")
    wall, peak, stdout = timed(_import_command(house, jsonl), house.parent, 120 + events / 1_000)
    summary = msgspec.json.decode(stdout, type=_ImportSummary)
    if summary.accepted != events or summary.rejected:
        raise RuntimeError(f"import stored {summary.accepted} of {events} messages; rejected: {summary.rejected}")
    start = min(starts)
    return {"events_per_s": events / max(wall - start, 1e-9), "wall_s": wall, "start_s": start, "peak_rss_mb": peak}


def _import_command(house: Path, file: Path) -> list[str]:
    return [*cli(), "import", str(file), "--source", SOURCE, "--json", "-c", str(house)]


def _measure_intake_only_import(folder: Path, jsonl: Path, events: int) -> float:
    house = init_house(folder / "import-intake-only")
    command = [*module(INTAKE_ONLY), "import", str(house), str(jsonl), SOURCE]
    _, _, stdout = timed(command, house.parent, 120 + events / 2_000)
    result = msgspec.json.decode(stdout, type=_IntakeOnlyImport)
    if result.accepted != events:
        raise RuntimeError(f"intake-only import stored {result.accepted} of {events} messages")
    return events / result.seconds


def _measure_http(folder: Path, body_files: Sequence[Path], events: int, *, with_followers: bool) -> dict[str, Any]:
    house = init_house(folder)
    key = run_cli("keys", "create", "--source", SOURCE, "-q", "-c", str(house)).strip()
    port = free_port()
    where = ["--host", HOST, "--port", str(port)]
    command = (
        [*cli(), "serve", "-c", str(house), *where]
        if with_followers
        else [*module(INTAKE_ONLY), "serve", str(house), HOST, str(port)]
    )
    with server(command, folder / "serve.log", port) as pid:
        load = run_load(port, key, body_files, deadline_s=60 + events / 1_000)
        peak = peak_rss_mb(pid)
    if load.errors or load.accepted != events:
        detail = load.first_error or "no error reported"
        if load.timed_out:
            detail += "; the run hit its deadline"
        raise RuntimeError(f"HTTP stored {load.accepted} of {events} messages, {load.errors} errors: {detail}")
    return {"load": load, "peak_rss_mb": peak, "bodies": body_files}
