"""Segment's HTTP Tracking API: `/v1/batch` and the single-message endpoints."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import msgspec
from fastapi import APIRouter, Request
from starlette.responses import Response

from omotenashi.core.errors import BadRequest
from omotenashi.intake.service import Intake, IntakeReport
from omotenashi.web.errors import json_error
from omotenashi.web.schemas import BatchRequest, ErrorResponse, IntakeResponse, SegmentMessage, rejection_out

router = APIRouter(prefix="/v1", tags=["tracking"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Malformed JSON, or no message in the request was valid."},
    401: {"model": ErrorResponse, "description": "Missing, unknown or revoked write key."},
    413: {"model": ErrorResponse, "description": "Over 32 KB per message or 500 KB per batch."},
}


def _body_doc(model: type) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        }
    }


def write_key_from(request: Request) -> str | None:
    """The write key from HTTP Basic auth (username; the password is ignored, as Segment does)."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest(
            "the Authorization header is not valid HTTP Basic", hint="send base64 of `WRITE_KEY:`"
        ) from exc
    return decoded.partition(":")[0] or None


def report_response(report: IntakeReport) -> Response:
    """200 with the report, or 400 when nothing in the request was valid."""
    rejected = [rejection_out(r) for r in report.rejected]
    if report.nothing_valid:
        only_size = set(report.rejected_by_reason) == {"message_too_large"}
        return json_error(
            413 if only_size else 400,
            {
                "code": "payload_too_large" if only_size else "rejected",
                "message": "no message in the request could be stored",
                "hint": "see `rejected` for what to fix in each message",
                "rejected": rejected,
            },
        )
    body = {
        "success": True,
        "accepted": report.accepted,
        "duplicates": report.duplicates,
        "consent_changes": report.consent_changes,
        "refused": dict(report.refused),
        "rejected": rejected,
    }
    return Response(msgspec.json.encode(body), media_type="application/json")


async def _accept(request: Request, message_type: str | None) -> Response:
    intake: Intake = request.app.state.runtime.intake
    report = await intake.accept(
        await request.body(),
        content_encoding=request.headers.get("content-encoding"),
        write_key=write_key_from(request),
        message_type=message_type,
        gpc=request.headers.get("sec-gpc", "").strip() == "1",
    )
    return report_response(report)


@router.post(
    "/batch",
    summary="Send many messages at once (Segment's batch API).",
    response_model=IntakeResponse,
    responses=_ERRORS,
    openapi_extra=_body_doc(BatchRequest),
)
async def batch(request: Request) -> Response:
    return await _accept(request, None)


def _single(kind: str) -> None:
    async def endpoint(request: Request) -> Response:
        return await _accept(request, kind)

    endpoint.__name__ = kind
    router.add_api_route(
        f"/{kind}",
        endpoint,
        methods=["POST"],
        summary=f"Send one `{kind}` message.",
        response_model=IntakeResponse,
        responses=_ERRORS,
        openapi_extra=_body_doc(SegmentMessage),
    )


for _kind in ("track", "identify", "page", "screen", "group", "alias"):
    _single(_kind)
