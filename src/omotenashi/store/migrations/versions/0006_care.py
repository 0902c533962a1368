"""care: items, their log, the outbox of actions, goodwill grants and budgets; signals by update time

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_actions",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column(
            "id", sa.String(length=40), nullable=False, comment="ca_ + hex; also the idempotency key sent to webhooks"
        ),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="message (to the customer), webhook, slack"),
        sa.Column("channel", sa.String(length=64), nullable=False, comment="a channel id of care.channels"),
        sa.Column(
            "proactive", sa.Integer(), nullable=False, comment="1 when it counts against the customer's contact cap"
        ),
        sa.Column("status", sa.String(length=16), nullable=False, comment="queued, sent, dead, cancelled"),
        sa.Column(
            "payload", sa.Text(), nullable=False, comment="JSON: to, subject, body, language (messages); the item"
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.BigInteger(), nullable=False, comment="not before: backoff, quiet hours, the cap"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_care_actions")),
    )
    op.create_index(op.f("ix_care_actions_status_next_at"), "care_actions", ["status", "next_at"], unique=False)
    op.create_index(
        op.f("ix_care_actions_workspace_id_customer_id_sent_at"),
        "care_actions",
        ["workspace_id", "customer_id", "sent_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_care_actions_workspace_id_item_id"), "care_actions", ["workspace_id", "item_id"], unique=False
    )
    op.create_table(
        "care_items",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False, comment="ci_ + hex"),
        sa.Column(
            "customer_id", sa.String(length=40), nullable=False, comment="the customer (the record others merged into)"
        ),
        sa.Column("playbook", sa.String(length=64), nullable=False, comment="a playbook id, or `reach_a_person`"),
        sa.Column(
            "reason_key",
            sa.String(length=200),
            nullable=False,
            comment="what it is about: one open item per customer and it",
        ),
        sa.Column("trigger", sa.String(length=16), nullable=False, comment="signal, anticipation, deadline, schedule"),
        sa.Column(
            "trigger_ref", sa.String(length=200), nullable=True, comment="the signal id, the anticipation kind, …"
        ),
        sa.Column(
            "trigger_at",
            sa.BigInteger(),
            nullable=False,
            comment="event time of the evidence; outcomes are read after it",
        ),
        sa.Column(
            "arm", sa.String(length=8), nullable=False, comment="treated, or holdout (receives no proactive action)"
        ),
        sa.Column("status", sa.String(length=16), nullable=False, comment="open, claimed, resolved, held_out, closed"),
        sa.Column("priority", sa.Integer(), nullable=False, comment="0 urgent, 1 high, 2 normal, 3 low"),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("owner_id", sa.String(length=40), nullable=True, comment="the staff member who owns it"),
        sa.Column("due_at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False, comment="JSON: the facts the reason is written from"),
        sa.Column("reassignments", sa.Integer(), nullable=False),
        sa.Column("ping_pong", sa.Integer(), nullable=False, comment="reassignments back to someone who had it before"),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.Column("resolved_by", sa.String(length=40), nullable=True),
        sa.Column(
            "outcome", sa.String(length=32), nullable=True, comment="what staff said happened: helped, no_response, …"
        ),
        sa.Column("recovered", sa.Integer(), nullable=True, comment="1/0 once the outcome window has passed"),
        sa.Column("recovered_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_care_items")),
    )
    op.create_index(
        op.f("ix_care_items_workspace_id_customer_id_playbook_reason_key"),
        "care_items",
        ["workspace_id", "customer_id", "playbook", "reason_key"],
        unique=False,
    )
    op.create_index(
        op.f("ix_care_items_workspace_id_playbook_arm"), "care_items", ["workspace_id", "playbook", "arm"], unique=False
    )
    op.create_index(
        op.f("ix_care_items_workspace_id_status_owner_id"),
        "care_items",
        ["workspace_id", "status", "owner_id"],
        unique=False,
    )
    op.create_table(
        "care_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False, comment="a staff id, or `system`"),
        sa.Column(
            "what",
            sa.String(length=32),
            nullable=False,
            comment="created, updated, assigned, claimed, reassigned, sent, …",
        ),
        sa.Column("details", sa.Text(), nullable=False, comment="JSON"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_log")),
    )
    op.create_index(
        op.f("ix_care_log_workspace_id_customer_id"), "care_log", ["workspace_id", "customer_id"], unique=False
    )
    op.create_index(op.f("ix_care_log_workspace_id_item_id"), "care_log", ["workspace_id", "item_id"], unique=False)
    op.create_table(
        "care_state",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False, comment="watermarks, round-robin turns"),
        sa.Column("value", sa.Text(), nullable=False, comment="JSON"),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "key", name=op.f("pk_care_state")),
    )
    op.create_table(
        "goodwill_budgets",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False, comment="staff:<id> or team:<id>"),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("committed", sa.Float(), nullable=False, comment="granted, approved and pending (held) value"),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "scope", "period", name=op.f("pk_goodwill_budgets")),
    )
    op.create_table(
        "goodwill_grants",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False, comment="gw_ + hex"),
        sa.Column("customer_id", sa.String(length=40), nullable=False, comment="`erased` once the customer is erased"),
        sa.Column("item_id", sa.String(length=40), nullable=True),
        sa.Column("staff_id", sa.String(length=40), nullable=False, comment="who granted (or asked)"),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="credit, extension, gift, fee_waiver"),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False, comment="granted, pending, approved, rejected"),
        sa.Column(
            "period", sa.String(length=16), nullable=False, comment="the budget period it counts in, e.g. 2026-12"
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", sa.BigInteger(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_goodwill_grants")),
    )
    op.create_index(
        op.f("ix_goodwill_grants_workspace_id_customer_id"),
        "goodwill_grants",
        ["workspace_id", "customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_goodwill_grants_workspace_id_status"), "goodwill_grants", ["workspace_id", "status"], unique=False
    )
    op.create_index(op.f("ix_signals_workspace_id_updated_at"), "signals", ["workspace_id", "updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_signals_workspace_id_updated_at"), table_name="signals")
    op.drop_index(op.f("ix_goodwill_grants_workspace_id_status"), table_name="goodwill_grants")
    op.drop_index(op.f("ix_goodwill_grants_workspace_id_customer_id"), table_name="goodwill_grants")
    op.drop_table("goodwill_grants")
    op.drop_table("goodwill_budgets")
    op.drop_table("care_state")
    op.drop_index(op.f("ix_care_log_workspace_id_item_id"), table_name="care_log")
    op.drop_index(op.f("ix_care_log_workspace_id_customer_id"), table_name="care_log")
    op.drop_table("care_log")
    op.drop_index(op.f("ix_care_items_workspace_id_status_owner_id"), table_name="care_items")
    op.drop_index(op.f("ix_care_items_workspace_id_playbook_arm"), table_name="care_items")
    op.drop_index(op.f("ix_care_items_workspace_id_customer_id_playbook_reason_key"), table_name="care_items")
    op.drop_table("care_items")
    op.drop_index(op.f("ix_care_actions_workspace_id_item_id"), table_name="care_actions")
    op.drop_index(op.f("ix_care_actions_workspace_id_customer_id_sent_at"), table_name="care_actions")
    op.drop_index(op.f("ix_care_actions_status_next_at"), table_name="care_actions")
    op.drop_table("care_actions")
