"""`omotenashi privacy`: the notice, and rights requests carried out from the command line (with a receipt)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from omotenashi.cli.common import ConfigOption, console, err_console, friendly_errors, opened_runtime, settings_with

if TYPE_CHECKING:
    from omotenashi.privacy.service import Privacy

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
    from omotenashi.privacy.service import Identity

    with friendly_errors():
        with opened_runtime(config) as runtime:
            wid = next(iter(runtime.houses))
            customer = runtime.privacy.find(wid, Identity.parse(identity))
            with out.open("wb") as fh:
                counts = runtime.privacy.export(wid, customer, fh)
    sys.stdout.write(json.dumps({"exported": str(out), "customer": customer, "contents": counts}, indent=2) + "\n")


@app.command()
def erase(
    identity: Annotated[str | None, typer.Option(help="KIND:VALUE, e.g. user_id:42 or email:ann@example.com.")] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="A batch: a file with one KIND:VALUE a line (blank lines and # comments skipped)."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    config: ConfigOption = None,
) -> None:
    """Erase a person (or a batch of people) from the event log and every derived table, suppress their
    identifiers; print the receipt (one per person)."""
    from omotenashi.core.errors import BadRequest

    with friendly_errors():
        if (identity is None) == (from_file is None):
            raise BadRequest("name one person with --identity or a batch with --from FILE")
        identities = _identities(from_file) if from_file is not None else [(0, identity or "")]
        with opened_runtime(config) as runtime:
            wid = next(iter(runtime.houses))
            customers = _find_all(runtime.privacy, wid, identities, from_file)
            who = customers[0] if len(customers) == 1 else f"{len(customers):,} people"
            if not yes and not typer.confirm(f"erase {who} and everything held about them?"):
                err_console.print("nothing erased")
                raise typer.Exit(1)
            if from_file is None:
                result: object = runtime.privacy.erase(wid, customers[0], via="cli")
            else:
                result = runtime.privacy.erase_many(wid, customers, via="cli")
    sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


def _identities(path: Path) -> list[tuple[int, str]]:
    """(line number, KIND:VALUE) of a batch file."""
    from omotenashi.core.errors import BadRequest

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRequest(f"cannot read {path}: {exc}", hint="a UTF-8 text file, one KIND:VALUE a line") from exc
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)]
    found = [(n, line) for n, line in lines if line and not line.startswith("#")]
    if not found:
        raise BadRequest(f"{path} names nobody", hint="one KIND:VALUE a line, e.g. user_id:42")
    return found


def _find_all(privacy: Privacy, wid: str, identities: list[tuple[int, str]], path: Path | None) -> list[str]:
    """The customer of every identity; every line that is malformed or names nobody is reported at once, and
    nothing is erased until all of them are found."""
    from omotenashi.core.errors import BadRequest, NotFound
    from omotenashi.privacy.service import Identity

    customers: list[str] = []
    problems: list[str] = []
    for line, text in identities:
        try:
            customers.append(privacy.find(wid, Identity.parse(text)))
        except (BadRequest, NotFound) as exc:
            if path is None:
                raise
            problems.append(f"{path}:{line}: {exc.message}")
    if problems:
        shown = "\n".join(problems[:20]) + (f"\n… and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise BadRequest(
            f"{len(problems)} line(s) cannot be erased; nothing was erased:\n{shown}",
            hint="fix or remove those lines (people already erased are no longer found) and run again",
        )
    return customers


@app.command()
def requests(
    config: ConfigOption = None,
    status: Annotated[str | None, typer.Option(help="open, in_progress, completed or refused.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List rights requests with their deadlines."""
    from omotenashi.core.clock import iso

    with friendly_errors():
        with opened_runtime(config) as runtime:
            rows = runtime.privacy.requests(next(iter(runtime.houses)), status)
    if as_json:
        sys.stdout.write(json.dumps([r.__dict__ for r in rows], indent=2, ensure_ascii=False) + "\n")
        return
    for r in rows:
        console.print(f"{r.id}  {r.kind:7} via {r.via:6} due {iso(r.due_at)[:10]}  {r.verification:10} {r.status}")


@app.command()
def link(
    identity: Annotated[str, typer.Option(help="KIND:VALUE of the person, e.g. user_id:42 or email:ann@example.com.")],
    base: Annotated[
        str | None, typer.Option(help="This server's public address (default: $OMOTENASHI__PORTAL__BASE_URL).")
    ] = None,
    minutes: Annotated[int, typer.Option(min=1, max=10, help="How long the link works (at most 10).")] = 10,
    config: ConfigOption = None,
) -> None:
    """Print a signed privacy-portal link for a person, as the company's app would make one."""
    import time
    from datetime import timedelta

    from omotenashi.bootstrap import build
    from omotenashi.core.errors import BadRequest
    from omotenashi.privacy import links
    from omotenashi.privacy.service import Identity
    from omotenashi.store import customers, workspaces

    with friendly_errors():
        settings = settings_with(config)
        runtime = build(settings, follow=False)
        try:
            wid = next(iter(runtime.houses))
            customer = runtime.privacy.find(wid, Identity.parse(identity))
            with runtime.engines.read.connect() as conn:
                key = links.link_key(workspaces.workspace_secret(conn, wid))
                ids = customers.identities_of(conn, wid, customers.members_of(conn, wid, customer))
        finally:
            runtime.close()
        users = sorted(i.value for i in ids if i.kind == "user_id")
        if not users:
            raise BadRequest(
                f"{identity} has no userId, and signed links name one",
                hint="the person can ask for an e-mailed link at /portal/ instead",
            )
        server = settings.server
        address = base or settings.portal.base_url or f"http://{server.host}:{server.port}"
        url = links.signed_link(
            address, key, wid, users[0], now_s=int(time.time()), valid_for=timedelta(minutes=minutes)
        )
    sys.stdout.write(url + "\n")


@app.command("link-key")
def link_key(config: ConfigOption = None) -> None:
    """Print the key the company's app signs portal links with (derived from the workspace secret, not the secret)."""
    from omotenashi.bootstrap import load_houses, open_store
    from omotenashi.privacy import links
    from omotenashi.store import workspaces

    with friendly_errors():
        settings = settings_with(config)
        houses = load_houses([settings.house_file])
        engines = open_store(houses, settings)
        try:
            wid = next(iter(houses))
            with engines.read.connect() as conn:
                key = links.link_key(workspaces.workspace_secret(conn, wid))
        finally:
            engines.dispose()
    sys.stdout.write(f"{wid} {key.hex()}\n")


request_app = typer.Typer(help="Rights requests received by e-mail, phone or letter.", no_args_is_help=True)
app.add_typer(request_app, name="request")


@request_app.command("add")
def request_add(
    kind: Annotated[str, typer.Option(help="access, export, correct or erase.")],
    identity: Annotated[str, typer.Option(help="KIND:VALUE of the person, e.g. email:ann@example.com.")],
    via: Annotated[str, typer.Option(help="email, phone, letter or cli.")] = "email",
    config: ConfigOption = None,
) -> None:
    """Record a rights request with its legal deadline (one month); prints its id."""
    from omotenashi.core.clock import iso
    from omotenashi.privacy.service import Identity

    with friendly_errors():
        with opened_runtime(config) as runtime:
            req = runtime.privacy.open_request(next(iter(runtime.houses)), kind, Identity.parse(identity), via, None)
    console.print(f"{req.id}  {req.kind} via {req.via}, due {iso(req.due_at)[:10]}, identity not yet verified")


@request_app.command("verify")
def request_verify(
    request_id: Annotated[str, typer.Argument(help="The request's id.")],
    failed: Annotated[bool, typer.Option("--failed", help="Record that verification failed.")] = False,
    config: ConfigOption = None,
) -> None:
    """Record that the requester's identity was verified (or that verification failed)."""

    with friendly_errors():
        with opened_runtime(config) as runtime:
            runtime.privacy.set_verification(
                next(iter(runtime.houses)), request_id, "failed" if failed else "verified", "cli"
            )
    console.print(f"{request_id}: {'verification failed' if failed else 'verified'}")


@request_app.command("complete")
def request_complete(
    request_id: Annotated[str, typer.Argument(help="The request's id.")],
    out: Annotated[Path, typer.Option(help="Where an export or access request's zip is written.")] = Path("export.zip"),
    config: ConfigOption = None,
) -> None:
    """Carry out a verified request with the same machinery as the portal, and print the receipt."""

    with friendly_errors():
        with opened_runtime(config) as runtime:
            wid = next(iter(runtime.houses))
            kinds = {r.id: r.kind for r in runtime.privacy.requests(wid)}
            if kinds.get(request_id) in ("export", "access"):
                with out.open("wb") as fh:
                    receipt = runtime.privacy.complete_request(wid, request_id, "cli", fh)
                receipt["written_to"] = str(out)
            else:
                receipt = runtime.privacy.complete_request(wid, request_id, "cli")
    sys.stdout.write(json.dumps(receipt, indent=2, ensure_ascii=False) + "\n")
