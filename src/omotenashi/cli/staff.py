"""`omotenashi staff`: add, list and disable the people who sign in to the staff workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from omotenashi.cli.common import ConfigOption, console, err_console, friendly_errors, settings_with
from omotenashi.core.clock import iso, to_epoch_ms, utc_now

app = typer.Typer(help="Staff accounts: roles, languages, passwords (stored as argon2id hashes).", no_args_is_help=True)

ROLE_HELP = "frontline, lead, privacy_officer or admin."


@app.command()
def add(
    email: Annotated[str, typer.Option(help="Their email; they sign in with it.")],
    name: Annotated[str, typer.Option(help="The name colleagues know them by.")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)],
    language: Annotated[str, typer.Option(help="The language pages are shown in: en or ja.")] = "en",
    password: Annotated[
        str | None,
        typer.Option(help="Their first password (default: asked for, hidden). At least 10 characters."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Add a staff member to the workspace."""
    from omotenashi.bootstrap import load_houses, open_store
    from omotenashi.staff import accounts

    with friendly_errors():
        settings = settings_with(config)
        houses = load_houses([settings.house_file])
        if password is None:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        # Hashing is slow on purpose; do it (and every check) before the store is opened.
        new = accounts.enrol(
            next(iter(houses)), email, name, role, password, language=language, now=to_epoch_ms(utc_now())
        )
        engines = open_store(houses, settings)
        try:
            with engines.write.begin() as conn:
                member = accounts.add(conn, new)
        finally:
            engines.dispose()
    console.print(f"added {member.email} ({member.role}, {member.language}) to workspace {member.workspace_id}")
    console.print("they sign in at /staff/sign-in", markup=False)


@app.command("list")
def list_(config: ConfigOption = None) -> None:
    """List the workspace's staff: email, name, role, language, and whether they can sign in."""
    from omotenashi.bootstrap import load_houses, open_store
    from omotenashi.staff import accounts

    with friendly_errors():
        settings = settings_with(config)
        houses = load_houses([settings.house_file])
        engines = open_store(houses, settings)
        try:
            with engines.read.connect() as conn:
                members = accounts.members(conn, next(iter(houses)))
        finally:
            engines.dispose()
    if not members:
        err_console.print("no staff yet\nhint: omotenashi staff add --email E --name N --role admin", markup=False)
        return
    for m in members:
        state = f"disabled {iso(m.disabled_at)}" if m.disabled_at else "active"
        console.print(f"{m.email}  {m.name}  {m.role}  {m.language}  {state}", markup=False, highlight=False)


@app.command()
def disable(
    email: Annotated[str, typer.Argument(help="The staff member's email.")],
    config: ConfigOption = None,
) -> None:
    """Stop a staff member from signing in, and end their open sessions."""
    from omotenashi.bootstrap import load_houses, open_store
    from omotenashi.staff import accounts

    with friendly_errors():
        settings = settings_with(config)
        houses = load_houses([settings.house_file])
        engines = open_store(houses, settings)
        try:
            with engines.write.begin() as conn:
                member = accounts.disable(conn, next(iter(houses)), email, now=to_epoch_ms(utc_now()))
        finally:
            engines.dispose()
    console.print(f"disabled {member.email}; their sessions have ended")
