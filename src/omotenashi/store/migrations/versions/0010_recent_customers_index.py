"""memory: index customers by when they were last seen, for the recently active list page by page

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_customer_stats_workspace_id_last_ts"), "customer_stats", ["workspace_id", "last_ts"])


def downgrade() -> None:
    op.drop_index(op.f("ix_customer_stats_workspace_id_last_ts"), table_name="customer_stats")
