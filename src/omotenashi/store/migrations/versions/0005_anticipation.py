"""anticipation: models and anticipations

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False, comment="m_ + hex: one fitted model"),
        sa.Column("name", sa.String(length=32), nullable=False, comment="bgnbd, paretonbd, boosted"),
        sa.Column(
            "version", sa.String(length=32), nullable=False, comment="the code version of the model, e.g. boosted-1"
        ),
        sa.Column("fitted_at", sa.BigInteger(), nullable=False),
        sa.Column(
            "as_of", sa.BigInteger(), nullable=False, comment="the last day of history it learned from, epoch ms"
        ),
        sa.Column("customers", sa.BigInteger(), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False, comment="JSON"),
        sa.Column("holdout", sa.Text(), nullable=False, comment="JSON holdout report, baselines side by side"),
        sa.Column("status", sa.String(length=16), nullable=False, comment="live, candidate (not promoted), retired"),
        sa.Column("why", sa.Text(), nullable=False, comment="why it is live, or every measure where it fell short"),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_models")),
    )
    op.create_index(op.f("ix_models_workspace_id_status"), "models", ["workspace_id", "status"])
    op.create_table(
        "anticipations",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column(
            "customer_id",
            sa.String(length=40),
            nullable=False,
            comment="the customer (the record others merged into)",
        ),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="expected_purchases, buys_again, still_active"),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.BigInteger(), nullable=False),
        sa.Column("model_id", sa.String(length=40), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False, comment="JSON: the top reasons in plain words, en and ja"),
        sa.Column(
            "facts",
            sa.Text(),
            nullable=False,
            comment="JSON: purchase days, weeks since the last, weeks as a customer",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "customer_id", "kind", name=op.f("pk_anticipations")),
    )
    op.create_index(
        op.f("ix_anticipations_workspace_id_kind_score"), "anticipations", ["workspace_id", "kind", "score"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_anticipations_workspace_id_kind_score"), table_name="anticipations")
    op.drop_table("anticipations")
    op.drop_index(op.f("ix_models_workspace_id_status"), table_name="models")
    op.drop_table("models")
