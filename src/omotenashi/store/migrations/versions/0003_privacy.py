"""privacy: rights requests, portal links and sessions

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_portal_links")),
    )
    op.create_table(
        "portal_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("gpc", sa.Integer(), nullable=False, comment="1 when the browser sent Sec-GPC: 1"),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_portal_sessions")),
    )
    with op.batch_alter_table("portal_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_sessions_workspace_id_customer_id"), ["workspace_id", "customer_id"], unique=False
        )

    op.create_table(
        "rights_requests",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="access, export, correct, erase"),
        sa.Column(
            "customer_id", sa.String(length=40), nullable=True, comment="cleared to the erasure's pseudonym when erased"
        ),
        sa.Column("identity", sa.Text(), nullable=True, comment="kind:keyed-hash of the identifier the request named"),
        sa.Column("via", sa.String(length=16), nullable=False, comment="portal, email, phone, letter, cli"),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("due_at", sa.BigInteger(), nullable=False, comment="the legal deadline: one month after receipt"),
        sa.Column("verification", sa.String(length=16), nullable=False, comment="unverified, verified, failed"),
        sa.Column("status", sa.String(length=16), nullable=False, comment="open, in_progress, completed, refused"),
        sa.Column("progress", sa.Text(), nullable=True, comment="JSON journal of an erasure, so a killed one resumes"),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("receipt", sa.Text(), nullable=True, comment="JSON receipt given to the customer"),
        sa.Column("staff_id", sa.String(length=40), nullable=True),
        sa.Column("completed_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_rights_requests")),
    )
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rights_requests_workspace_id_status"), ["workspace_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_requests_workspace_id_status"))

    op.drop_table("rights_requests")
    with op.batch_alter_table("portal_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_sessions_workspace_id_customer_id"))

    op.drop_table("portal_sessions")
    op.drop_table("portal_links")
