"""intake: the dedupe window of a single-writer store as an append-only log held in memory

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recent_id_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.BigInteger(), nullable=False),
        sa.Column(
            "id_hashes",
            sa.LargeBinary(),
            nullable=False,
            comment="the claim's messageId fingerprints, little-endian int64",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recent_id_log")),
        comment="single-writer stores: the dedupe window, appended in arrival order and held in memory (recent_ids.py)",
        sqlite_autoincrement=True,  # ids only grow: readers catch up by id
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite stores move their window to the log, oldest first, 10,000 fingerprints a row (each row dated by
        # its newest, so nothing leaves the window early); PostgreSQL keeps the keyed table.
        rows = bind.exec_driver_sql(
            "SELECT workspace_id, id_hash, seen_at FROM recent_ids ORDER BY workspace_id, seen_at"
        ).fetchall()
        for start in range(0, len(rows), 10_000):
            chunk = rows[start : start + 10_000]
            for workspace_id in dict.fromkeys(r[0] for r in chunk):
                mine = [r for r in chunk if r[0] == workspace_id]
                blob = b"".join(int(r[1]).to_bytes(8, "little", signed=True) for r in mine)
                bind.exec_driver_sql(
                    "INSERT INTO recent_id_log (workspace_id, seen_at, id_hashes) VALUES (?, ?, ?)",
                    (workspace_id, max(int(r[2]) for r in mine), blob),
                )
        bind.exec_driver_sql("DELETE FROM recent_ids")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for workspace_id, seen_at, blob in bind.exec_driver_sql(
            "SELECT workspace_id, seen_at, id_hashes FROM recent_id_log"
        ).fetchall():
            data = bytes(blob)
            for at in range(0, len(data), 8):
                bind.exec_driver_sql(
                    "INSERT OR IGNORE INTO recent_ids (workspace_id, id_hash, seen_at) VALUES (?, ?, ?)",
                    (workspace_id, int.from_bytes(data[at : at + 8], "little", signed=True), seen_at),
                )
    op.drop_table("recent_id_log")
