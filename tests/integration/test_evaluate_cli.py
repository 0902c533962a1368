"""`omotenashi evaluate` on a user's transaction file, as a table and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omotenashi.cli.main import app
from omotenashi.datasets.cdnow import purchases


def _cdnow_csv(path: Path) -> Path:
    lines = ["customer_id,date,amount"]
    lines += [f"{p.customer_id},{p.day.isoformat()},{p.dollars}" for p in purchases()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_evaluate_a_file_as_json(tmp_path: Path) -> None:
    path = _cdnow_csv(tmp_path / "orders.csv")
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "paretonbd",
            "--transactions",
            str(path),
            "--calibration-end",
            "1997-09-30",
            "--holdout-end",
            "1998-06-30",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["customers"] == 2357 and body["holdout_purchases"] == 1882
    assert [m["model"] for m in body["models"]] == ["bgnbd", "paretonbd"]
    pareto = body["models"][1]
    assert abs(pareto["parameters"]["r"] - 0.553) < 0.003 and abs(pareto["correlation"] - 0.630) < 0.01
    assert body["source"] == str(path) and body["promotion"] is None


@pytest.mark.slow
def test_evaluate_all_prints_the_table_with_baselines_side_by_side(tmp_path: Path) -> None:
    path = _cdnow_csv(tmp_path / "orders.csv")
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "all",
            "--transactions",
            str(path),
            "--calibration-end",
            "1997-09-30",
            "--holdout-end",
            "1998-06-30",
        ],
    )
    assert result.exit_code == 0, result.output
    for word in ("bgnbd", "paretonbd", "boosted", "MAE", "AUC", "promoted"):
        assert word in result.stdout


def test_a_bad_file_is_reported_with_its_line_and_exits_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("customer_id,date,amount\n1,2024-13-01,5\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "bgnbd", "--transactions", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2: date" in result.output and "YYYY-MM-DD" in result.output


def test_an_unknown_model_is_refused() -> None:
    result = CliRunner().invoke(app, ["evaluate", "prophet"])
    assert result.exit_code != 0 and "choose one of" in result.output
