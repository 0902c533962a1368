"""Process settings from the environment (`OMOTENASHI__SECTION__FIELD`), built once by the composition root."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseModel):
    host: str = Field(default="127.0.0.1", description="Address `omotenashi serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `omotenashi serve` listens on.")


class WriterSettings(BaseModel):
    max_batch_rows: int = Field(
        default=20_000, ge=1, description="Most rows the single writer commits in one transaction."
    )
    checkpoint_every_rows: int = Field(
        default=200_000, ge=1_000, description="Rows written between explicit WAL checkpoints (SQLite)."
    )


class MailSettings(BaseModel):
    host: str | None = Field(
        default=None,
        description="SMTP server that sends the privacy portal's sign-in links. Unset: the link is written to the "
        "server's output instead (the demo).",
    )
    port: int = Field(default=25, ge=1, le=65535, description="Port of the SMTP server.")
    sender: str = Field(
        default="privacy@localhost", description="The From address of the portal's e-mails (e.g. privacy@shop.example)."
    )
    starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS before sending.")


class PortalSettings(BaseModel):
    base_url: str | None = Field(
        default=None,
        description="The public address of this server (e.g. https://privacy.shop.example), put into e-mailed and "
        "signed portal links. Unset: the address of a local request, else the server's host and port.",
    )


class SignInLimits(BaseModel):
    window_minutes: int = Field(default=15, ge=1, le=1440, description="The moving window the limits below count in.")
    staff_failures_per_account: int = Field(
        default=10, ge=1, description="Failed staff sign-ins to one account from one address, per window."
    )
    staff_failures_per_address: int = Field(
        default=30, ge=1, description="Failed staff sign-ins from one address, whatever the account, per window."
    )
    portal_links_per_address: int = Field(
        default=10, ge=1, description="Portal sign-in links asked for from one address, per window."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMOTENASHI__", env_nested_delimiter="__", extra="ignore")

    house_file: Path = Field(default=Path("omotenashi.yaml"), description="The house file to load.")
    store_url: str | None = Field(
        default=None,
        description="Overrides the house file's store with an SQLAlchemy URL (e.g. for a staging database).",
    )
    server: ServerSettings = Field(default_factory=ServerSettings, description="The HTTP server.")
    writer: WriterSettings = Field(default_factory=WriterSettings, description="The single writer.")
    mail: MailSettings = Field(default_factory=MailSettings, description="Outgoing e-mail (portal sign-in links).")
    portal: PortalSettings = Field(default_factory=PortalSettings, description="The customers' privacy portal.")
    sign_in_limits: SignInLimits = Field(
        default_factory=SignInLimits, description="How often one network may try to sign in (staff and portal)."
    )
