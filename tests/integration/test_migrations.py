"""The Alembic migrations build exactly the schema the code declares, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from omotenashi.store import migrate
from omotenashi.store.engine import open_engines
from omotenashi.store.schema import metadata


def test_migrations_match_the_declared_schema(store_url):
    engines = open_engines(store_url)
    try:
        migrate.upgrade(engines.write)
        migrate.upgrade(engines.write)  # idempotent
        assert migrate.current_revision(engines.write) == migrate.head_revision()
        with engines.write.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
            tables = set(inspect(conn).get_table_names())
        assert diff == []
        assert set(metadata.tables) <= tables
    finally:
        engines.dispose()


def test_every_table_carries_a_workspace_id():
    for name, table in metadata.tables.items():
        assert "workspace_id" in table.c or name == "workspaces", name
