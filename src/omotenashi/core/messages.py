"""The Segment message, as the tracking API defines it, decoded with msgspec.

`properties`, `traits`, `context` and `integrations` stay raw JSON bytes: they are stored as they came and only
looked into where a rule needs them (consent, identifiers).
"""

from __future__ import annotations

from datetime import datetime

import msgspec

# msgspec cannot put Raw in a union with None: an empty Raw means the field was absent.
_ABSENT = msgspec.Raw(b"")

MESSAGE_TYPES = ("track", "identify", "page", "screen", "group", "alias")


class Message(msgspec.Struct, kw_only=True):
    """One message of Segment's HTTP Tracking API (unknown top-level fields are ignored, as Segment does)."""

    type: str | None = None
    messageId: str | None = None  # noqa: N815 - Segment's field names
    userId: str | int | None = None  # noqa: N815
    anonymousId: str | int | None = None  # noqa: N815
    event: str | None = None
    name: str | None = None
    category: str | None = None
    groupId: str | int | None = None  # noqa: N815
    previousId: str | int | None = None  # noqa: N815
    properties: msgspec.Raw = _ABSENT
    traits: msgspec.Raw = _ABSENT
    context: msgspec.Raw = _ABSENT
    integrations: msgspec.Raw = _ABSENT
    timestamp: datetime | None = None
    sentAt: datetime | None = None  # noqa: N815
    originalTimestamp: datetime | None = None  # noqa: N815
    receivedAt: datetime | None = None  # noqa: N815
    writeKey: str | None = None  # noqa: N815


class Batch(msgspec.Struct, kw_only=True):
    """The envelope of `POST /v1/batch`: messages stay raw until each is checked on its own."""

    batch: list[msgspec.Raw]
    writeKey: str | None = None  # noqa: N815
    sentAt: datetime | None = None  # noqa: N815
    context: msgspec.Raw = _ABSENT
    integrations: msgspec.Raw = _ABSENT


class WriteKeyOnly(msgspec.Struct):
    """Just enough of a body to find a `writeKey` in it."""

    writeKey: str | None = None  # noqa: N815


class ConsentContext(msgspec.Struct):
    """Segment's `context.consent` block."""

    categoryPreferences: dict[str, bool] | None = None  # noqa: N815


class RudderConsent(msgspec.Struct):
    """RudderStack's `context.consentManagement` block."""

    allowedConsentIds: list[str] | None = None  # noqa: N815
    deniedConsentIds: list[str] | None = None  # noqa: N815


class ConsentPart(msgspec.Struct):
    """The consent-bearing parts of a message's `context`."""

    consent: ConsentContext | None = None
    consentManagement: RudderConsent | None = None  # noqa: N815


class ConsentEventProperties(msgspec.Struct):
    """Properties of an explicit consent event (`Consent Granted` / `Consent Withdrawn`)."""

    purpose: str | None = None
    purposes: list[str] | None = None
    notice_version: str | None = None
