"""The schema, in SQLAlchemy Core. Every row carries `workspace_id`; times are epoch milliseconds (UTC)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite needs INTEGER (not BIGINT) for an auto-incrementing rowid alias.
AutoId = BigInteger().with_variant(Integer(), "sqlite")

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("secret", String(128), nullable=False, comment="per-workspace key for keyed hashes and signed links"),
    Column("created_at", BigInteger, nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("id", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("purposes", Text, nullable=False, comment="comma-separated purpose ids the source's events serve"),
    PrimaryKeyConstraint("workspace_id", "id"),
)

write_keys = Table(
    "write_keys",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("prefix", String(16), nullable=False, comment="first characters, to tell keys apart"),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
)

events = Table(
    "events",
    metadata,
    Column("seq", AutoId, primary_key=True, autoincrement=True),
    Column("workspace_id", String(64), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("message_id", Text, nullable=False),
    Column("type", String(16), nullable=False),
    Column("event", Text, nullable=True, comment="track: the event name"),
    Column("name", Text, nullable=True, comment="page/screen: the page name"),
    Column("user_id", Text, nullable=True),
    Column("anonymous_id", Text, nullable=True),
    Column("group_id", Text, nullable=True),
    Column("previous_id", Text, nullable=True),
    Column("ts", BigInteger, nullable=False, comment="event time after clock-skew correction"),
    Column("received_at", BigInteger, nullable=False),
    Column("sent_at", BigInteger, nullable=True),
    Column("original_ts", BigInteger, nullable=True),
    Column("purposes", Text, nullable=False, comment="comma-separated purposes the event is kept for"),
    Column("flags", Integer, nullable=False, default=0, comment="bit 1: timestamp clamped"),
    Column("properties", Text, nullable=True),
    Column("traits", Text, nullable=True),
    Column("context", Text, nullable=True),
    Column("integrations", Text, nullable=True),
)

recent_ids = Table(
    "recent_ids",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("id_hash", BigInteger, nullable=False, comment="64-bit fingerprint of the messageId"),
    Column("seen_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "id_hash"),
    sqlite_with_rowid=False,
)

consent_receipts = Table(
    "consent_receipts",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("workspace_id", String(64), nullable=False),
    Column("subject", Text, nullable=False, comment="the identifier the customer was known by"),
    Column("purpose", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("method", String(16), nullable=False),
    Column("notice_version", String(32), nullable=False),
    Column("place", Text, nullable=False, comment="where the change was made: source id, portal, staff member"),
    Column("at", BigInteger, nullable=False),
    Column("message_id", Text, nullable=True),
    Index(None, "workspace_id", "subject"),
)

consent_state = Table(
    "consent_state",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("subject", Text, nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("at", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "subject", "purpose"),
)

suppressions = Table(
    "suppressions",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("identity_hash", String(64), nullable=False, comment="keyed hash of kind:value"),
    Column("created_at", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    PrimaryKeyConstraint("workspace_id", "identity_hash"),
)

intake_counters = Table(
    "intake_counters",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("name", String(96), nullable=False),
    Column("value", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "name"),
)

rejections = Table(
    "rejections",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("workspace_id", String(64), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("received_at", BigInteger, nullable=False),
    Column("position", Integer, nullable=False, comment="index in the batch, or line of an imported file"),
    Column("message_id", Text, nullable=True),
    Column("field", Text, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("hint", Text, nullable=False),
    Index(None, "workspace_id", "received_at"),
)
