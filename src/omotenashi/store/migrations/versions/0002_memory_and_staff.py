"""memory: customers, identities, merges, traits, preferences, notes, staff, access log, cursors

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column(
            "what", sa.String(length=64), nullable=False, comment="briefing, customer page, timeline, search result"
        ),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_log_workspace_id_customer_id"), ["workspace_id", "customer_id"], unique=False
        )

    op.create_table(
        "cursors",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column(
            "position", sa.BigInteger(), nullable=False, comment="seq of the last event the consumer has applied"
        ),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "consumer", name=op.f("pk_cursors")),
    )
    op.create_table(
        "customer_stats",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("first_ts", sa.BigInteger(), nullable=False),
        sa.Column("last_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "customer_id", name=op.f("pk_customer_stats")),
    )
    op.create_table(
        "customers",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column(
            "id", sa.String(length=40), nullable=False, comment="derived from the first identifier, so rebuilds agree"
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_seq", sa.BigInteger(), nullable=True),
        sa.Column(
            "merged_into", sa.String(length=40), nullable=True, comment="set while this customer is merged into another"
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customers_workspace_id_merged_into"), ["workspace_id", "merged_into"], unique=False
        )

    op.create_table(
        "event_customers",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False, comment="the base customer the event came with"),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "customer_id", "ts", "seq", name=op.f("pk_event_customers")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "identities",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="user_id, anonymous_id, email, phone"),
        sa.Column("value", sa.Text(), nullable=False, comment="the identifier, or its keyed hash for hashed kinds"),
        sa.Column(
            "customer_id",
            sa.String(length=40),
            nullable=False,
            comment="the customer it was first seen with; never moves",
        ),
        sa.Column("first_seq", sa.BigInteger(), nullable=True),
        sa.Column("first_at", sa.BigInteger(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "kind", "value", name=op.f("pk_identities")),
    )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identities_workspace_id_customer_id"), ["workspace_id", "customer_id"], unique=False
        )

    op.create_table(
        "identity_conflicts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="which identifier was seen with two customers"),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("customer_a", sa.String(length=40), nullable=False),
        sa.Column("customer_b", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, comment="JSON: why this was not merged"),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_conflicts")),
    )
    with op.batch_alter_table("identity_conflicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_conflicts_workspace_id_customer_a"), ["workspace_id", "customer_a"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_identity_conflicts_workspace_id_customer_b"), ["workspace_id", "customer_b"], unique=False
        )

    op.create_table(
        "merges",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("survivor_id", sa.String(length=40), nullable=False),
        sa.Column("absorbed_id", sa.String(length=40), nullable=False),
        sa.Column(
            "rule",
            sa.String(length=64),
            nullable=False,
            comment="which rule joined them, e.g. anonymous_id_with_user_id",
        ),
        sa.Column(
            "evidence", sa.Text(), nullable=False, comment="JSON: identifiers, event seq and messageId, staff reason"
        ),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("by_staff", sa.String(length=40), nullable=True),
        sa.Column("undone_at", sa.BigInteger(), nullable=True),
        sa.Column("undone_by", sa.String(length=40), nullable=True),
        sa.Column("undo_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merges")),
    )
    with op.batch_alter_table("merges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_merges_workspace_id_absorbed_id"), ["workspace_id", "absorbed_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_merges_workspace_id_survivor_id"), ["workspace_id", "survivor_id"], unique=False
        )

    op.create_table(
        "note_versions",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("note_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("editor_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "note_id", "version", name=op.f("pk_note_versions")),
    )
    op.create_table(
        "notes",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("author_id", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column(
            "visible_to_customer", sa.Integer(), nullable=False, comment="1: shown in the customer's privacy portal"
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notes_workspace_id_customer_id"), ["workspace_id", "customer_id"], unique=False
        )

    op.create_table(
        "preferences",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column(
            "name",
            sa.String(length=64),
            nullable=False,
            comment="language, tone, quiet_hours, no_first_contact, channel.<purpose>",
        ),
        sa.Column("value", sa.Text(), nullable=False, comment="JSON"),
        sa.Column("origin", sa.String(length=16), nullable=False, comment="customer, staff or inferred"),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("staff_id", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preferences")),
    )
    with op.batch_alter_table("preferences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_preferences_workspace_id_customer_id"), ["workspace_id", "customer_id"], unique=False
        )

    op.create_table(
        "search_terms",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False, comment="lower-cased identifier or trait word"),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "term", "customer_id", name=op.f("pk_search_terms")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "staff",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False, comment="frontline, lead, privacy_officer, admin"),
        sa.Column("password_hash", sa.Text(), nullable=False, comment="argon2id"),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("disabled_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_staff")),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_workspace_id_email"), ["workspace_id", "email"], unique=True)

    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sessions")),
    )
    op.create_table(
        "trait_values",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False, comment="JSON"),
        sa.Column("origin", sa.String(length=16), nullable=False, comment="event, staff or customer (portal)"),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("staff_id", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("purposes", sa.Text(), nullable=False, comment="purposes of the event or action it came from"),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trait_values")),
    )
    with op.batch_alter_table("trait_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trait_values_workspace_id_customer_id_name"),
            ["workspace_id", "customer_id", "name"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_workspace_id_merged_into"))

    with op.batch_alter_table("trait_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trait_values_workspace_id_customer_id_name"))

    op.drop_table("trait_values")
    op.drop_table("staff_sessions")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_workspace_id_email"))

    op.drop_table("staff")
    op.drop_table("search_terms")
    with op.batch_alter_table("preferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preferences_workspace_id_customer_id"))

    op.drop_table("preferences")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_workspace_id_customer_id"))

    op.drop_table("notes")
    op.drop_table("note_versions")
    with op.batch_alter_table("merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merges_workspace_id_survivor_id"))
        batch_op.drop_index(batch_op.f("ix_merges_workspace_id_absorbed_id"))

    op.drop_table("merges")
    with op.batch_alter_table("identity_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_conflicts_workspace_id_customer_b"))
        batch_op.drop_index(batch_op.f("ix_identity_conflicts_workspace_id_customer_a"))

    op.drop_table("identity_conflicts")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identities_workspace_id_customer_id"))

    op.drop_table("identities")
    op.drop_table("event_customers")
    op.drop_table("customers")
    op.drop_table("customer_stats")
    op.drop_table("cursors")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_log_workspace_id_customer_id"))

    op.drop_table("access_log")
