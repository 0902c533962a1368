"""`omotenashi bench`: figures as ratios to a baseline measured in the same run."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from omotenashi.cli.common import console

app = typer.Typer(help="Benchmarks; each prints ratios to a baseline measured in the same run.", no_args_is_help=True)


@app.command()
def intake(
    events: Annotated[int, typer.Option(help="Messages to generate.", min=1_000)] = 1_000_000,
    connections: Annotated[int, typer.Option(help="Concurrent HTTP connections (one process each).", min=1)] = 6,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Intake throughput: the decode+insert ceiling, `import`, and HTTP `/v1/batch`, with peak memory."""
    from omotenashi.benchmarks.intake import run

    figures = run(events, progress=None if as_json else console.print, connections=connections)
    if as_json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return
    console.print(intake_table(figures))
    http = figures["http"]
    console.print(
        f"{figures['events']:,} synthetic messages, {figures['message_bytes_avg']} bytes on average. "
        f"import leaves out its process start ({figures['import']['process_start_s']} s, measured with an empty "
        f"file). HTTP: {http['connections']} keep-alive connections × {http['messages_per_request']} messages "
        "per request from 127.0.0.1. 'intake only': the same intake with the log followers off."
    )


def intake_table(figures: dict[str, Any]) -> Table:
    """The intake figures as a table a person reads."""
    top, imp, http = figures["ceiling"], figures["import"], figures["http"]
    table = Table(title="omotenashi bench intake")
    for name, justify in (("path", "left"), ("events/s", "right"), ("× ceiling", "right"), ("target", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_column("notes")
    table.add_row(
        "ceiling",
        f"{top['events_per_s']:,}",
        "1.00",
        "",
        f"decode alone {top['decode_per_s']:,}/s, insert alone {top['insert_per_s']:,}/s",
    )
    table.add_row(
        "omotenashi import",
        f"{imp['events_per_s']:,}",
        _ratio(imp["ratio"], imp["target"]),
        f"≥ {imp['target']}",
        f"peak RSS {imp['peak_rss_mb']} MB",
    )
    alone = imp["intake_only"]
    table.add_row("  intake only", f"{alone['events_per_s']:,}", _ratio(alone["ratio"], imp["target"]), "", "")
    for label, row in (("HTTP /v1/batch", http), ("  intake only", http["intake_only"])):
        table.add_row(
            label,
            f"{row['events_per_s']:,}",
            _ratio(row["ratio"], row["target"]),
            f"≥ {row['target']}" if row is http else "",
            f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, peak RSS {row['peak_rss_mb']} MB",
        )
    return table


def _ratio(value: float, target: float) -> str:
    colour = "green" if value >= target else "red"
    return f"[{colour}]{value:.2f}[/]"


@app.command()
def memory(
    events: Annotated[int, typer.Option(help="Synthetic messages for the intake comparison.")] = 200_000,
    samples: Annotated[int, typer.Option(help="Briefings timed per history length.")] = 300,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Intake with identity resolution and profile updates against intake alone; briefing latency for customers
    with 10, 1,000 and 100,000 events."""
    from omotenashi.benchmarks.memory import run

    figures = run(events, samples, progress=None if as_json else console.print)
    if as_json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return
    ratio = figures["intake_with_memory"]["ratio"]
    console.print(
        f"intake alone {figures['intake_alone']['events_per_s']:,} events/s; with memory "
        f"{figures['intake_with_memory']['events_per_s']:,} events/s (ratio {ratio})"
    )
    for n, row in figures["briefing"].items():
        console.print(f"briefing, {int(n):>7,} events: p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms")
    console.print(f"p50 at 100,000 events / p50 at 10 events: {figures['briefing_growth']}")


@app.command()
def anticipation(
    customers: Annotated[int, typer.Option(help="Largest synthetic cohort.", min=1_000)] = 1_000_000,
    boosted: Annotated[bool, typer.Option(help="Also fit and score the boosted model.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Anticipation: fit and score time on CDNOW against `lifetimes`, and on synthetic cohorts with peak memory."""
    from omotenashi.benchmarks.anticipation import run

    figures = run(customers, boosted=boosted, progress=None if as_json else console.print)
    if as_json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return
    cdnow = Table(title="omotenashi bench anticipation — CDNOW sample (real), against lifetimes in the same run")
    for name in ("model", "fit s", "lifetimes fit s", "× lifetimes", "score s", "lifetimes score s", "× lifetimes "):
        cdnow.add_column(name, justify="left" if name == "model" else "right")
    for model in ("bgnbd", "paretonbd"):
        row = figures["cdnow"][model]
        cdnow.add_row(
            model,
            f"{row['fit_s']:.4f}",
            f"{row.get('lifetimes_fit_s', float('nan')):.4f}",
            _ratio(row.get("fit_ratio", 0.0), 1.0),
            f"{row['score_s']:.5f}",
            f"{row.get('lifetimes_score_s', float('nan')):.5f}",
            _ratio(row.get("score_ratio", 0.0), 1.0),
        )
    console.print(cdnow)
    if "lifetimes_error" in figures["cdnow"]:
        console.print(f"lifetimes could not run: {figures['cdnow']['lifetimes_error']}")
    big = Table(title="synthetic cohorts (BG/NBD process, labelled synthetic): seconds per step")
    steps = [k for k in figures["synthetic"][-1] if k.endswith("_s") and k not in ("generate_s", "total_s")]
    short = {"summarise_s": "summary s", "bgnbd": "BG/NBD", "paretonbd": "P/NBD", "boosted": "boosted"}
    labels = [short.get(k) or f"{short[k.split('_')[0]]} {k.split('_')[1]} s" for k in steps]
    for name in ("customers", *labels, "total s", "µs/cust.", "peak MB"):
        big.add_column(name, justify="right")
    for row in figures["synthetic"]:
        big.add_row(
            f"{row['customers']:,}",
            *[f"{row[k]:.2f}" for k in steps],
            f"{row['total_s']:.1f}",
            f"{row['us_per_customer']:.1f}",
            f"{row['peak_rss_mb']:,.0f}",
        )
    console.print(big)
    console.print("targets: no slower than lifetimes on CDNOW (× ≥ 1); µs/customer flat; 1,000,000 in < 60 s, < 4 GiB")


@app.command("privacy")
def privacy_bench(
    events: Annotated[int, typer.Option(help="Events of the one customer exported and erased.", min=100)] = 100_000,
    customers: Annotated[int, typer.Option(help="Customers erased in one batch.", min=10)] = 10_000,
    postgres_url: Annotated[
        str, typer.Option(help="An admin URL of a PostgreSQL server; a throwaway database is created on it.")
    ] = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    postgres: Annotated[bool, typer.Option(help="Also measure on PostgreSQL.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Export and erasure of a customer with many events, a batch erasure, and intake while a batch runs against
    intake alone; on SQLite and on PostgreSQL."""
    from omotenashi.benchmarks.privacy import run as run_privacy

    figures = run_privacy(
        events, customers, postgres_url if postgres else None, progress=None if as_json else console.print
    )
    if as_json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return
    table = Table(title="omotenashi bench privacy (synthetic)")
    table.add_column("measure")
    stores = [s for s in ("sqlite", "postgresql") if "skipped" not in figures[s]]
    for store in stores:
        table.add_column(store, justify="right")
    rows: tuple[tuple[str, Callable[[dict[str, Any]], str]], ...] = (
        (f"export, {figures['customer_events']:,} events (s)", lambda f: f"{f['export']['seconds']:.2f}"),
        (f"erase, {figures['customer_events']:,} events (s)", lambda f: f"{f['erase_one']['seconds']:.2f}"),
        (f"batch erasure, {figures['batch_customers']:,} people (s)", lambda f: f"{f['batch']['seconds']:.1f}"),
        ("  people/s", lambda f: f"{f['batch']['customers_per_s']:,}"),
        ("intake alone (events/s)", lambda f: f"{f['intake_alone']['events_per_s']:,}"),
        ("intake during a batch (events/s)", lambda f: f"{f['intake_during_batch']['events_per_s']:,}"),
        ("  × intake alone", lambda f: f"{f['intake_during_batch']['ratio']:.2f}"),
    )
    for label, cell in rows:
        table.add_row(label, *[cell(figures[s]) for s in stores])
    console.print(table)
    for store in ("sqlite", "postgresql"):
        if "skipped" in figures[store]:
            console.print(f"{store}: skipped ({figures[store]['skipped']})")


@app.command("friction")
def friction_bench(
    customers: Annotated[int, typer.Option(help="Synthetic customers.", min=100)] = 50_000,
    events: Annotated[int, typer.Option(help="About how many messages (sets how often customers visit).")] = 1_000_000,
    scale: Annotated[float | None, typer.Option(help="How often customers visit (overrides --events).")] = None,
    decline_customers: Annotated[
        int,
        typer.Option(
            help="Customers of a second world at scale 1 that quiet decline is also measured on (0: none).", min=0
        ),
    ] = 40_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Friction detectors on the benchmark seed: precision, recall and delay per detector, intake with detectors on
    against off, and a batch rescan; and quiet decline on a world where customers visit often enough to decline."""
    from omotenashi.benchmarks.friction import run as run_friction

    figures = run_friction(
        customers,
        events,
        scale=scale,
        decline_customers=decline_customers,
        progress=None if as_json else console.print,
    )
    if as_json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return
    console.print(friction_table(figures))
    t, r = figures["throughput"], figures["rescan"]
    console.print(
        f"intake with every detector on: {t['friction_on_events_per_s']:,}/s against "
        f"{t['friction_off_events_per_s']:,}/s off (× {t['ratio']}; detectors add {t['added_cost']:.0%}, "
        f"target ≤ {figures['targets']['cost']:.0%}; CPU per event {t['friction_on_cpu_us_per_event']} µs against "
        f"{t['friction_off_cpu_us_per_event']} µs, +{t['added_cpu']:.0%}). "
        f"Rescan of {r['events']:,} events: {r['seconds']} s. {figures['messages']:,} synthetic messages, "
        f"{figures['customers']:,} customers, seed {figures['seed']}, scale {figures['scale']}."
    )
    decline = figures.get("quiet_decline_at_scale_1")
    if decline is not None:
        console.print(
            f"quiet_decline, scale 1: a second world of {decline['customers']:,} customers visiting at scale 1 "
            f"({decline['messages']:,} messages), each customer's events given to the detector directly."
        )


def friction_table(figures: dict[str, Any]) -> Table:
    """Per detector: signals, labels, precision, recall, median delay; against the targets."""
    targets = figures["targets"]
    table = Table(title="omotenashi bench friction (synthetic)")
    for name in ("detector", "signals", "labels", "precision", "recall", "median delay"):
        table.add_column(name, justify="left" if name == "detector" else "right")
    rows = list(figures["detectors"].items())
    decline = figures.get("quiet_decline_at_scale_1")
    if decline is not None:
        rows.append(("quiet_decline, scale 1", decline))
    for kind, row in rows:
        p, r, d = row["precision"], row["recall"], row["median_delay_s"]
        table.add_row(
            kind,
            f"{row['signals']:,}",
            f"{row['labels']:,}",
            "—" if p is None else _ratio(p, targets["precision"]),
            "—" if r is None else _ratio(r, targets["recall"]),
            "—" if d is None else _seconds(d),
        )
    return table


def _seconds(value: float) -> str:
    if value < 120:
        return f"{value:.1f} s"
    if value < 7_200:
        return f"{value / 60:.1f} min"
    if value < 172_800:
        return f"{value / 3600:.1f} h"
    return f"{value / 86_400:.1f} d"


@app.command("care")
def care_bench(
    customers: Annotated[
        int, typer.Option(help="Synthetic customers with a signal and an anticipation.", min=10)
    ] = 50_000,
    events: Annotated[
        int, typer.Option(help="Messages of the intake load during the latency probes.", min=1_000)
    ] = 1_000_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Playbook evaluation throughput over customers with signals and anticipations (against reading them alone),
    and the time from a planted friction to its care item, p50/p99, under the intake benchmark's load."""
    from omotenashi.benchmarks.care import run as run_care

    figures = run_care(customers, events, progress=None if as_json else console.print)
    if as_json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return
    e, lat = figures["evaluation"], figures["latency"]
    console.print(
        f"evaluation: {e['customers']:,} customers, {e['triggers']:,} signals and anticipations, {e['items']:,} care "
        f"items ({e['held_out']:,} held out) in {e['evaluate_s']} s: {e['customers_per_s']:,} customers/s; "
        f"× {e['ratio_to_read']} the time of reading them alone ({e['read_s']} s)"
    )
    console.print(
        f"latency under {lat['load_events_per_s']:,} events/s of intake load: {lat['items']} of {lat['probes']} probes "
        f"got their item; event → item p50 {lat['event_to_item_p50_s']} s, p99 {lat['event_to_item_p99_s']} s "
        f"(friction waits for late events before it judges); signal → item p50 {lat['signal_to_item_p50_ms']} ms, "
        f"p99 {lat['signal_to_item_p99_ms']} ms"
    )
