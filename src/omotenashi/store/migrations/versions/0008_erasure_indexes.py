"""privacy: index by customer the tables erasure used to scan in full for each person

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("rights_requests", "portal_links", "search_terms", "detector_state")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(op.f(f"ix_{table}_workspace_id_customer_id"), table, ["workspace_id", "customer_id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(op.f(f"ix_{table}_workspace_id_customer_id"), table_name=table)
