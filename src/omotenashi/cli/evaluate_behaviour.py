"""`omotenashi evaluate churn|support|next-step`: the holdout report of a behaviour model beside its baseline, on a
synthetic simulated world (default) or on the workspace's own store (`--history`).

A simulated world goes through the product's real path: its messages are imported into a temporary store through
intake, followed by client memory, journeys and the friction detectors, and read back exactly as `omotenashi score`
reads a workspace. Everything about it is synthetic and the report says so.
"""

from __future__ import annotations

import math
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from rich.table import Table

from omotenashi.cli.common import console, opened_runtime, print_json

BEHAVIOUR = {"churn": "churn_risk", "support": "support_contact_risk", "next-step": "next_step"}


def simulated_house(folder: Path) -> Path:
    """The demo's house file (it follows the simulator's company) with its store in `folder`."""
    from ruamel.yaml import YAML

    yaml = YAML()
    data = yaml.load((resources.files("omotenashi.demo") / "house.yaml").read_text("utf-8"))
    data["store"] = {"type": "sqlite", "path": str(folder / "simulated.db"), "synchronous": "normal"}
    path = folder / "omotenashi.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path


def _reports(runtime: Any, wid: str, kinds: list[str], synthetic: bool) -> list[tuple[str, dict[str, Any]]]:
    """Check the asked-for kinds on a workspace's store, as `score` does (nothing is stored)."""
    from omotenashi.anticipation import risk
    from omotenashi.anticipation.behaviour_scoring import MIN_NEXT_STEP_CUSTOMERS
    from omotenashi.anticipation.behaviour_service import read_workspace
    from omotenashi.anticipation.next_step import evaluate as next_step_evaluate
    from omotenashi.config.anticipation import AnticipationSection, ChurnSection, SupportContactSection
    from omotenashi.core.errors import BadRequest
    from omotenashi.privacy.datamap import DataMap

    house = runtime.house_files[wid]
    section = house.anticipation or AnticipationSection()
    runtime.follower.drain()
    read = read_workspace(runtime.engines, house, wid, section)
    log = read.log
    synthetic = synthetic or read.stored.synthetic
    sensitive = sorted(DataMap(house.data_map).special_names()) if house.data_map is not None else []
    out = []
    for kind in kinds:
        if kind == "next_step":
            split = log.last_ts + 1 - section.behaviour_holdout_days * 86_400_000
            report = next_step_evaluate(read.stored.activities, split)
            if report.customers < MIN_NEXT_STEP_CUSTOMERS:
                raise BadRequest(
                    f"only {report.customers} customers took a known step after {split} (epoch ms)",
                    hint="a longer history, or a shorter anticipation.behaviour_holdout_days",
                )
            body = report.as_dict() | {"synthetic": synthetic, "kind": "next_step"}
        else:
            task = (
                risk.churn_task((section.churn or ChurnSection()).horizon_days)
                if kind == "churn_risk"
                else risk.support_task((section.support_contact or SupportContactSection()).horizon_days)
            )
            checked = risk.check(log, task, section.behaviour_holdout_days, sensitive=sensitive, synthetic=synthetic)
            body = checked.report.as_dict()
        out.append((kind, body))
    return out


def run(
    model: str,
    *,
    history: bool,
    config: Path | None,
    customers: int,
    days: int,
    seed: int,
    as_json: bool,
) -> None:
    """Evaluate one behaviour model (or all three with `behaviour`), print the report(s)."""
    from omotenashi.bootstrap import build
    from omotenashi.config.settings import Settings
    from omotenashi.simulator import WorldConfig, generate

    kinds = list(BEHAVIOUR.values()) if model == "behaviour" else [BEHAVIOUR[model]]
    if history:
        with opened_runtime(config) as runtime:
            wid = next(iter(runtime.house_files))
            reports = _reports(runtime, wid, kinds, synthetic=False)
        source = f"workspace {wid}: its own store"
    else:
        world = WorldConfig(customers=customers, days=days, seed=seed)
        with tempfile.TemporaryDirectory(prefix="omotenashi-evaluate-") as tmp:
            folder = Path(tmp)
            house = simulated_house(folder)
            store = f"sqlite:///{folder / 'simulated.db'}"  # never the store the environment names
            runtime = build(Settings(house_file=house, store_url=store), [house])
            try:
                wid = next(iter(runtime.house_files))
                if not as_json:
                    console.print(f"simulating {customers:,} customers over {days} days (seed {seed}; synthetic)…")
                messages = generate(world).messages
                runtime.intake.import_lines(iter(messages), runtime.intake.source(wid, "app"))
                runtime.follower.drain()
                runtime.journeys.refresh(wid)
                runtime.follower.drain()
                reports = _reports(runtime, wid, kinds, synthetic=True)
            finally:
                runtime.close()
        source = f"synthetic: the simulator's made-up company, {customers:,} customers, {days} days, seed {seed}"
    if as_json:
        for _, body in reports:
            print_json(body | {"source": source})
        return
    for kind, body in reports:
        print_report(kind, body)
    console.print(f"data: {source}")


def _fmt(value: Any, digits: int = 3) -> str:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}f}"


def print_report(kind: str, body: dict[str, Any]) -> None:
    """A behaviour model's holdout report as a table, the baseline beside it, and whether the candidate is promoted."""
    label = " (synthetic)" if body.get("synthetic") else ""
    if kind == "next_step":
        table = Table(title=f"next step{label}: {body['customers']:,} customers' first step after the split")
        table.add_column("measure")
        table.add_column("first-order baseline", justify="right")
        table.add_column("next-step model", justify="right")
        table.add_row("hit@1", _fmt(body["baseline_hit1"]), _fmt(body["model_hit1"]))
        table.add_row("hit@3", _fmt(body["baseline_hit3"]), _fmt(body["model_hit3"]))
        console.print(table)
        return
    models = body["models"]
    table = Table(
        title=f"{kind}{label}: within {body['horizon_days']} days — trained on {len(body['train_cutoffs'])} weekly "
        f"cutoffs ({body['train_rows']:,} rows, {body['train_positives']:,} happened), tested on "
        f"{', '.join(body['test_cutoffs'])} ({body['test_rows']:,} rows, {body['test_positives']:,} happened, "
        f"{body['base_rate']:.1%})"
    )
    table.add_column("measure")
    for m in models:
        title = f"baseline ({m['parameters'].get('features', '')})" if m["model"] == "baseline" else m["model"]
        table.add_column(title, justify="right")
    for name, key, digits in (
        ("AUC (higher is better)", "auc", 3),
        ("Brier score (lower is better)", "brier", 5),
        ("precision in the top 10 %", "precision_at_top", 3),
        ("recall in the top 10 %", "recall_at_top", 3),
        ("mean predicted chance", "mean_score", 3),
    ):
        table.add_row(name, *[_fmt(m[key], digits) for m in models])
    console.print(table)
    promotion = body["promotion"]
    if promotion["promoted"]:
        console.print("[green]boosted is promoted: better than the baseline on AUC and Brier score[/]")
    else:
        console.print("[red]boosted is not promoted:[/] " + "; ".join(promotion["shortfalls"]))
