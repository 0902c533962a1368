"""One customer's Segment messages as they are generated: encoded at once, each with its time and messageId.

Every message carries `context.synthetic: true`. Three touchpoints send them, each with its own `context`: the
web app (browser), the phone app, and the company's servers (billing and the support desk, which know the customer
only by `userId`).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import msgspec

from omotenashi.simulator.company import PAGES
from omotenashi.simulator.world import DAY_MS, Customer

LIBRARY = {"name": "omotenashi-simulator", "version": "1"}
WEB, APP, SERVER = "web", "app", "server"
_encode = msgspec.json.Encoder().encode
_day_prefix: dict[int, str] = {}
_MINUTES = [f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440)]
_SECONDS = [f"{n // 1000:02d}.{n % 1000:03d}Z" for n in range(60_000)]


def iso(ms: int) -> str:
    """`2026-01-05T09:30:00.125Z` for a millisecond since the epoch (fast: its parts come from tables)."""
    day, rest = divmod(ms, DAY_MS)
    prefix = _day_prefix.get(day)
    if prefix is None:
        prefix = datetime.fromtimestamp(day * 86_400, tz=UTC).strftime("%Y-%m-%dT")
        _day_prefix[day] = prefix
    minute, n = divmod(rest, 60_000)
    return prefix + _MINUTES[minute] + _SECONDS[n]


def contexts(c: Customer) -> dict[str, msgspec.Raw]:
    """The customer's `context` per touchpoint, encoded once."""
    web = {
        "synthetic": True,
        "library": LIBRARY,
        "ip": c.ip,
        "locale": c.locale,
        "timezone": c.timezone,
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 (synthetic)",
    }
    app = {
        "synthetic": True,
        "library": LIBRARY,
        "ip": c.ip,
        "locale": c.locale,
        "timezone": c.timezone,
        "app": {"name": "Tsumiki", "version": "4.2.0"},
        "device": {"type": "ios" if c.index % 2 else "android"},
        "os": {"name": "iOS" if c.index % 2 else "Android"},
    }
    server = {"synthetic": True, "library": {**LIBRARY, "name": "omotenashi-simulator-server"}}
    return {WEB: msgspec.Raw(_encode(web)), APP: msgspec.Raw(_encode(app)), SERVER: msgspec.Raw(_encode(server))}


class Timeline:
    """The messages of one customer, in the order they were made (times may go back: they are sorted later)."""

    def __init__(self, customer: Customer, rng: random.Random, start_ms: int, end_ms: int) -> None:
        self.customer = customer
        self.rng = rng
        self.start_ms = start_ms
        self.end_ms = end_ms
        self.dropped: set[str] = set()  # messageIds made outside the window, and so never written
        self.context = contexts(customer)
        self.items: list[tuple[int, int, bytes]] = []  # (timestamp ms, arrival ms, encoded message)
        self.counts: dict[str, int] = {}
        self.signed_in = True  # False while a visitor fills the signup form: their messages are anonymous
        self.current_page = ""  # the key of the last page viewed on the web
        self.last_ms = 0  # the time of the message made last (not the latest time: resolutions come later)

    def _id(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"

    def _add(self, ts: int, message: dict[str, Any], device: str, mid: str, what: str) -> str:
        if device != SERVER:
            self.last_ms = ts
        if not self.start_ms <= ts < self.end_ms:
            self.dropped.add(mid)
            return mid
        self.counts[what] = self.counts.get(what, 0) + 1
        message["timestamp"] = iso(ts)
        message["context"] = self.context[device]
        self.items.append((ts, ts + _arrival_lag(mid, device), _encode(message)))
        return mid

    def _who(self, message: dict[str, Any], device: str, anonymous: bool) -> None:
        if not anonymous and self.signed_in:
            message["userId"] = self.customer.user_id
        if device == WEB:
            message["anonymousId"] = self.customer.web_id
        elif device == APP and self.customer.app_id is not None:
            message["anonymousId"] = self.customer.app_id

    def track(self, ts: int, event: str, props: dict[str, Any], device: str = WEB, *, anonymous: bool = False) -> str:
        """A `track` message; returns its messageId."""
        mid = self._id()
        message: dict[str, Any] = {"type": "track", "messageId": mid}
        self._who(message, device, anonymous)
        message["event"] = event
        message["properties"] = props
        return self._add(ts, message, device, mid, event)

    def page(
        self,
        ts: int,
        key: str,
        *,
        name: str | None = None,
        path: str | None = None,
        category: str | None = None,
        referrer: str | None = None,
        anonymous: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A `page` message for a page of `company.PAGES` (name, path and category overridable)."""
        page = PAGES[key]
        self.current_page = key
        mid = self._id()
        message: dict[str, Any] = {"type": "page", "messageId": mid}
        self._who(message, WEB, anonymous)
        title = name or page.name
        url_path = path or page.path
        message["name"] = title
        message["category"] = category or page.category
        props: dict[str, Any] = {"path": url_path, "url": page.host + url_path, "title": title}
        if referrer:
            props["referrer"] = referrer
        if extra:
            props.update(extra)
        message["properties"] = props
        return self._add(ts, message, WEB, mid, "page")

    def screen(self, ts: int, name: str, props: dict[str, Any] | None = None) -> str:
        """A `screen` message from the phone app."""
        mid = self._id()
        message: dict[str, Any] = {"type": "screen", "messageId": mid}
        self._who(message, APP, False)
        message["name"] = name
        message["properties"] = props or {}
        return self._add(ts, message, APP, mid, "screen")

    def identify(self, ts: int, traits: dict[str, Any], device: str = WEB) -> str:
        """An `identify` message with `traits`."""
        mid = self._id()
        message: dict[str, Any] = {"type": "identify", "messageId": mid}
        self._who(message, device, False)
        message["traits"] = traits
        return self._add(ts, message, device, mid, "identify")


def _arrival_lag(mid: str, device: str) -> int:
    """How late a message reaches the company, drawn from its id so arrival order never disturbs the content.

    Browsers send at once (a few send a minute late); phones batch, and a few were offline for hours; servers are
    prompt.
    """
    bits = int(mid[-12:], 16)
    roll = bits % 1000
    fine = bits >> 12
    if device == WEB:
        return fine % 2_000 if roll < 980 else fine % 60_000
    if device == APP:
        if roll < 700:
            return fine % 30_000
        if roll < 950:
            return fine % 600_000
        return 3_600_000 + fine % 43_200_000
    return fine % 500
