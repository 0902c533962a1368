"""The house file as typed models: one workspace, its purposes, its sources, its store.

Every field has a description; the house-file reference in docs/house-file.md is checked against these models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from omotenashi.config.care import CareSection
from omotenashi.config.friction import FrictionSection
from omotenashi.core.purposes import CORE_PURPOSES, LegalBasis, Mechanism

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkspaceSection(Strict):
    id: Slug = Field(description="Short, stable identifier of the workspace; every stored row carries it.")
    name: str = Field(description="Name shown to staff and customers.")


class SqliteStore(Strict):
    type: Literal["sqlite"] = Field(description="The embedded store: one SQLite file.")
    path: str = Field(
        default="var/omotenashi.db",
        description="Path of the SQLite file, relative to the house file's folder.",
    )
    synchronous: Literal["full", "normal"] = Field(
        default="full",
        description="SQLite durability: `full` survives power loss, `normal` survives a crash of the process.",
    )


class PostgresStore(Strict):
    type: Literal["postgres"] = Field(description="A PostgreSQL server (needs the `[postgres]` extra).")
    url: str = Field(description="SQLAlchemy URL, e.g. `postgresql+psycopg://user@host:5432/db`.")


StoreSection = Annotated[SqliteStore | PostgresStore, Field(discriminator="type")]


class IntakeSection(Strict):
    dedupe_window_days: int = Field(
        default=7,
        ge=1,
        le=366,
        description="How long a messageId is remembered to drop retried duplicates.",
    )
    max_message_bytes: int = Field(default=32 * 1024, ge=1024, description="Largest accepted message.")
    max_batch_bytes: int = Field(default=500 * 1024, ge=1024, description="Largest accepted batch request.")
    future_tolerance_hours: int = Field(
        default=24,
        ge=0,
        description="Timestamps further in the future than this are clamped to the time received, and flagged.",
    )


class Description(Strict):
    en: str = Field(description="The sentence in English.")
    ja: str | None = Field(default=None, description="The sentence in Japanese.")


class PurposeSection(Strict):
    legal_basis: LegalBasis = Field(description="Legal basis of the processing for this purpose.")
    mechanism: Mechanism = Field(
        description="`opt_in` (kept only after the customer grants), `opt_out` (kept until the customer "
        "withdraws) or `notice_only` (needs no consent, e.g. delivering what was asked for)."
    )
    notice_version: str = Field(default="1", description="Version of the notice the customer was shown.")
    description: Description = Field(description="What this purpose is for, in plain words, per language.")
    aliases: list[str] = Field(
        default_factory=list,
        description="Names consent managers use for this purpose (e.g. Segment categories, OneTrust ids).",
    )


class SourceSection(Strict):
    name: str = Field(description="Name of the touchpoint, shown to staff and customers.")
    purposes: list[str] = Field(min_length=1, description="The purposes this source's events serve.")


class IdentifierSection(Strict):
    trait: str = Field(description="The `identify` trait that carries this identifier, e.g. `email`.")
    store_as: Literal["keyed_hash", "clear"] = Field(
        default="keyed_hash",
        description="`keyed_hash`: matched by a keyed hash and never kept in clear in the profile; "
        "`clear`: kept in clear, for the purpose named in `purpose`.",
    )
    purpose: str | None = Field(default=None, description="Why the identifier is kept in clear (a purpose id).")
    match: bool = Field(default=True, description="Whether two customers sharing this identifier are the same person.")


class PreferenceTraits(Strict):
    language: list[str] = Field(
        default_factory=lambda: ["language", "preferred_language"], description="Traits that set the language."
    )
    tone: list[str] = Field(default_factory=lambda: ["tone"], description="Traits that set the tone.")
    channel: list[str] = Field(
        default_factory=lambda: ["preferred_channel"],
        description="Traits that set the preferred channel for every purpose.",
    )
    quiet_hours: list[str] = Field(
        default_factory=lambda: ["quiet_hours"],
        description="Traits that set quiet hours, as `22:00-08:00` or {start, end, timezone}.",
    )
    no_first_contact: list[str] = Field(
        default_factory=lambda: ["do_not_contact_first", "no_proactive_contact"],
        description="Traits that say: please don't contact me first.",
    )
    timezone: list[str] = Field(default_factory=lambda: ["timezone"], description="Traits that set the timezone.")


class MemorySection(Strict):
    identifiers: dict[Slug, IdentifierSection] = Field(
        default_factory=lambda: {"email": IdentifierSection(trait="email"), "phone": IdentifierSection(trait="phone")},
        description="Declared identifiers besides userId and anonymousId; keys are identifier kinds.",
    )
    preference_traits: PreferenceTraits = Field(
        default_factory=PreferenceTraits, description="Which `identify` traits set which preference."
    )
    note_max_chars: int = Field(default=5000, ge=100, le=100_000, description="Longest staff note.")


class DataItem(Strict):
    """What one collected thing is, why it is kept, for how long: every field may be inherited."""

    category: str | None = Field(default=None, description="fideslang data category, e.g. `user.contact.email`.")
    use: str | None = Field(default=None, description="fideslang data use, e.g. `essential.service`.")
    legal_basis: LegalBasis | None = Field(default=None, description="Legal basis of keeping it.")
    retention_days: int | None = Field(default=None, ge=1, description="How long it is kept, in days.")
    special_category: bool | None = Field(
        default=None,
        description="A special category of personal data (health, beliefs…): never used by a rule or model.",
    )
    description: Description | None = Field(
        default=None, description="One plain sentence per language: what it is used for and what it does for you."
    )
    kept_after_erasure: Description | None = Field(
        default=None,
        description="When the law requires keeping it after an erasure request: the reason, per language.",
    )


class DataEntry(DataItem):
    properties: dict[str, DataItem | None] = Field(
        default_factory=dict, description="Declared properties; each inherits what it does not say from the entry."
    )


class DataMapSection(Strict):
    undeclared: Literal["strip", "keep", "reject"] = Field(
        default="strip",
        description="What intake does with properties and traits the data map does not declare: `strip` them and "
        "count them for the privacy officer, `keep` them (still counted), or `reject` the message.",
    )
    defaults: DataItem = Field(default_factory=DataItem, description="Values every entry inherits.")
    events: dict[str, DataEntry] = Field(default_factory=dict, description="`track` events by name.")
    pages: DataEntry | None = Field(default=None, description="`page` messages (all pages).")
    screens: DataEntry | None = Field(default=None, description="`screen` messages (all screens).")
    traits: dict[str, DataItem | None] = Field(default_factory=dict, description="`identify` traits by name.")
    context: dict[str, DataItem | None] = Field(
        default_factory=dict,
        description="`context` fields kept besides consent and library (e.g. `ip`, `locale`, `userAgent`).",
    )


STAGES = ("discover", "purchase", "onboard", "use", "support", "renew", "recommend")


class EventRule(Strict):
    """A `track` event of a stage; a plain string in the house file is the event's name."""

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data: Any) -> Any:
        return {"event": data} if isinstance(data, str) else data

    event: str = Field(description="A `track` event name, exactly as sent.")
    where: dict[str, list[str | int | float | bool]] = Field(
        default_factory=dict,
        description="Only when each named property has one of the listed values, e.g. `{score: [9, 10]}`.",
    )


class PageRule(Strict):
    """Pages or screens of a stage: every glob given must match. A plain string is a glob over the name."""

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data: Any) -> Any:
        return {"name": data} if isinstance(data, str) else data

    name: str | None = Field(
        default=None, description="Glob over the page or screen name (`*` any characters), e.g. `Help*`."
    )
    path: str | None = Field(default=None, description="Glob over `properties.path`, e.g. `/app/*`.")
    url: str | None = Field(default=None, description="Glob over `properties.url`, e.g. `https://help.example.com/*`.")


class StageRules(Strict):
    events: list[EventRule] = Field(
        default_factory=list, description="`track` events of this stage: names, or `{event, where}` rules."
    )
    pages: list[PageRule] = Field(
        default_factory=list,
        description="`page` messages of this stage: a glob over the page name, or `{name, path, url}` globs.",
    )
    screens: list[PageRule] = Field(
        default_factory=list, description="`screen` messages of this stage: a glob over the screen name, or a rule."
    )


class CohortField(Strict):
    first_of: list[str] = Field(
        description="Where the value is read, in order of preference: `signup.<property>`, "
        "`signup.context.<path>`, `signup_time` (all of the signup event) or `trait.<name>` (an `identify` trait)."
    )
    month: bool = Field(
        default=False,
        description="Keep only the month (`YYYY-MM`, in the workspace's timezone) of a time (ISO 8601 or epoch).",
    )


class JourneySpec(Strict):
    title: Description | None = Field(default=None, description="The journey's name shown to staff, per language.")
    steps: list[str] = Field(description="The expected steps, in order: the `track` event that marks each one.")
    stage: str | None = Field(
        default=None,
        description="The stage the journey belongs to; default: the stage its first step's event is mapped to.",
    )
    deadline_hours: dict[str, Annotated[float, Field(gt=0)]] = Field(
        default_factory=dict,
        description="Per step: at most how many hours after the step before it a customer should reach it.",
    )
    cohort: list[str] = Field(
        default_factory=list, description="Cohort fields (declared under `journeys.cohorts`) baselines are split by."
    )


class JourneysSection(Strict):
    stages: dict[str, StageRules] = Field(
        default_factory=dict,
        description="Which events, pages and screens belong to each of the seven stages of a customer's journey.",
    )
    signup_event: str | None = Field(
        default=None, description="The `track` event that marks a signup; cohorts read its properties and time."
    )
    cohorts: dict[Slug, CohortField] = Field(
        default_factory=dict, description="Cohort fields (e.g. plan, source, signup_month) and where each is read."
    )
    journeys: dict[Slug, JourneySpec] = Field(
        default_factory=dict, description="Journeys with expected steps; keys are journey ids, e.g. `onboarding`."
    )
    min_cohort_size: int = Field(
        default=20,
        ge=1,
        description="Fewest customers who moved on for a cohort's baseline to be used instead of everyone's.",
    )
    dropout_days: int = Field(
        default=14, ge=1, description="A customer silent this many days while still at a step has left there."
    )
    refresh_minutes: int = Field(
        default=60, ge=1, description="How often transition-time baselines are computed again."
    )


class ChurnSection(Strict):
    started_events: list[str] = Field(
        default_factory=lambda: ["Subscription Started", "Subscription Renewed"],
        min_length=1,
        description="`track` events that start or renew a subscription: after one, the customer is a subscriber.",
    )
    ended_events: list[str] = Field(
        default_factory=lambda: ["Subscription Cancelled"],
        min_length=1,
        description="`track` events that end a subscription (cancelled, not renewed): what churn risk anticipates.",
    )
    horizon_days: int = Field(
        default=30, ge=7, le=365, description="Churn risk: the chance a subscriber's subscription ends within it."
    )
    watch_above: float = Field(
        default=0.1, gt=0, lt=1, description="A subscriber is *at risk of not renewing* at or above this chance."
    )


class SupportContactSection(Strict):
    events: list[str] = Field(
        default_factory=lambda: ["Ticket Created", "Ticket Reopened", "Chat Started"],
        min_length=1,
        description="`track` events that are the customer contacting support (tickets, chats, calls).",
    )
    horizon_days: int = Field(
        default=7, ge=1, le=90, description="Support-contact risk: the chance the customer contacts support within it."
    )
    watch_above: float = Field(
        default=0.1, gt=0, lt=1, description="A customer is *about to need help* at or above this chance."
    )


class AnticipationSection(Strict):
    purchase_events: list[str] = Field(
        default_factory=lambda: ["Order Completed"],
        min_length=1,
        description="The `track` events that are purchases; each customer's purchase days are read from them.",
    )
    amount_property: str = Field(
        default="revenue", description="The purchase event's property holding its amount (spend features)."
    )
    purposes: list[Slug] = Field(
        default_factory=lambda: ["care"],
        min_length=1,
        description="Only events kept for one of these purposes are read, and only customers who allow them scored.",
    )
    candidate: Literal["boosted", "none"] = Field(
        default="boosted",
        description="The model tried against BG/NBD and Pareto/NBD; promoted only if it beats both on the holdout.",
    )
    horizon_days: int = Field(
        default=90, ge=7, le=730, description="How far ahead anticipations look: expected purchases, buying again."
    )
    holdout_days: int = Field(
        default=90,
        ge=14,
        le=730,
        description="The most recent days held out to check every model before one is used (time-based split).",
    )
    slipping_below: float = Field(
        default=0.5,
        gt=0,
        lt=1,
        description="A customer who has bought more than once is slipping away when P(still active) falls below it.",
    )
    refresh_hours: int = Field(
        default=24, ge=1, le=24 * 31, description="How often `serve` scores again (`omotenashi score` at any time)."
    )
    churn: ChurnSection | None = Field(
        default=None,
        description="Churn and renewal risk of subscribers, from usage, friction, support and journey stage "
        "(off when absent).",
    )
    support_contact: SupportContactSection | None = Field(
        default=None,
        description="Support-contact risk: who will contact support soon, from the same behaviour (off when absent).",
    )
    next_step: bool = Field(
        default=False, description="Anticipate each customer's likeliest next journey step or need (top 3)."
    )
    count_events: list[str] = Field(
        default_factory=list,
        description="More `track` events the churn and support-contact models count as features (last 7 and 30 "
        "days), e.g. `Payment Failed`.",
    )
    behaviour_holdout_days: int = Field(
        default=28,
        ge=7,
        le=365,
        description="Churn, support-contact and next-step models are checked on this last stretch of history "
        "before one is used (time-based split).",
    )


class HouseFile(Strict):
    workspace: WorkspaceSection = Field(description="The workspace this house file describes.")
    languages: list[LanguageCode] = Field(
        default_factory=lambda: ["en"],
        min_length=1,
        description="Languages spoken to customers; first is default.",
    )
    timezone: str = Field(default="UTC", description="IANA timezone of the company, e.g. `Asia/Tokyo`.")
    store: StoreSection = Field(
        default_factory=lambda: SqliteStore(type="sqlite"),
        description="Where events and derived tables live.",
    )
    intake: IntakeSection = Field(default_factory=IntakeSection, description="Rules of event intake.")
    purposes: dict[Slug, PurposeSection] = Field(description="Purposes events may serve; keys are purpose ids.")
    sources: dict[Slug, SourceSection] = Field(
        min_length=1, description="Touchpoints that send events; keys are source ids used by `keys create`."
    )
    data_map: DataMapSection | None = Field(
        default=None,
        description="Everything collected: category, use, legal basis, retention, plain-words purpose. The privacy "
        "notice is generated from it.",
    )
    memory: MemorySection = Field(
        default_factory=MemorySection, description="Identities, preferences and notes: how customers are remembered."
    )
    friction: FrictionSection = Field(
        default_factory=FrictionSection, description="Silent friction: which detectors run and how (docs/friction.md)."
    )
    journeys: JourneysSection | None = Field(
        default=None,
        description="The stages of a customer's journey, journeys with expected steps, and cohorts for baselines.",
    )
    anticipation: AnticipationSection | None = Field(
        default=None,
        description="Who will come back and who is slipping away: purchase events, horizon, holdout, schedule.",
    )
    care: CareSection | None = Field(
        default=None,
        description="Proactive care: teams, channels, templates, playbooks, caps and goodwill (docs/care.md).",
    )

    def purpose_for_name(self, name: str) -> str | None:
        """The purpose id a consent manager's category name refers to, if any."""
        if name in self.purposes:
            return name
        lowered = name.lower()
        for pid, purpose in self.purposes.items():
            if lowered == pid or any(lowered == alias.lower() for alias in purpose.aliases):
                return pid
        return None


REQUIRED_PURPOSES = CORE_PURPOSES
