"""initial schema: workspaces, sources, keys, events, dedupe, consent, counters

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_receipts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False, comment="the identifier the customer was known by"),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("notice_version", sa.String(length=32), nullable=False),
        sa.Column(
            "place",
            sa.Text(),
            nullable=False,
            comment="where the change was made: source id, portal, staff member",
        ),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_receipts")),
    )
    with op.batch_alter_table("consent_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_receipts_workspace_id_subject"), ["workspace_id", "subject"], unique=False
        )

    op.create_table(
        "consent_state",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "subject", "purpose", name=op.f("pk_consent_state")),
    )
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("event", sa.Text(), nullable=True, comment="track: the event name"),
        sa.Column("name", sa.Text(), nullable=True, comment="page/screen: the page name"),
        sa.Column("user_id", sa.Text(), nullable=True),
        sa.Column("anonymous_id", sa.Text(), nullable=True),
        sa.Column("group_id", sa.Text(), nullable=True),
        sa.Column("previous_id", sa.Text(), nullable=True),
        sa.Column("ts", sa.BigInteger(), nullable=False, comment="event time after clock-skew correction"),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.BigInteger(), nullable=True),
        sa.Column("original_ts", sa.BigInteger(), nullable=True),
        sa.Column("purposes", sa.Text(), nullable=False, comment="comma-separated purposes the event is kept for"),
        sa.Column("flags", sa.Integer(), nullable=False, comment="bit 1: timestamp clamped"),
        sa.Column("properties", sa.Text(), nullable=True),
        sa.Column("traits", sa.Text(), nullable=True),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("integrations", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events")),
    )
    op.create_table(
        "intake_counters",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=96), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "name", name=op.f("pk_intake_counters")),
    )
    op.create_table(
        "recent_ids",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("id_hash", sa.BigInteger(), nullable=False, comment="64-bit fingerprint of the messageId"),
        sa.Column("seen_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id_hash", name=op.f("pk_recent_ids")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rejections",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column(
            "position",
            sa.Integer(),
            nullable=False,
            comment="index in the batch, or line of an imported file",
        ),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejections")),
    )
    with op.batch_alter_table("rejections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rejections_workspace_id_received_at"),
            ["workspace_id", "received_at"],
            unique=False,
        )

    op.create_table(
        "sources",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "purposes",
            sa.Text(),
            nullable=False,
            comment="comma-separated purpose ids the source's events serve",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_sources")),
    )
    op.create_table(
        "suppressions",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("identity_hash", sa.String(length=64), nullable=False, comment="keyed hash of kind:value"),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "identity_hash", name=op.f("pk_suppressions")),
    )
    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "secret",
            sa.String(length=128),
            nullable=False,
            comment="per-workspace key for keyed hashes and signed links",
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "write_keys",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False, comment="first characters, to tell keys apart"),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_write_keys")),
    )


def downgrade() -> None:
    op.drop_table("write_keys")
    op.drop_table("workspaces")
    op.drop_table("suppressions")
    op.drop_table("sources")
    with op.batch_alter_table("rejections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rejections_workspace_id_received_at"))

    op.drop_table("rejections")
    op.drop_table("recent_ids")
    op.drop_table("intake_counters")
    op.drop_table("events")
    op.drop_table("consent_state")
    with op.batch_alter_table("consent_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_receipts_workspace_id_subject"))

    op.drop_table("consent_receipts")
