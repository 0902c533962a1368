"""journeys and friction signals

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detector_state",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("detector", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.Text(), nullable=False, comment="JSON: what the detector remembers of recent events"),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "detector", "customer_id", name=op.f("pk_detector_state")),
    )
    op.create_table(
        "journey_baselines",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("journey", sa.String(length=64), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column(
            "cohort_key", sa.String(length=64), nullable=False, comment="'all' or a cohort dimension such as plan"
        ),
        sa.Column("cohort_value", sa.String(length=128), nullable=False),
        sa.Column("reached", sa.BigInteger(), nullable=False),
        sa.Column("moved_on", sa.BigInteger(), nullable=False),
        sa.Column("p50_ms", sa.BigInteger(), nullable=True),
        sa.Column("p90_ms", sa.BigInteger(), nullable=True),
        sa.Column("computed_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "workspace_id", "journey", "step_index", "cohort_key", "cohort_value", name=op.f("pk_journey_baselines")
        ),
    )
    op.create_table(
        "journey_positions",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column(
            "customer_id", sa.String(length=40), nullable=False, comment="the base customer the events came with"
        ),
        sa.Column("journey", sa.String(length=64), nullable=False),
        sa.Column(
            "stage",
            sa.String(length=32),
            nullable=False,
            comment="discover, purchase, onboard, use, support, renew, recommend",
        ),
        sa.Column("step", sa.String(length=128), nullable=True),
        sa.Column("step_index", sa.Integer(), nullable=True),
        sa.Column("entered_at", sa.BigInteger(), nullable=False, comment="when the customer reached this step"),
        sa.Column("last_event_at", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("cohort", sa.Text(), nullable=False, comment="JSON: plan, source, signup month…"),
        sa.PrimaryKeyConstraint("workspace_id", "customer_id", "journey", name=op.f("pk_journey_positions")),
    )
    with op.batch_alter_table("journey_positions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_journey_positions_workspace_id_journey_step"),
            ["workspace_id", "journey", "step"],
            unique=False,
        )

    op.create_table(
        "journey_steps",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("journey", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=128), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.BigInteger(), nullable=False),
        sa.Column(
            "left_at", sa.BigInteger(), nullable=True, comment="when the next step was reached; NULL while still here"
        ),
        sa.Column("seq", sa.BigInteger(), nullable=False, comment="the event that reached the step"),
        sa.Column("cohort", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "customer_id", "journey", "step_index", name=op.f("pk_journey_steps")),
    )
    with op.batch_alter_table("journey_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_journey_steps_workspace_id_journey_step_index"),
            ["workspace_id", "journey", "step_index"],
            unique=False,
        )

    op.create_table(
        "signals",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column(
            "kind", sa.String(length=32), nullable=False, comment="stall, help_loop, rage_click, … (a detector's name)"
        ),
        sa.Column(
            "key", sa.String(length=200), nullable=False, comment="what the signal is about, so new evidence updates it"
        ),
        sa.Column("severity", sa.Integer(), nullable=False, comment="1 low … 3 high"),
        sa.Column("status", sa.String(length=16), nullable=False, comment="open or resolved"),
        sa.Column("first_seen", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False, comment="JSON list of event seqs"),
        sa.Column("details", sa.Text(), nullable=False, comment="JSON facts the plain-words explanation is built from"),
        sa.Column("journey", sa.String(length=64), nullable=True),
        sa.Column("step", sa.String(length=128), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_signals")),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signals_workspace_id_customer_id_kind_key"),
            ["workspace_id", "customer_id", "kind", "key"],
            unique=True,
        )
        batch_op.create_index(
            batch_op.f("ix_signals_workspace_id_status_kind"), ["workspace_id", "status", "kind"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals_workspace_id_status_kind"))
        batch_op.drop_index(batch_op.f("ix_signals_workspace_id_customer_id_kind_key"))

    op.drop_table("signals")
    with op.batch_alter_table("journey_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journey_steps_workspace_id_journey_step_index"))

    op.drop_table("journey_steps")
    with op.batch_alter_table("journey_positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journey_positions_workspace_id_journey_step"))

    op.drop_table("journey_positions")
    op.drop_table("journey_baselines")
    op.drop_table("detector_state")
