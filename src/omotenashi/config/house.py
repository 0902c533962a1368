"""The house file as typed models: one workspace, its purposes, its sources, its store.

Every field has a description; the house-file reference in docs/house-file.md is checked against these models.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

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
