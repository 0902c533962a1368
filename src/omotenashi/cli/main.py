"""`omotenashi`: set up a workspace, take events in, serve, and measure."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from omotenashi.cli import bench, care, demo, evaluate, friction, journeys, keys, privacy, score, simulate, staff
from omotenashi.cli.common import ConfigOption, console, err_console, friendly_errors, settings_with

app = typer.Typer(
    name="omotenashi",
    help="Anticipatory customer care on first-party data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(keys.app, name="keys")
app.add_typer(bench.app, name="bench")
app.add_typer(staff.app, name="staff")
app.add_typer(privacy.app, name="privacy")
app.add_typer(journeys.app, name="journeys")
app.add_typer(friction.app, name="friction")
app.add_typer(care.app, name="care")
app.command("demo")(demo.demo)
app.command("evaluate")(evaluate.evaluate)
app.command("simulate")(simulate.simulate)
app.command("score")(score.score)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the house file.")] = Path("omotenashi.yaml"),
    workspace: Annotated[str, typer.Option(help="Workspace id.")] = "main",
    name: Annotated[str, typer.Option(help="Workspace name.")] = "My company",
    timezone: Annotated[str, typer.Option(help="IANA timezone.")] = "UTC",
    force: Annotated[bool, typer.Option(help="Overwrite an existing house file.")] = False,
) -> None:
    """Write a commented house file and create its store."""
    from importlib import resources

    from omotenashi.bootstrap import load_houses, open_store

    with friendly_errors():
        if path.exists() and not force:
            err_console.print(f"error: {path} exists; use --force to overwrite it, or `omotenashi check {path}`")
            raise typer.Exit(1)
        template = (resources.files("omotenashi.config") / "templates" / "omotenashi.yaml").read_text("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        # A JSON string is a double-quoted YAML scalar: names with `: ` or ` #` stay whole.
        quoted_name = json.dumps(name, ensure_ascii=False)
        path.write_text(
            template.format(workspace_id=workspace, workspace_name=quoted_name, timezone=timezone), encoding="utf-8"
        )
        houses = load_houses([path])
        open_store(houses, settings_with(path)).dispose()
    console.print(f"wrote {path} and created its store")
    console.print(f"next: omotenashi keys create --source web -c {path}")


@app.command()
def check(
    paths: Annotated[list[Path] | None, typer.Argument(help="House files (default: the configured one).")] = None,
) -> None:
    """Validate house files; report every problem with file:line and a hint."""
    from omotenashi.config.loader import check_house

    targets = paths or [settings_with(None).house_file]
    total = 0
    for path in targets:
        problems, _ = check_house(path)
        errors = sum(1 for p in problems if not p.warning)
        total += errors
        for problem in problems:
            err_console.print(problem.render(), markup=False, highlight=False)
        if not errors:
            warned = len(problems)
            console.print(f"{path}: ok" + (f" ({warned} warning(s))" if warned else ""))
    if total:
        err_console.print(f"{total} problem(s)")
        raise typer.Exit(1)


@app.command()
def migrate(config: ConfigOption = None) -> None:
    """Bring the store's schema up to date (serve and init do this too)."""
    from omotenashi.bootstrap import load_houses, open_store
    from omotenashi.store.migrate import current_revision

    with friendly_errors():
        settings = settings_with(config)
        engines = open_store(load_houses([settings.house_file]), settings)
        console.print(f"store at migration {current_revision(engines.write)}")
        engines.dispose()


@app.command()
def status(
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Per workspace: stored events, customers, duplicates, refusals and rejections by reason."""
    from omotenashi.bootstrap import load_houses, open_store
    from omotenashi.intake.status import status_of_store

    with friendly_errors():
        settings = settings_with(config)
        houses = load_houses([settings.house_file])
        engines = open_store(houses, settings)
        try:
            from omotenashi.store.workspaces import workspace_ids

            with engines.read.connect() as conn:
                ids = workspace_ids(conn)
            statuses = status_of_store(engines, ids)
        finally:
            engines.dispose()
    if as_json:
        sys.stdout.write(json.dumps({"workspaces": statuses}, indent=2) + "\n")
        return
    for s in statuses:
        console.print(
            f"[bold]{s['workspace']}[/]: {s['events']} events, {s['customers']} customers, "
            f"{s['duplicates']} duplicates, {s['consent_receipts']} consent receipts"
        )
        for reason, n in s["refused"].items():
            console.print(f"  refused {reason}: {n}")
        for reason, n in s["rejections"].items():
            console.print(f"  rejected {reason}: {n}")
        for name, n in s.get("undeclared", {}).items():
            console.print(f"  collected but not declared: {name} ({n})")


@app.command("import")
def import_(
    file: Annotated[str, typer.Argument(help="A .jsonl or .jsonl.gz file of messages, or - for stdin.")],
    source: Annotated[str | None, typer.Option(help="Source id (default: the only source).")] = None,
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Bulk-load Segment messages through the same validation as the HTTP API."""
    from omotenashi.cli.importing import run_import

    with friendly_errors():
        code = run_import(file, source, settings_with(config), as_json=as_json)
    raise typer.Exit(code)


@app.command()
def serve(
    config: ConfigOption = None,
    extra: Annotated[
        list[Path] | None, typer.Option("--also", help="More house files (other workspaces, same store).")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the tracking API, the JSON API and the pages."""
    from omotenashi.cli.serving import run_server

    with friendly_errors():
        settings = settings_with(config)
        run_server(settings, [settings.house_file, *(extra or [])], host=host, port=port)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
