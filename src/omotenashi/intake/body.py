"""Reading a request body: size limits, gzip, and the batch envelope."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import datetime

import msgspec

from omotenashi.core.errors import BadRequest, PayloadTooLarge
from omotenashi.core.messages import Batch, WriteKeyOnly

_batch_decoder = msgspec.json.Decoder(Batch)
_key_decoder = msgspec.json.Decoder(WriteKeyOnly)
_raw_decoder = msgspec.json.Decoder(msgspec.Raw)
_WHERE = re.compile(r"at `\$(?P<path>[^`]*)`")
_BYTE = re.compile(r"byte (?P<pos>\d+)")


@dataclass(frozen=True)
class Envelope:
    """The messages of one request, still raw, with the request-level fields."""

    messages: list[msgspec.Raw]
    write_key: str | None
    sent_at: datetime | None


def inflate(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """The body as sent, un-gzipped when it says so, refusing anything over `limit` bytes."""
    encoding = (content_encoding or "").strip().lower()
    if encoding in {"", "identity"}:
        data = body
    elif encoding in {"gzip", "x-gzip"}:
        inflater = zlib.decompressobj(wbits=31)
        try:
            data = inflater.decompress(body, limit + 1)
        except zlib.error as exc:
            raise BadRequest(
                f"the body says it is gzip-encoded but cannot be decompressed: {exc}",
                hint="send `Content-Encoding: gzip` only with a gzip body",
            ) from exc
    else:
        raise BadRequest(
            f"unsupported Content-Encoding `{content_encoding}`", hint="send the body plain or gzip-encoded"
        )
    if len(data) > limit:
        raise PayloadTooLarge(
            f"the request is over the limit of {limit // 1024} KB",
            hint="send fewer messages per batch",
            limit_bytes=limit,
        )
    return data


def read_batch(data: bytes) -> Envelope:
    """Decode a `/v1/batch` envelope; the messages stay raw so each is judged on its own."""
    try:
        env = _batch_decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise bad_json(exc, "a JSON object with a `batch` array of messages") from exc
    return Envelope(env.batch, env.writeKey, env.sentAt)


def read_single(data: bytes) -> Envelope:
    """Decode the body of `/v1/track` and friends: one message."""
    try:
        raw = _raw_decoder.decode(data)
        key = _key_decoder.decode(data).writeKey if b'"writeKey"' in data else None
    except msgspec.ValidationError:
        key = None
    except msgspec.DecodeError as exc:
        raise bad_json(exc, "one JSON object, the message") from exc
    return Envelope([raw], key, None)


def bad_json(exc: msgspec.DecodeError, expected: str) -> BadRequest:
    """A 400 that says where the JSON broke."""
    text = str(exc)
    where = _WHERE.search(text)
    pos = _BYTE.search(text)
    location = f"at `${where.group('path')}`" if where else (f"at byte {pos.group('pos')}" if pos else "")
    return BadRequest(
        f"the body is not valid: {text}",
        hint=f"send {expected}",
        where=location or None,
    )


def error_path(exc: msgspec.ValidationError) -> str:
    """The field a msgspec validation error points at, e.g. `properties` or `userId`."""
    match = _WHERE.search(str(exc))
    if not match:
        return ""
    return match.group("path").lstrip(".")
