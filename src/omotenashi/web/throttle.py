"""How often one network may try to sign in: staff passwords that fail, and portal sign-in links asked for.

A password guessed from one address is slowed by the wait after each failure, but guesses sent side by side are
not; and the portal's form e-mails a link to any address it knows, so one network could have links sent to every
customer. Both are counted in a moving window (the `limits` library, kept in this server's memory):

- staff: failed sign-ins per account from one address, and failed sign-ins from one address whatever the account.
  A signed-in account's count starts again. Counting per account *and* address means a stranger cannot lock a
  colleague out by failing on purpose from elsewhere.
- portal: requests for a link from one address, whatever the e-mail address (the answer still never says whether
  an address is known).

Past a limit, the form answers 429 with how long to wait (and `Retry-After`), without checking the password or
looking the address up. Counts live in the server process: a restart forgets them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request

from omotenashi.config.settings import SignInLimits
from omotenashi.staff.accounts import normalise_email

UNKNOWN_ADDRESS = "unknown"


def client_address(request: Request) -> str:
    """The address a request came from (as the server sees it, after trusted proxies' forwarding headers)."""
    return request.client.host if request.client is not None else UNKNOWN_ADDRESS


@dataclass(frozen=True)
class Refusal:
    """A limit was reached: try again in `wait_s` seconds."""

    wait_s: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.wait_s / 60))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.wait_s)}


class Throttle:
    """The sign-in limits of one server."""

    def __init__(self, limits: SignInLimits) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        window = limits.window_minutes
        self._per_account = RateLimitItemPerMinute(limits.staff_failures_per_account, window)
        self._per_address = RateLimitItemPerMinute(limits.staff_failures_per_address, window)
        self._links = RateLimitItemPerMinute(limits.portal_links_per_address, window)

    # --- staff passwords -------------------------------------------------------------------------------------------

    def staff_refusal(self, workspace_id: str, email: str, address: str) -> Refusal | None:
        """Whether a sign-in from `address` to this account may be tried now."""
        return self._first_refusal(
            (self._per_account, _account(workspace_id, email, address)),
            (self._per_address, ("staff-address", address)),
        )

    def staff_failed(self, workspace_id: str, email: str, address: str) -> None:
        """Count a failed sign-in."""
        self._limiter.hit(self._per_account, *_account(workspace_id, email, address))
        self._limiter.hit(self._per_address, "staff-address", address)

    def staff_signed_in(self, workspace_id: str, email: str, address: str) -> None:
        """The account's failures from this address are forgotten once its owner signs in."""
        self._limiter.clear(self._per_account, *_account(workspace_id, email, address))

    # --- portal links ----------------------------------------------------------------------------------------------

    def portal_link_asked(self, address: str) -> Refusal | None:
        """Count a request for a sign-in link; a refusal when this address asked for too many lately."""
        if self._limiter.hit(self._links, "portal-link", address):
            return None
        return self._refusal(self._links, ("portal-link", address))

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _first_refusal(self, *rules: tuple[RateLimitItem, tuple[str, ...]]) -> Refusal | None:
        for item, keys in rules:
            if not self._limiter.test(item, *keys):
                return self._refusal(item, keys)
        return None

    def _refusal(self, item: RateLimitItem, keys: tuple[str, ...]) -> Refusal:
        stats = self._limiter.get_window_stats(item, *keys)
        return Refusal(max(1, math.ceil(stats.reset_time - time.time())))


def _account(workspace_id: str, email: str, address: str) -> tuple[str, ...]:
    """What failed sign-ins to one account from one address are counted under."""
    return ("staff-account", workspace_id, normalise_email(email), address)
