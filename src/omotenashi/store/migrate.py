"""Bring a store's schema to the newest migration (Alembic), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config() -> Config:
    """Alembic's configuration pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("omotenashi.store") / "migrations"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Apply every migration the store does not have yet."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    """The migration the store is at, or None for an empty store."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest migration this version of omotenashi ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
