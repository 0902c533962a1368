"""`omotenashi privacy`: the notice, and rights requests carried out from the command line (with a receipt)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from omotenashi.cli.common import ConfigOption, console, err_console, friendly_errors, settings_with

app = typer.Typer(help="The privacy notice, export and erasure, rights requests.", no_args_is_help=True)


@app.command()
def notice(
    config: ConfigOption = None,
    lang: Annotated[str, typer.Option(help="en or ja.")] = "en",
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of printing.")] = None,
) -> None:
    """Print the privacy notice, generated from the data map (so it is always true)."""
    from omotenashi.config.loader import load_house
    from omotenashi.privacy.notice import markdown

    with friendly_errors():
        house = load_house(settings_with(config).house_file).house
        text = markdown(house, lang)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")
    else:
        sys.stdout.write(text)


@app.command()
def export(
    identity: Annotated[str, typer.Option(help="KIND:VALUE, e.g. user_id:42 or email:ann@example.com.")],
    out: Annotated[Path, typer.Option(help="The zip file to write.")] = Path("export.zip"),
    config: ConfigOption = None,
) -> None:
    """Export everything held about a person as JSON and CSV in one zip, and print the receipt."""
    from omotenashi.bootstrap import build
    from omotenashi.privacy.service import Identity

    with friendly_errors():
        runtime = build(settings_with(config), follow=False)
        try:
            wid = next(iter(runtime.houses))
            customer = runtime.privacy.find(wid, Identity.parse(identity))
            with out.open("wb") as fh:
                counts = runtime.privacy.export(wid, customer, fh)
        finally:
            runtime.close()
    sys.stdout.write(json.dumps({"exported": str(out), "customer": customer, "contents": counts}, indent=2) + "\n")


@app.command()
def erase(
    identity: Annotated[str, typer.Option(help="KIND:VALUE, e.g. user_id:42 or email:ann@example.com.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    config: ConfigOption = None,
) -> None:
    """Erase a person from the event log and every derived table, suppress their identifiers; print the receipt."""
    from omotenashi.bootstrap import build
    from omotenashi.privacy.service import Identity

    with friendly_errors():
        runtime = build(settings_with(config), follow=False)
        try:
            wid = next(iter(runtime.houses))
            customer = runtime.privacy.find(wid, Identity.parse(identity))
            if not yes and not typer.confirm(f"erase {customer} and everything held about them?"):
                err_console.print("nothing erased")
                raise typer.Exit(1)
            receipt = runtime.privacy.erase(wid, customer, via="cli")
        finally:
            runtime.close()
    sys.stdout.write(json.dumps(receipt, indent=2, ensure_ascii=False) + "\n")


@app.command()
def requests(
    config: ConfigOption = None,
    status: Annotated[str | None, typer.Option(help="open, in_progress, completed or refused.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List rights requests with their deadlines."""
    from omotenashi.bootstrap import build
    from omotenashi.core.clock import iso

    with friendly_errors():
        runtime = build(settings_with(config), follow=False)
        try:
            rows = runtime.privacy.requests(next(iter(runtime.houses)), status)
        finally:
            runtime.close()
    if as_json:
        sys.stdout.write(json.dumps([r.__dict__ for r in rows], indent=2, ensure_ascii=False) + "\n")
        return
    for r in rows:
        console.print(f"{r.id}  {r.kind:7} via {r.via:6} due {iso(r.due_at)[:10]}  {r.verification:10} {r.status}")
