"""Domain errors on staff pages, as pages: a problem in the staff member's language, a way back, and never JSON.

`web/errors.py` stays the one place that knows which error is which HTTP status (`status_of`); this module only
decides what a person reading a page is told. Routers of staff pages use `StaffPageRoute`, so an error raised by a
handler *or* by one of its dependencies (`require_permission`, `csrf_protect`) becomes `templates/staff/error.html`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import Response

from omotenashi.core.errors import BadRequest, Forbidden, NotFound, OmotenashiError, SignInRequired
from omotenashi.i18n import N_, Translate, translator
from omotenashi.staff.permissions import ACTION_LABELS, ROLE_LABELS, Action, Role
from omotenashi.web.errors import status_of
from omotenashi.web.staff.auth import HOME_PATH, CsrfFailed
from omotenashi.web.staff.rendering import language_of, render

SEARCH_PATH = "/staff/customers"

# What the services say in English (their messages are for logs and the JSON API), said again for a page, in the
# reader's language. Named groups become the placeholders of the message. An error not listed here is shown as the
# service worded it.
_SAID_AGAIN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"no customer `(?P<id>.*)` in this workspace", re.S), N_("There is no customer “%(id)s” here.")),
    (re.compile(r"the note is empty"), N_("The note is empty: write what the next colleague should know.")),
    (
        re.compile(r"the note is (?P<length>\d+) characters; the limit is (?P<limit>\d+)"),
        N_("The note is %(length)s characters; the limit is %(limit)s. Shorten it, or split it into two notes."),
    ),
    (re.compile(r"no note `(?P<id>.*)`", re.S), N_("There is no note “%(id)s” here.")),
    (re.compile(r"only the author or a lead may edit this note"), N_("Only its author or a team lead may edit it.")),
    (re.compile(r"no merge #(?P<id>\d+) in this workspace"), N_("There is no merge #%(id)s here.")),
    (re.compile(r"merge #(?P<id>\d+) was already undone"), N_("Merge #%(id)s was already undone. Reload the page.")),
    (
        re.compile(r"merge #(?P<id>\d+) is no longer the current link"),
        N_("Merge #%(id)s is no longer how these customers are joined. Reload the page."),
    ),
    (re.compile(r"say why the merge is wrong"), N_("Say why the merge is wrong; the reason is kept with the undo.")),
    (
        re.compile(r"say why these are the same person"),
        N_("Say why these are the same person; the reason is kept as the merge's evidence."),
    ),
    (re.compile(r"these are already one customer"), N_("These are already one customer.")),
    (
        re.compile(r"these customers have different userIds.*", re.S),
        N_("Not merged: these customers have different userIds, so they are different accounts."),
    ),
    (re.compile(r"unknown preference `(?P<name>.*)`", re.S), N_("There is no preference called “%(name)s”.")),
    (
        re.compile(r"`(?P<value>.*)` is not a valid (?P<name>.*)", re.S),
        N_("“%(value)s” is not a valid value for %(name)s."),
    ),
    (re.compile(r"say why \(e\.g\. 'asked on the phone'\)"), N_("Say why, e.g. “asked on the phone”.")),
]

TITLES: dict[int, str] = {
    400: N_("Please check what you entered"),
    403: N_("Your role does not allow this"),
    404: N_("Not found"),
    409: N_("That could not be done"),
    413: N_("That was too much to send at once"),
}
CSRF_EXPLAINED = N_(
    "This form had expired or did not come from this site, so nothing was changed. Go back, reload the page and "
    "try again."
)
FORBIDDEN_EXPLAINED = N_("Your role (%(role)s) does not allow this: %(action)s.")
ADDRESS_NOT_RIGHT = N_("This address or form is not one the staff pages know.")


@dataclass(frozen=True)
class Problem:
    """What went wrong, said for the reader: where on the page it belongs, the sentence, and its HTTP status."""

    where: str
    message: str
    status: int
    code: str
    data: dict[str, Any]


def explain(exc: OmotenashiError, _: Translate, said_again: Sequence[tuple[re.Pattern[str], str]] = ()) -> str:
    """The error in one sentence, in the reader's language when we know how to say it (`said_again`: a page's own
    sentences for what its services say, tried first)."""
    for pattern, message in said_again:
        found = pattern.fullmatch(exc.message)
        if found:
            return _(message, **found.groupdict()) if found.groupdict() else _(message)
    if isinstance(exc, CsrfFailed):
        return _(CSRF_EXPLAINED)
    if isinstance(exc, Forbidden) and "action" in exc.data:
        action, role = str(exc.data["action"]), str(exc.data.get("role", ""))
        action_label = _(ACTION_LABELS[Action(action)]) if action in Action.__members__.values() else action
        role_label = _(ROLE_LABELS[Role(role)]) if role in Role.__members__.values() else role
        return _(FORBIDDEN_EXPLAINED, role=role_label, action=action_label)
    for pattern, message in _SAID_AGAIN:
        found = pattern.fullmatch(exc.message)
        if found:
            return _(message, **found.groupdict()) if found.groupdict() else _(message)
    return exc.message


def problem(where: str, exc: OmotenashiError, _: Translate) -> Problem:
    """A domain error to show next to the form it came from."""
    return Problem(where, explain(exc, _), status_of(exc), exc.code, dict(exc.data))


def back_link(request: Request) -> tuple[str, str]:
    """Where the error page sends the reader back to: the customer they were on, else the customer search."""
    cid = request.path_params.get("cid") or getattr(request.state, "form", {}).get("customer")
    if cid and request.url.path != f"{SEARCH_PATH}/{cid}":
        return f"{SEARCH_PATH}/{quote(cid, safe='')}", N_("Back to the customer")
    return SEARCH_PATH, N_("Back to customer search")


def error_page(request: Request, exc: OmotenashiError) -> Response:
    """The staff error page for a domain error: what happened and a way back, and no customer data at all."""
    _ = translator(language_of(request))
    status = status_of(exc)
    href, label = back_link(request)
    if isinstance(exc, NotFound) and exc.message.startswith("no customer"):
        title = N_("No such customer")
        href, label = SEARCH_PATH, N_("Back to customer search")
    elif isinstance(exc, CsrfFailed):
        title = N_("The form had expired")
    elif isinstance(exc, Forbidden):
        # Not even the id of the customer the role may not act on.
        title = TITLES[403]
        href, label = HOME_PATH, N_("Back to the staff home")
    else:
        title = TITLES.get(status, N_("Something went wrong"))
    context = {
        "title": title,
        "message": explain(exc, _),
        "code": exc.code,
        "back": href,
        "back_label": label,
        "page_path": href,
    }
    return render(request, "staff/error.html", context, status_code=status)


def validation_page(request: Request) -> Response:
    """A page address or form the routes could not read (e.g. a merge number that is not a number)."""
    _ = translator(language_of(request))
    href, label = back_link(request)
    context = {
        "title": TITLES[400],
        "message": _(ADDRESS_NOT_RIGHT),
        "code": BadRequest.code,
        "back": href,
        "back_label": label,
        "page_path": href,
    }
    return render(request, "staff/error.html", context, status_code=400)


class StaffPageRoute(APIRoute):
    """A route of a staff page: domain errors, from the handler or its dependencies, answer as an HTML page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                raise  # web/errors.py sends the browser to the sign-in form and back
            except OmotenashiError as exc:
                return error_page(request, exc)
            except RequestValidationError:
                return validation_page(request)

        return page_handler
