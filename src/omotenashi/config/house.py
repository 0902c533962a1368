"""The house file as typed models: one workspace, its purposes, its sources, its store. The larger sections have
modules of their own (`journeys`, `friction`, `anticipation`, `care`), sharing `types`.

Every field has a description; the house-file reference in docs/house-file.md is checked against these models.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from omotenashi.config.anticipation import AnticipationSection
from omotenashi.config.care import CareSection
from omotenashi.config.friction import FrictionSection
from omotenashi.config.journeys import JourneysSection
from omotenashi.config.types import Description, LanguageCode, Slug, Strict
from omotenashi.core.purposes import CORE_PURPOSES, LegalBasis, Mechanism


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
