"""Domain errors on portal pages, as pages: what happened in the customer's words, a way on, and no data at all.

`web/errors.py` stays the one place that maps an error to its HTTP status, with one exception made here: a sign-in
link that *was* good but is used up or out of time answers `410 Gone`, so the reader (and any tool) can tell it from
a link that never was (`400`). Routers of portal pages use `PortalPageRoute`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import Response

from omotenashi.core.errors import Forbidden, NotFound, OmotenashiError, SignInRequired
from omotenashi.i18n import N_
from omotenashi.privacy.links import LinkExpired, LinkRefused, LinkUsed
from omotenashi.web.errors import status_of
from omotenashi.web.portal.auth import PortalFormExpired
from omotenashi.web.portal.rendering import render

GONE = 410

# (title, what to tell the reader) by kind of problem.
LINK_EXPIRED = (
    N_("This link has expired"),
    N_("Sign-in links work for a short time only, to keep your data safe. Ask for a new one below: it takes a moment."),
)
LINK_USED = (
    N_("This link was already used"),
    N_("Each sign-in link works once, to keep your data safe. Ask for a new one below."),
)
LINK_INVALID = (
    N_("This link does not work"),
    N_(
        "The link may have been cut short or changed on its way to you. Ask for a new one below, or copy the whole "
        "link from the e-mail into your browser."
    ),
)
FORM_EXPIRED = (
    N_("This page had expired"),
    N_("Nothing was changed. Go back, reload the page and try again."),
)
NOT_FOUND = (N_("We could not find that"), N_("The page or the thing you asked for is not here."))
NOT_RIGHT = (N_("Something was not right"), N_("We could not read that request. Nothing was changed."))


def explain(exc: OmotenashiError) -> tuple[str, str, int]:
    """Title, sentence and HTTP status for a problem on a portal page."""
    if isinstance(exc, LinkExpired):
        return (*LINK_EXPIRED, GONE)
    if isinstance(exc, LinkUsed):
        return (*LINK_USED, GONE)
    if isinstance(exc, LinkRefused):
        return (*LINK_INVALID, status_of(exc))
    if isinstance(exc, PortalFormExpired | Forbidden):
        return (*FORM_EXPIRED, status_of(exc))
    if isinstance(exc, NotFound):
        return (*NOT_FOUND, status_of(exc))
    return (*NOT_RIGHT, status_of(exc))


def problem_page(request: Request, exc: OmotenashiError) -> Response:
    """The portal's problem page: what happened, and a way to ask for a new link; never any customer data."""
    title, message, status = explain(exc)
    link_problem = isinstance(exc, LinkRefused)
    # The language switch leads to the sign-in page: never back to an address that carried a link or a form.
    context = {"title": title, "message": message, "code": exc.code, "ask_again": link_problem, "page_path": "/portal/"}
    return render(request, "portal/problem.html", context, status_code=status)


class PortalPageRoute(APIRoute):
    """A route of a portal page: domain errors, from the handler or its dependencies, answer as a page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                raise  # web/errors.py sends the browser to the portal's sign-in page
            except OmotenashiError as exc:
                return problem_page(request, exc)
            except RequestValidationError:
                return render(
                    request,
                    "portal/problem.html",
                    {
                        "title": NOT_RIGHT[0],
                        "message": NOT_RIGHT[1],
                        "code": "bad_request",
                        "ask_again": False,
                        "page_path": "/portal/",
                    },
                    status_code=400,
                )

        return page_handler
