"""`omotenashi keys`: create, list and revoke write keys."""

from __future__ import annotations

from typing import Annotated

import typer

from omotenashi.cli.common import ConfigOption, console, err_console, friendly_errors, settings_with
from omotenashi.core.clock import iso

app = typer.Typer(help="Write keys: one per source; stored hashed, shown once.", no_args_is_help=True)


@app.command()
def create(
    source: Annotated[str, typer.Option(help="The source id (from `sources:` in the house file).")],
    config: ConfigOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the key.")] = False,
) -> None:
    """Create a write key for a source and print it (it is shown only this once)."""
    from omotenashi.bootstrap import load_houses, open_store
    from omotenashi.core.ids import hash_write_key, new_write_key
    from omotenashi.store import workspaces

    with friendly_errors():
        settings = settings_with(config)
        houses = load_houses([settings.house_file])
        house = next(iter(houses.values())).house
        if source not in house.sources:
            err_console.print(
                f"error: no source `{source}` in {settings.house_file}; "
                f"known: {', '.join(house.sources)}\nhint: declare it under `sources:` first"
            )
            raise typer.Exit(1)
        engines = open_store(houses, settings)
        key = new_write_key()
        with engines.write.begin() as conn:
            workspaces.add_key(conn, hash_write_key(key), key[:10], house.workspace.id, source)
        engines.dispose()
    if quiet:
        print(key)  # noqa: T201 - the key is the output
        return
    console.print(f"write key for source [bold]{source}[/] (shown once, store it now):")
    print(key)  # noqa: T201
    console.print(f"send with: curl -u '{key}:' http://127.0.0.1:8000/v1/track ...", markup=False)


@app.command("list")
def list_(config: ConfigOption = None) -> None:
    """List the workspace's write keys by prefix."""
    from omotenashi.bootstrap import load_houses, open_store
    from omotenashi.store import workspaces

    with friendly_errors():
        settings = settings_with(config)
        houses = load_houses([settings.house_file])
        engines = open_store(houses, settings)
        with engines.read.connect() as conn:
            rows = workspaces.list_keys(conn, next(iter(houses)))
        engines.dispose()
    for row in rows:
        state = f"revoked {iso(row.revoked_at)}" if row.revoked_at else "live"
        console.print(f"{row.prefix}…  source={row.source_id}  created {iso(row.created_at)}  {state}")


@app.command()
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key's first 10 characters, as `keys list` shows.")],
    config: ConfigOption = None,
) -> None:
    """Revoke a write key; requests with it are refused from now on."""
    from omotenashi.bootstrap import load_houses, open_store
    from omotenashi.store import workspaces

    with friendly_errors():
        settings = settings_with(config)
        houses = load_houses([settings.house_file])
        engines = open_store(houses, settings)
        with engines.write.begin() as conn:
            n = workspaces.revoke_key(conn, next(iter(houses)), prefix[:10])
        engines.dispose()
    if not n:
        err_console.print(f"error: no live key starts with {prefix!r}\nhint: `omotenashi keys list` shows them")
        raise typer.Exit(1)
    console.print(f"revoked {n} key(s)")
