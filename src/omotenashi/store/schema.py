"""The schema, in SQLAlchemy Core. Every row carries `workspace_id`; times are epoch milliseconds (UTC)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
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
    # A seq is never used twice, even after the newest events are erased: followers' cursors are seqs.
    sqlite_autoincrement=True,
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

recent_id_log = Table(
    "recent_id_log",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("workspace_id", String(64), nullable=False),
    Column("seen_at", BigInteger, nullable=False),
    Column("id_hashes", LargeBinary, nullable=False, comment="the claim's messageId fingerprints, little-endian int64"),
    comment="single-writer stores: the dedupe window, appended in arrival order and held in memory (recent_ids.py)",
    sqlite_autoincrement=True,  # ids only grow: readers catch up by id
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

# --- pipeline: durable cursors of the log followers -------------------------------------------------------------

cursors = Table(
    "cursors",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("consumer", String(64), nullable=False),
    Column("position", BigInteger, nullable=False, comment="seq of the last event the consumer has applied"),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "consumer"),
)

# --- memory: customers, identities, merges, traits, preferences, notes, access log ------------------------------

customers = Table(
    "customers",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("id", String(40), nullable=False, comment="derived from the first identifier, so rebuilds agree"),
    Column("created_at", BigInteger, nullable=False),
    Column("created_seq", BigInteger, nullable=True),
    Column("merged_into", String(40), nullable=True, comment="set while this customer is merged into another"),
    PrimaryKeyConstraint("workspace_id", "id"),
    Index(None, "workspace_id", "merged_into"),
)

identities = Table(
    "identities",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False, comment="user_id, anonymous_id, email, phone"),
    Column("value", Text, nullable=False, comment="the identifier, or its keyed hash for hashed kinds"),
    Column("customer_id", String(40), nullable=False, comment="the customer it was first seen with; never moves"),
    Column("first_seq", BigInteger, nullable=True),
    Column("first_at", BigInteger, nullable=False),
    Column("source_id", String(64), nullable=True),
    PrimaryKeyConstraint("workspace_id", "kind", "value"),
    Index(None, "workspace_id", "customer_id"),
)

merges = Table(
    "merges",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("workspace_id", String(64), nullable=False),
    Column("survivor_id", String(40), nullable=False),
    Column("absorbed_id", String(40), nullable=False),
    Column("rule", String(64), nullable=False, comment="which rule joined them, e.g. anonymous_id_with_user_id"),
    Column("evidence", Text, nullable=False, comment="JSON: identifiers, event seq and messageId, staff reason"),
    Column("at", BigInteger, nullable=False),
    Column("by_staff", String(40), nullable=True),
    Column("undone_at", BigInteger, nullable=True),
    Column("undone_by", String(40), nullable=True),
    Column("undo_reason", Text, nullable=True),
    Index(None, "workspace_id", "absorbed_id"),
    Index(None, "workspace_id", "survivor_id"),
)

identity_conflicts = Table(
    "identity_conflicts",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("workspace_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False, comment="which identifier was seen with two customers"),
    Column("value", Text, nullable=False),
    Column("customer_a", String(40), nullable=False),
    Column("customer_b", String(40), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("detail", Text, nullable=False, comment="JSON: why this was not merged"),
    Column("seq", BigInteger, nullable=True),
    Column("at", BigInteger, nullable=False),
    Column("resolved_at", BigInteger, nullable=True),
    Index(None, "workspace_id", "customer_a"),
    Index(None, "workspace_id", "customer_b"),
)

event_customers = Table(
    "event_customers",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("customer_id", String(40), nullable=False, comment="the base customer the event came with"),
    Column("seq", BigInteger, nullable=False),
    Column("ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "customer_id", "ts", "seq"),
    sqlite_with_rowid=False,
)

customer_stats = Table(
    "customer_stats",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("events", BigInteger, nullable=False),
    Column("first_ts", BigInteger, nullable=False),
    Column("last_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "customer_id"),
    Index(None, "workspace_id", "last_ts"),  # the recently active customers, page by page
)

trait_values = Table(
    "trait_values",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("workspace_id", String(64), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("name", String(128), nullable=False),
    Column("value", Text, nullable=False, comment="JSON"),
    Column("origin", String(16), nullable=False, comment="event, staff or customer (portal)"),
    Column("source_id", String(64), nullable=True),
    Column("seq", BigInteger, nullable=True),
    Column("staff_id", String(40), nullable=True),
    Column("reason", Text, nullable=True),
    Column("purposes", Text, nullable=False, comment="purposes of the event or action it came from"),
    Column("at", BigInteger, nullable=False),
    Index(None, "workspace_id", "customer_id", "name"),
)

preferences = Table(
    "preferences",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("workspace_id", String(64), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column(
        "name", String(64), nullable=False, comment="language, tone, quiet_hours, no_first_contact, channel.<purpose>"
    ),
    Column("value", Text, nullable=False, comment="JSON"),
    Column("origin", String(16), nullable=False, comment="customer, staff or inferred"),
    Column("source_id", String(64), nullable=True),
    Column("seq", BigInteger, nullable=True),
    Column("staff_id", String(40), nullable=True),
    Column("reason", Text, nullable=True),
    Column("at", BigInteger, nullable=False),
    Index(None, "workspace_id", "customer_id"),
)

search_terms = Table(
    "search_terms",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("term", String(200), nullable=False, comment="lower-cased identifier or trait word"),
    Column("customer_id", String(40), nullable=False),
    PrimaryKeyConstraint("workspace_id", "term", "customer_id"),
    Index(None, "workspace_id", "customer_id"),  # erasure finds the person's rows
    sqlite_with_rowid=False,
)

staff = Table(
    "staff",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("id", String(40), nullable=False),
    Column("email", String(320), nullable=False),
    Column("name", Text, nullable=False),
    Column("role", String(32), nullable=False, comment="frontline, lead, privacy_officer, admin"),
    Column("password_hash", Text, nullable=False, comment="argon2id"),
    Column("language", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("disabled_at", BigInteger, nullable=True),
    PrimaryKeyConstraint("workspace_id", "id"),
    Index(None, "workspace_id", "email", unique=True),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("staff_id", String(40), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("ended_at", BigInteger, nullable=True),
)

notes = Table(
    "notes",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("id", String(40), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("author_id", String(40), nullable=False),
    Column("body", Text, nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("visible_to_customer", Integer, nullable=False, comment="1: shown in the customer's privacy portal"),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    PrimaryKeyConstraint("workspace_id", "id"),
    Index(None, "workspace_id", "customer_id"),
)

note_versions = Table(
    "note_versions",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("note_id", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("editor_id", String(40), nullable=False),
    Column("at", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "note_id", "version"),
)

access_log = Table(
    "access_log",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("workspace_id", String(64), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("staff_id", String(40), nullable=False),
    Column("what", String(64), nullable=False, comment="briefing, customer page, timeline, search result"),
    Column("purpose", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),
    Index(None, "workspace_id", "customer_id"),
)

# --- privacy: rights requests (with the erasure journal), portal sign-in links and sessions ------------------------

rights_requests = Table(
    "rights_requests",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("id", String(40), nullable=False),
    Column("kind", String(16), nullable=False, comment="access, export, correct, erase"),
    Column("customer_id", String(40), nullable=True, comment="cleared to the erasure's pseudonym when erased"),
    Column("identity", Text, nullable=True, comment="kind:keyed-hash of the identifier the request named"),
    Column("via", String(16), nullable=False, comment="portal, email, phone, letter, cli"),
    Column("received_at", BigInteger, nullable=False),
    Column("due_at", BigInteger, nullable=False, comment="the legal deadline: one month after receipt"),
    Column("verification", String(16), nullable=False, comment="unverified, verified, failed"),
    Column("status", String(16), nullable=False, comment="open, in_progress, completed, refused"),
    Column("progress", Text, nullable=True, comment="JSON journal of an erasure, so a killed one resumes"),
    Column("outcome", Text, nullable=True),
    Column("receipt", Text, nullable=True, comment="JSON receipt given to the customer"),
    Column("staff_id", String(40), nullable=True),
    Column("completed_at", BigInteger, nullable=True),
    PrimaryKeyConstraint("workspace_id", "id"),
    Index(None, "workspace_id", "status"),
    Index(None, "workspace_id", "customer_id"),  # erasure finds the person's rows
)

portal_links = Table(
    "portal_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
    Index(None, "workspace_id", "customer_id"),  # erasure finds the person's rows
)

portal_sessions = Table(
    "portal_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("workspace_id", String(64), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("gpc", Integer, nullable=False, comment="1 when the browser sent Sec-GPC: 1"),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("ended_at", BigInteger, nullable=True),
    Index(None, "workspace_id", "customer_id"),
)

# --- journeys: each customer's place in each journey, step history, baselines per cohort --------------------------

journey_positions = Table(
    "journey_positions",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("customer_id", String(40), nullable=False, comment="the base customer the events came with"),
    Column("journey", String(64), nullable=False),
    Column("stage", String(32), nullable=False, comment="discover, purchase, onboard, use, support, renew, recommend"),
    Column("step", String(128), nullable=True),
    Column("step_index", Integer, nullable=True),
    Column("entered_at", BigInteger, nullable=False, comment="when the customer reached this step"),
    Column("last_event_at", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("cohort", Text, nullable=False, comment="JSON: plan, source, signup month…"),
    PrimaryKeyConstraint("workspace_id", "customer_id", "journey"),
    Index(None, "workspace_id", "journey", "step"),
)

journey_steps = Table(
    "journey_steps",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("journey", String(64), nullable=False),
    Column("step", String(128), nullable=False),
    Column("step_index", Integer, nullable=False),
    Column("entered_at", BigInteger, nullable=False),
    Column("left_at", BigInteger, nullable=True, comment="when the next step was reached; NULL while still here"),
    Column("seq", BigInteger, nullable=False, comment="the event that reached the step"),
    Column("cohort", Text, nullable=False),
    PrimaryKeyConstraint("workspace_id", "customer_id", "journey", "step_index"),
    Index(None, "workspace_id", "journey", "step_index"),
)

journey_baselines = Table(
    "journey_baselines",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("journey", String(64), nullable=False),
    Column("step_index", Integer, nullable=False),
    Column("cohort_key", String(64), nullable=False, comment="'all' or a cohort dimension such as plan"),
    Column("cohort_value", String(128), nullable=False),
    Column("reached", BigInteger, nullable=False),
    Column("moved_on", BigInteger, nullable=False),
    Column("p50_ms", BigInteger, nullable=True),
    Column("p90_ms", BigInteger, nullable=True),
    Column("computed_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "journey", "step_index", "cohort_key", "cohort_value"),
)

# --- friction: signals with evidence, and the per-customer state of streaming detectors ------------------------------

signals = Table(
    "signals",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("id", String(40), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("kind", String(32), nullable=False, comment="stall, help_loop, rage_click, … (a detector's name)"),
    Column("key", String(200), nullable=False, comment="what the signal is about, so new evidence updates it"),
    Column("severity", Integer, nullable=False, comment="1 low … 3 high"),
    Column("status", String(16), nullable=False, comment="open or resolved"),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    Column("resolved_at", BigInteger, nullable=True),
    Column("evidence", Text, nullable=False, comment="JSON list of event seqs"),
    Column("details", Text, nullable=False, comment="JSON facts the plain-words explanation is built from"),
    Column("journey", String(64), nullable=True),
    Column("step", String(128), nullable=True),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "id"),
    Index(None, "workspace_id", "customer_id", "kind", "key", unique=True),
    Index(None, "workspace_id", "status", "kind"),
    Index(None, "workspace_id", "updated_at"),
)

detector_state = Table(
    "detector_state",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("detector", String(32), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("state", Text, nullable=False, comment="JSON: what the detector remembers of recent events"),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "detector", "customer_id"),
    Index(None, "workspace_id", "customer_id"),  # erasure finds the person's rows
)

# --- anticipation: fitted models with their holdout report, and each customer's latest anticipations ---------------

models = Table(
    "models",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("id", String(40), nullable=False, comment="m_ + hex: one fitted model"),
    Column("name", String(32), nullable=False, comment="bgnbd, paretonbd, boosted"),
    Column("version", String(32), nullable=False, comment="the code version of the model, e.g. boosted-1"),
    Column("fitted_at", BigInteger, nullable=False),
    Column("as_of", BigInteger, nullable=False, comment="the last day of history it learned from, epoch ms"),
    Column("customers", BigInteger, nullable=False),
    Column("parameters", Text, nullable=False, comment="JSON"),
    Column("holdout", Text, nullable=False, comment="JSON holdout report, baselines side by side"),
    Column("status", String(16), nullable=False, comment="live, candidate (not promoted), retired"),
    Column("why", Text, nullable=False, comment="why it is live, or every measure where it fell short"),
    PrimaryKeyConstraint("workspace_id", "id"),
    Index(None, "workspace_id", "status"),
)

anticipations = Table(
    "anticipations",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("customer_id", String(40), nullable=False, comment="the customer (the record others merged into)"),
    Column("kind", String(32), nullable=False, comment="expected_purchases, buys_again, still_active"),
    Column("score", Float, nullable=False),
    Column("horizon_days", Integer, nullable=False),
    Column("computed_at", BigInteger, nullable=False),
    Column("as_of", BigInteger, nullable=False),
    Column("model_id", String(40), nullable=False),
    Column("reasons", Text, nullable=False, comment="JSON: the top reasons in plain words, en and ja"),
    Column("facts", Text, nullable=False, comment="JSON: purchase days, weeks since the last, weeks as a customer"),
    PrimaryKeyConstraint("workspace_id", "customer_id", "kind"),
    Index(None, "workspace_id", "kind", "score"),
)

# --- care: items with owners, their history, the outbox of actions, goodwill and its budgets ------------------------

care_items = Table(
    "care_items",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("id", String(40), nullable=False, comment="ci_ + hex"),
    Column("customer_id", String(40), nullable=False, comment="the customer (the record others merged into)"),
    Column("playbook", String(64), nullable=False, comment="a playbook id, or `reach_a_person`"),
    Column("reason_key", String(200), nullable=False, comment="what it is about: one open item per customer and it"),
    Column("trigger", String(16), nullable=False, comment="signal, anticipation, deadline, schedule"),
    Column("trigger_ref", String(200), nullable=True, comment="the signal id, the anticipation kind, …"),
    Column("trigger_at", BigInteger, nullable=False, comment="event time of the evidence; outcomes are read after it"),
    Column("arm", String(8), nullable=False, comment="treated, or holdout (receives no proactive action)"),
    Column("status", String(16), nullable=False, comment="open, claimed, resolved, held_out, closed"),
    Column("priority", Integer, nullable=False, comment="0 urgent, 1 high, 2 normal, 3 low"),
    Column("team", String(64), nullable=True),
    Column("owner_id", String(40), nullable=True, comment="the staff member who owns it"),
    Column("due_at", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("evidence", Text, nullable=False, comment="JSON: the facts the reason is written from"),
    Column("reassignments", Integer, nullable=False),
    Column("ping_pong", Integer, nullable=False, comment="reassignments back to someone who had it before"),
    Column("resolved_at", BigInteger, nullable=True),
    Column("resolved_by", String(40), nullable=True),
    Column("outcome", String(32), nullable=True, comment="what staff said happened: helped, no_response, …"),
    Column("recovered", Integer, nullable=True, comment="1/0 once the outcome window has passed"),
    Column("recovered_at", BigInteger, nullable=True),
    PrimaryKeyConstraint("workspace_id", "id"),
    Index(None, "workspace_id", "customer_id", "playbook", "reason_key"),
    Index(None, "workspace_id", "status", "owner_id"),
    Index(None, "workspace_id", "playbook", "arm"),
)

care_log = Table(
    "care_log",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("workspace_id", String(64), nullable=False),
    Column("item_id", String(40), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(40), nullable=False, comment="a staff id, or `system`"),
    Column("what", String(32), nullable=False, comment="created, updated, assigned, claimed, reassigned, sent, …"),
    Column("details", Text, nullable=False, comment="JSON"),
    Index(None, "workspace_id", "item_id"),
    Index(None, "workspace_id", "customer_id"),
)

care_actions = Table(
    "care_actions",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("id", String(40), nullable=False, comment="ca_ + hex; also the idempotency key sent to webhooks"),
    Column("item_id", String(40), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("kind", String(16), nullable=False, comment="message (to the customer), webhook, slack"),
    Column("channel", String(64), nullable=False, comment="a channel id of care.channels"),
    Column("proactive", Integer, nullable=False, comment="1 when it counts against the customer's contact cap"),
    Column("status", String(16), nullable=False, comment="queued, sent, dead, cancelled"),
    Column("payload", Text, nullable=False, comment="JSON: to, subject, body, language (messages); the item"),
    Column("attempts", Integer, nullable=False),
    Column("next_at", BigInteger, nullable=False, comment="not before: backoff, quiet hours, the cap"),
    Column("last_error", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(40), nullable=False),
    Column("sent_at", BigInteger, nullable=True),
    PrimaryKeyConstraint("workspace_id", "id"),
    Index(None, "status", "next_at"),
    Index(None, "workspace_id", "customer_id", "sent_at"),
    Index(None, "workspace_id", "item_id"),
)

goodwill_grants = Table(
    "goodwill_grants",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("id", String(40), nullable=False, comment="gw_ + hex"),
    Column("customer_id", String(40), nullable=False, comment="`erased` once the customer is erased"),
    Column("item_id", String(40), nullable=True),
    Column("staff_id", String(40), nullable=False, comment="who granted (or asked)"),
    Column("team", String(64), nullable=True),
    Column("kind", String(16), nullable=False, comment="credit, extension, gift, fee_waiver"),
    Column("value", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason_code", String(64), nullable=False),
    Column("note", Text, nullable=False),
    Column("status", String(16), nullable=False, comment="granted, pending, approved, rejected"),
    Column("period", String(16), nullable=False, comment="the budget period it counts in, e.g. 2026-12"),
    Column("created_at", BigInteger, nullable=False),
    Column("decided_by", String(40), nullable=True),
    Column("decided_at", BigInteger, nullable=True),
    Column("decision_note", Text, nullable=True),
    PrimaryKeyConstraint("workspace_id", "id"),
    Index(None, "workspace_id", "status"),
    Index(None, "workspace_id", "customer_id"),
)

goodwill_budgets = Table(
    "goodwill_budgets",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("scope", String(80), nullable=False, comment="staff:<id> or team:<id>"),
    Column("period", String(16), nullable=False),
    Column("committed", Float, nullable=False, comment="granted, approved and pending (held) value"),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "scope", "period"),
)

care_state = Table(
    "care_state",
    metadata,
    Column("workspace_id", String(64), nullable=False),
    Column("key", String(80), nullable=False, comment="watermarks, round-robin turns"),
    Column("value", Text, nullable=False, comment="JSON"),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "key"),
)
