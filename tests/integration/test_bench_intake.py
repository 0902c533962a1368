"""`omotenashi bench intake` through the real CLI, scaled down: every documented figure is there and positive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def omotenashi_cli() -> list[str]:
    script = Path(sys.executable).with_name("omotenashi")
    return [str(script)] if script.exists() else [sys.executable, "-m", "omotenashi.cli.main"]


@pytest.mark.slow
def test_bench_intake_reports_every_figure_as_json():
    done = subprocess.run(
        [*omotenashi_cli(), "bench", "intake", "--events", "20000", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)

    assert figures["events"] == 20_000 and figures["synthetic"] is True
    assert 300 <= figures["message_bytes_avg"] <= 500
    assert figures["ceiling"]["events_per_s"] > 0
    for path in ("import", "http"):
        for measured in (figures[path], figures[path]["intake_only"]):
            assert measured["events_per_s"] > 0, path
            assert measured["ratio"] > 0, path
    for http in (figures["http"], figures["http"]["intake_only"]):
        assert 0 < http["p50_ms"] <= http["p99_ms"]
        assert http["errors"] == 0 and http["peak_rss_mb"] > 0
    assert figures["import"]["peak_rss_mb"] > 0
    assert figures["peak_rss_mb"] > 0
