"""Engines for the configured store, chosen by its short `type`, with what each backend can do as data."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from omotenashi.config.house import PostgresStore, SqliteStore
from omotenashi.core.errors import MissingExtra, StoreUnavailable


@dataclass(frozen=True)
class StoreCapabilities:
    """What the backend can do, so callers branch on data rather than on the dialect."""

    concurrent_writers: bool
    paramstyle: str
    needs_checkpoint: bool
    needs_analyze: bool = False  # planner statistics refreshed by the writer as the store grows (see Writer)


SQLITE = StoreCapabilities(concurrent_writers=False, paramstyle="qmark", needs_checkpoint=True)
POSTGRES = StoreCapabilities(concurrent_writers=True, paramstyle="format", needs_checkpoint=False, needs_analyze=True)


@dataclass
class Engines:
    """One engine for the single writer (and CLI writes), one for readers."""

    url: str
    write: Engine
    read: Engine
    capabilities: StoreCapabilities

    @property
    def dialect(self) -> str:
        return self.write.dialect.name

    def dispose(self) -> None:
        self.write.dispose()
        self.read.dispose()


def store_url(store: SqliteStore | PostgresStore, base: Path) -> str:
    """The SQLAlchemy URL for a house file's store, relative paths read from the house file's folder."""
    if isinstance(store, SqliteStore):
        path = Path(store.path)
        if not path.is_absolute():
            path = base / path
        return f"sqlite:///{path}"
    return store.url


def open_engines(url: str, *, synchronous: str = "full") -> Engines:
    """Engines for a store URL; a missing driver names the extra to install."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engines(url, synchronous)
    if parsed.get_backend_name() in {"postgresql", "postgres"}:
        return _postgres_engines(url)
    raise StoreUnavailable(
        f"unsupported store URL `{parsed.render_as_string(hide_password=True)}`",
        hint="use `sqlite:///path/to/file.db` or `postgresql+psycopg://user@host/db`",
    )


def _sqlite_engines(url: str, synchronous: str) -> Engines:
    db = make_url(url).database
    if db and db != ":memory:":
        Path(db).parent.mkdir(parents=True, exist_ok=True)

    def tune(engine: Engine, immediate: bool) -> Engine:
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's events, not the driver, decide when a transaction begins.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous.upper()}")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA journal_size_limit=67108864")
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    write = tune(create_engine(url, poolclass=NullPool), immediate=True)
    read = tune(create_engine(url, pool_size=8, max_overflow=8), immediate=False)
    return Engines(url, write, read, SQLITE)


def _postgres_engines(url: str) -> Engines:
    if importlib.util.find_spec("psycopg") is None:
        raise MissingExtra(
            "the PostgreSQL store needs the psycopg driver",
            hint="pip install 'omotenashi[postgres]'",
        )
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    write = create_engine(parsed, pool_size=2, max_overflow=2, pool_pre_ping=True)
    read = create_engine(parsed, pool_size=8, max_overflow=8, pool_pre_ping=True)
    return Engines(parsed.render_as_string(hide_password=False), write, read, POSTGRES)
