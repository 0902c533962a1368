"""An Ibis connection to the store, for analytics over history: the same expressions run on the embedded SQLite
file, on PostgreSQL and (later) on a warehouse. A fresh connection per computation, closed afterwards, so nothing
Ibis sets on it (SQLite functions, pragmas) leaks into the store's own connection pools."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ibis
from sqlalchemy.engine import make_url

from omotenashi.core.errors import MissingExtra, StoreUnavailable


@contextmanager
def analytics(url: str) -> Iterator[Any]:
    """An Ibis backend on the store at `url` (a SQLAlchemy URL, as in `Engines.url`)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    con: Any
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreUnavailable("analytics need a SQLite file, not an in-memory database", hint="use a file path")
        con = ibis.sqlite.connect(parsed.database)
    elif backend in {"postgresql", "postgres"}:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - the extra is installed wherever PostgreSQL is used
            raise MissingExtra(
                "the PostgreSQL store needs the psycopg driver", hint="pip install 'omotenashi[postgres]'"
            ) from exc
        conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        con = ibis.postgres.from_connection(psycopg.connect(conninfo, autocommit=True))
    else:
        raise StoreUnavailable(f"no analytics backend for `{backend}` stores", hint="use SQLite or PostgreSQL")
    try:
        yield con
    finally:
        con.disconnect()


def fetch(con: Any, expr: Any) -> list[dict[str, Any]]:
    """The rows of an Ibis expression as plain dicts, straight from the driver (no pandas or arrow on the way)."""
    cursor = con.raw_sql(con.compile(expr))
    try:
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        cursor.close()
