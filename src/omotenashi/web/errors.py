"""The one place that knows which domain error is which HTTP status, and the one JSON error shape.

The shape is `{"code", "message", "hint", ...details}` at the top level, which is also what Segment's own
client libraries read from an error response.
"""

from __future__ import annotations

import logging

import msgspec
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from omotenashi.core import errors as e

log = logging.getLogger(__name__)

STATUS: dict[type[e.OmotenashiError], int] = {
    e.BadRequest: 400,
    e.Unauthorized: 401,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.Conflict: 409,
    e.PayloadTooLarge: 413,
    e.ConfigError: 500,
    e.StoreUnavailable: 503,
    e.MissingExtra: 500,
}


def status_of(exc: e.OmotenashiError) -> int:
    """The HTTP status for a domain error."""
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def json_error(status: int, body: dict[str, object], headers: dict[str, str] | None = None) -> Response:
    """A response in the one error shape."""
    return Response(msgspec.json.encode(body), status_code=status, media_type="application/json", headers=headers)


def install(app: FastAPI) -> None:
    """Map every error the app can raise onto the one JSON shape."""

    @app.exception_handler(e.OmotenashiError)
    async def _domain(_: Request, exc: e.OmotenashiError) -> Response:
        if isinstance(exc, e.SignInRequired) and exc.sign_in_url:
            # A browser asked for a staff page: the sign-in form, which brings it back afterwards.
            return RedirectResponse(exc.sign_in_url, status_code=303)
        status = status_of(exc)
        # A staff session is a cookie: a Basic challenge would make browsers pop up a password dialog.
        challenge = (
            'Cookie realm="omotenashi staff"' if isinstance(exc, e.SignInRequired) else 'Basic realm="omotenashi"'
        )
        headers = {"WWW-Authenticate": challenge} if status == 401 else None
        return json_error(status, exc.as_dict(), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return json_error(
            400,
            {
                "code": "bad_request",
                "message": f"{where}: {first.get('msg', 'invalid request')}",
                "where": where,
            },
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return json_error(exc.status_code, {"code": code, "message": str(exc.detail)})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> Response:
        log.exception("unexpected error", exc_info=exc)
        return json_error(500, {"code": "internal_error", "message": "an unexpected error; it has been logged"})
