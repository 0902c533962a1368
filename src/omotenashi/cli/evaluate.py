"""`omotenashi evaluate MODEL`: the holdout report, with the baselines side by side, on CDNOW or a user's file."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from omotenashi.cli.common import ConfigOption, console, friendly_errors, opened_runtime, print_json
from omotenashi.datasets.cdnow import CALIBRATION_END as CDNOW_CALIBRATION_END
from omotenashi.datasets.cdnow import HOLDOUT_END as CDNOW_HOLDOUT_END

CHOICES = ("bgnbd", "paretonbd", "boosted", "all", "churn", "support", "next-step", "behaviour")
BEHAVIOUR_CHOICES = ("churn", "support", "next-step", "behaviour")


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    from omotenashi.anticipation.transactions import parse_day

    try:
        return parse_day(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD", param_hint=option) from exc


def evaluate(
    model: Annotated[
        str,
        typer.Argument(
            help="bgnbd, paretonbd, boosted or all (purchases); churn, support, next-step or behaviour (all three)."
        ),
    ] = "all",
    transactions: Annotated[
        Path | None,
        typer.Option("--transactions", help="CSV with customer id, date and amount columns (default: CDNOW sample)."),
    ] = None,
    calibration_end: Annotated[
        str | None, typer.Option("--calibration-end", help="Last day of the calibration period (YYYY-MM-DD).")
    ] = None,
    holdout_end: Annotated[
        str | None, typer.Option("--holdout-end", help="Last day of the holdout (YYYY-MM-DD).")
    ] = None,
    history: Annotated[
        bool,
        typer.Option("--history", help="Use the workspace's own purchases, read from its store (see -c)."),
    ] = False,
    cdnow_groups: Annotated[
        bool,
        typer.Option(
            "--cdnow-groups",
            help="boosted or all: compare on the nine groups of CDNOW customers outside the paper's sample.",
        ),
    ] = False,
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    customers: Annotated[
        int, typer.Option("--customers", min=100, help="Behaviour models: customers of the simulated world.")
    ] = 3_000,
    days: Annotated[int, typer.Option("--days", min=60, help="Behaviour models: days of the simulated world.")] = 180,
    seed: Annotated[int, typer.Option("--seed", help="Behaviour models: seed of the simulated world.")] = 9_001,
) -> None:
    """Fit on a calibration period and score the holdout, with BG/NBD and Pareto/NBD side by side: on the CDNOW
    sample, on a transactions file, or on the workspace's own history. For churn, support and next-step: learn on
    earlier weeks and test on later ones, beside the baseline, on a synthetic simulated world or the workspace's
    store. With --cdnow-groups: the boosted model against both baselines on nine groups of CDNOW customers outside
    the paper's sample."""
    from omotenashi.anticipation.evaluation import MODELS
    from omotenashi.anticipation.evaluation import evaluate as run_evaluation

    if model not in CHOICES:
        raise typer.BadParameter(f"{model!r}: choose one of {', '.join(CHOICES)}", param_hint="MODEL")
    if cdnow_groups:
        if model not in ("boosted", "all"):
            raise typer.BadParameter(
                "--cdnow-groups compares boosted with both baselines: choose boosted or all", param_hint="MODEL"
            )
        if transactions is not None or history or calibration_end is not None or holdout_end is not None:
            raise typer.BadParameter(
                "--cdnow-groups reads the CDNOW cohort with the paper's dates; it takes no --transactions, "
                "--history, --calibration-end or --holdout-end",
                param_hint="--cdnow-groups",
            )
        from omotenashi.cli.evaluate_groups import run as run_groups

        with friendly_errors():
            run_groups(as_json=as_json)
        return
    if model in BEHAVIOUR_CHOICES:
        if transactions is not None or calibration_end is not None or holdout_end is not None:
            raise typer.BadParameter(
                "--transactions, --calibration-end and --holdout-end are for purchase models; behaviour models "
                "split their history in time themselves (anticipation.behaviour_holdout_days)",
                param_hint="MODEL",
            )
        from omotenashi.cli.evaluate_behaviour import run as run_behaviour

        with friendly_errors():
            run_behaviour(
                model, history=history, config=config, customers=customers, days=days, seed=seed, as_json=as_json
            )
        return
    wanted = list(MODELS) if model == "all" else sorted({model, "bgnbd", "paretonbd"}, key=MODELS.index)
    cal, hold = _day(calibration_end, "--calibration-end"), _day(holdout_end, "--holdout-end")
    with friendly_errors():
        if history:
            rows, source, cal, hold = _from_store(config, cal, hold)
        else:
            rows, source, cal, hold = _load(transactions, cal, hold)
        report = run_evaluation(rows, cal, hold, wanted)
    body = report.as_dict()
    body["source"] = source
    if as_json:
        print_json(body)
        return
    console.print(report_table(body))
    for line in report_notes(body):
        console.print(line)


def _from_store(config: Path | None, cal: date | None, hold: date | None) -> tuple[list[Any], str, date, date]:
    """The workspace's purchases; by default its anticipation's own split (the last `holdout_days` held out)."""
    from datetime import timedelta

    from omotenashi.anticipation.history import read_history
    from omotenashi.config.anticipation import AnticipationSection
    from omotenashi.core.errors import BadRequest

    with opened_runtime(config) as runtime:
        wid, house = next(iter(runtime.house_files.items()))
        section = house.anticipation or AnticipationSection()
        runtime.follower.drain()
        with runtime.engines.read.connect() as conn:
            found = read_history(conn, wid, section)
    last = found.last_day
    if last is None:
        raise BadRequest(
            f"workspace `{wid}` holds no purchases ({', '.join(section.purchase_events)})",
            hint="import some, or name your purchase events under anticipation.purchase_events",
        )
    hold = hold or last
    cal = cal or hold - timedelta(days=section.holdout_days)
    return list(found.rows), f"workspace {wid}: its own purchases", cal, hold


def _load(path: Path | None, cal: date | None, hold: date | None) -> tuple[list[Any], str, date, date]:
    from omotenashi.anticipation.transactions import read_transactions_file

    if path is None:
        from omotenashi.datasets.cdnow import purchases

        rows = [(str(p.customer_id), p.day, p.dollars) for p in purchases()]
        return (
            rows,
            "CDNOW sample (real; Fader, Hardie & Lee 2005)",
            cal or CDNOW_CALIBRATION_END,
            hold or CDNOW_HOLDOUT_END,
        )
    rows = read_transactions_file(path)
    first, last = min(r[1] for r in rows), max(r[1] for r in rows)
    hold = hold or last
    # Without a calibration end, half of the history calibrates and half is held out.
    cal = cal or date.fromordinal((first.toordinal() + hold.toordinal()) // 2)
    return rows, str(path), cal, hold


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:,.{digits}f}"


def report_table(body: dict[str, Any]) -> Table:
    """The report as a table: one column per model, one row per measure, the actual figures alongside."""
    models = body["models"]
    table = Table(
        title=f"omotenashi evaluate — calibration to {body['calibration_end']}, holdout to {body['holdout_end']} "
        f"({body['holdout_weeks']:.0f} weeks), {body['customers']:,} customers"
    )
    table.add_column("measure")
    table.add_column("actual", justify="right")
    for m in models:
        table.add_column(m["model"], justify="right")
    rows: list[tuple[str, str, str, int]] = [
        ("MAE per customer (lower is better)", "", "mae", 3),
        ("RMSE per customer (lower is better)", "", "rmse", 3),
        ("correlation with actual", "", "correlation", 3),
        ("AUC of buys again in holdout", "", "auc", 3),
        ("holdout purchases, total", _fmt(body["holdout_purchases"], 0), "forecast_holdout", 1),
        (
            f"zero class ({body['zero_class_customers']:,} customers), per customer",
            _fmt(body["zero_class_actual"], 2),
            "zero_class_forecast",
            2,
        ),
        (
            "cumulative repeat purchases at holdout end",
            _fmt(body["actual_cumulative_at_end"], 0),
            "cumulative_at_end",
            1,
        ),
        ("fit seconds", "", "fit_seconds", 2),
    ]
    for label, actual, key, digits in rows:
        table.add_row(label, actual, *[_fmt(m[key], digits) for m in models])
    return table


def report_notes(body: dict[str, Any]) -> list[str]:
    """What the table does not say: the data, the parameters, and whether the candidate is promoted."""
    notes = [f"data: {body['source']}"]
    for m in body["models"]:
        params = ", ".join(f"{k} {v:.6g}" if isinstance(v, float) else f"{k} {v}" for k, v in m["parameters"].items())
        notes.append(f"{m['model']}: {params}")
    promotion = body.get("promotion")
    if promotion is not None:
        if promotion["promoted"]:
            notes.append("[green]boosted is promoted: better than both baselines on MAE, RMSE, correlation and AUC[/]")
        else:
            notes.append("[red]boosted is not promoted:[/] " + "; ".join(promotion["shortfalls"]))
    return notes
