"""HTML form bodies (`application/x-www-form-urlencoded`), read once per request and shared by its dependencies."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

from omotenashi.core.errors import PayloadTooLarge

MAX_FORM_BYTES = 64 * 1024


async def read_form(request: Request) -> dict[str, str]:
    """The fields of a posted form (the last value of a repeated field); empty for other bodies."""
    cached: dict[str, str] | None = getattr(request.state, "form", None)
    if cached is not None:
        return cached
    form: dict[str, str] = {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            raise PayloadTooLarge(f"the form is {len(body)} bytes; at most {MAX_FORM_BYTES} are read")
        form = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    request.state.form = form
    return form
