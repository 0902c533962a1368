"""One error root; every error carries the data a user needs to fix the cause."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


class OmotenashiError(Exception):
    """Root of every error the product raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, hint: str | None = None, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.data = data

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.hint:
            body["hint"] = self.hint
        body.update({k: v for k, v in self.data.items() if v is not None})
        return body


class ConfigError(OmotenashiError):
    """The house file or the settings are invalid; carries every problem found."""

    code = "invalid_configuration"

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        lines = "\n".join(p.render() for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the configuration:\n{lines}")


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a configuration file, located to file and line. A warning is said but does not make the file
    invalid: the product runs, doing less than it could."""

    file: str
    line: int | None
    where: str
    message: str
    hint: str | None = None
    warning: bool = False

    def render(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        message = f"warning: {self.message}" if self.warning else self.message
        text = f"{place}: {self.where}: {message}" if self.where else f"{place}: {message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


class BadRequest(OmotenashiError):
    """The request as a whole cannot be read (malformed JSON, wrong envelope)."""

    code = "bad_request"


class PayloadTooLarge(OmotenashiError):
    """A message or a batch is over the documented size limit."""

    code = "payload_too_large"


class Unauthorized(OmotenashiError):
    """The write key is missing, unknown or revoked."""

    code = "unauthorized"


class SignInRequired(Unauthorized):
    """A staff page or the staff API was asked for without a live staff session."""

    code = "sign_in_required"

    def __init__(self, message: str, *, sign_in_url: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        # Where a browser asking for a page is sent instead; None for API callers, who get 401.
        self.sign_in_url = sign_in_url


class Forbidden(OmotenashiError):
    """The signed-in staff member may not do this: their role lacks the permission, or the form was not theirs."""

    code = "forbidden"


class NotFound(OmotenashiError):
    """The thing asked for does not exist in this workspace."""

    code = "not_found"


class Conflict(OmotenashiError):
    """The request conflicts with the current state."""

    code = "conflict"


class StoreUnavailable(OmotenashiError):
    """The store cannot be reached or is not set up."""

    code = "store_unavailable"


class MissingExtra(OmotenashiError):
    """An optional dependency is needed for the configured backend."""

    code = "missing_extra"


@dataclass(frozen=True)
class Rejection:
    """Why one message of a request was not stored, and how to fix it."""

    index: int
    message_id: str | None
    field: str
    reason: str
    hint: str
    line: int | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
