"""store: on SQLite an event's seq is never used again, even after the newest events are erased

Without AUTOINCREMENT SQLite hands out max(seq) + 1, so erasing the newest events made the next ones reuse their
seqs, below the log followers' cursors, and the followers never saw them. PostgreSQL's sequences never go back.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    with op.batch_alter_table("events", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass
    # Start after every seq ever handed out: the newest may already have been erased, but a cursor remembers it.
    newest = bind.exec_driver_sql(
        "SELECT max(n) FROM (SELECT max(seq) AS n FROM events UNION ALL SELECT max(position) FROM cursors)"
    ).scalar()
    bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'events'")
    bind.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES ('events', ?)", (int(newest or 0),))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("events", recreate="always", table_kwargs={"sqlite_autoincrement": False}):
            pass
