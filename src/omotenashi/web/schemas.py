"""Response and request schemas of the HTTP API (documentation of the wire format; never storage rows)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from omotenashi.core.errors import Rejection


class RejectedMessage(BaseModel):
    index: int = Field(description="Position of the message in the batch (0-based).")
    messageId: str | None = Field(description="The message's id, when it had one.")  # noqa: N815
    field: str = Field(description="The field that is wrong, e.g. `userId` or `properties`.")
    reason: str = Field(description="Machine-readable reason, e.g. `missing_identity`, `wrong_type`.")
    hint: str = Field(description="How to fix it.")


class IntakeResponse(BaseModel):
    success: bool = Field(description="Always true on 200: every valid message is committed.")
    accepted: int = Field(description="Messages committed (or accepted and dropped for a suppressed identity).")
    duplicates: int = Field(description="Messages already stored under the same messageId.")
    consent_changes: int = Field(description="Consent receipts written from the messages.")
    refused: dict[str, int] = Field(description="Valid messages not kept, by reason (e.g. `consent_missing`).")
    rejected: list[RejectedMessage] = Field(description="Invalid messages, each with what to fix.")


class ErrorResponse(BaseModel):
    code: str = Field(description="Machine-readable error code.")
    message: str = Field(description="What went wrong.")
    hint: str | None = Field(default=None, description="How to fix it.")


class SegmentMessage(BaseModel):
    """A message of Segment's HTTP Tracking API."""

    type: Literal["track", "identify", "page", "screen", "group", "alias"] | None = Field(
        default=None, description="Required in a batch; implied by the single-message endpoints."
    )
    messageId: str | None = Field(default=None, description="Unique id; retries with the same id are dropped.")  # noqa: N815
    userId: str | None = Field(default=None, description="Your id for the customer.")  # noqa: N815
    anonymousId: str | None = Field(default=None, description="Device or browser id before sign-in.")  # noqa: N815
    event: str | None = Field(default=None, description="track: what happened, e.g. `Order Completed`.")
    name: str | None = Field(default=None, description="page/screen: the page's name.")
    groupId: str | None = Field(default=None, description="group: the account's id.")  # noqa: N815
    previousId: str | None = Field(default=None, description="alias: the id being merged.")  # noqa: N815
    properties: dict[str, Any] | None = Field(default=None, description="Details of the event.")
    traits: dict[str, Any] | None = Field(default=None, description="identify/group: who the customer is.")
    context: dict[str, Any] | None = Field(
        default=None, description="Context, incl. `consent.categoryPreferences` and `consentManagement`."
    )
    integrations: dict[str, Any] | None = Field(default=None, description="Kept as sent.")
    timestamp: str | None = Field(default=None, description="ISO 8601 time on the client's clock.")
    originalTimestamp: str | None = Field(default=None, description="ISO 8601; wins over `timestamp`.")  # noqa: N815
    sentAt: str | None = Field(default=None, description="ISO 8601 time the client sent it (skew correction).")  # noqa: N815
    writeKey: str | None = Field(default=None, description="The write key, when not sent as HTTP Basic.")  # noqa: N815


class BatchRequest(BaseModel):
    """The body of `POST /v1/batch`."""

    batch: list[SegmentMessage] = Field(description="The messages; each is judged on its own.")
    writeKey: str | None = Field(default=None, description="The write key, when not sent as HTTP Basic.")  # noqa: N815
    sentAt: str | None = Field(default=None, description="ISO 8601 time the batch was sent.")  # noqa: N815


class WorkspaceStatus(BaseModel):
    workspace: str = Field(description="Workspace id.")
    events: int = Field(description="Stored events.")
    customers: int = Field(description="Distinct customers with stored events.")
    duplicates: int = Field(description="Messages dropped as duplicates.")
    suppressed: int = Field(description="Messages dropped for a suppressed identity.")
    consent_receipts: int = Field(description="Receipts in the consent ledger.")
    refused: dict[str, int] = Field(description="Valid messages not kept, by reason.")
    rejections: dict[str, int] = Field(description="Invalid messages, by reason.")
    undeclared: dict[str, int] = Field(
        description="Collected but not declared in the data map, by name (stripped unless the policy keeps them)."
    )


def rejection_out(item: Rejection) -> dict[str, Any]:
    """The wire form of one rejected message."""
    out: dict[str, Any] = {
        "index": item.index,
        "messageId": item.message_id,
        "field": item.field,
        "reason": item.reason,
        "hint": item.hint,
    }
    if item.line is not None:
        out["line"] = item.line
    return out
