"""Synthetic Segment messages for benchmarks: realistic in shape and size, labelled synthetic, never real people.

Deterministic for a seed, so two runs measure the same bytes. Every message carries `context.synthetic: true`,
its customers are `synthetic-…` ids with `example.com` addresses, and its IPs come from TEST-NET-3.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

CUSTOMERS = 50_000
MIN_BYTES = 300
MAX_BYTES = 500
EVENT_NAMES = (
    "Products Searched",
    "Product List Viewed",
    "Product List Filtered",
    "Product Clicked",
    "Product Viewed",
    "Product Added",
    "Product Removed",
    "Product Shared",
    "Product Reviewed",
    "Product Added to Wishlist",
    "Cart Viewed",
    "Cart Shared",
    "Checkout Started",
    "Checkout Step Viewed",
    "Checkout Step Completed",
    "Payment Info Entered",
    "Order Completed",
    "Order Updated",
    "Order Refunded",
    "Order Cancelled",
    "Coupon Entered",
    "Coupon Applied",
    "Coupon Denied",
    "Promotion Viewed",
    "Promotion Clicked",
    "Signed Up",
    "Signed In",
    "Signed Out",
    "Password Reset Requested",
    "Account Updated",
    "Delivery Tracked",
    "Delivery Delayed Notice Viewed",
    "Return Requested",
    "Support Article Viewed",
    "Support Chat Started",
    "Support Ticket Opened",
    "Store Locator Used",
    "Newsletter Form Viewed",
    "Video Playback Started",
    "Survey Answered",
)
_PAGES = (
    ("Home", "/"),
    ("Search", "/search"),
    ("Category", "/c/outerwear"),
    ("Product", "/p/sku"),
    ("Cart", "/cart"),
    ("Checkout", "/checkout"),
    ("Account", "/account"),
    ("Orders", "/account/orders"),
    ("Help", "/help/returns"),
)
_CATEGORIES = ("outerwear", "shoes", "bags", "kitchen", "tea", "stationery", "bedding", "toys")
_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605",
)
_LOCALES = ("en-US", "ja-JP", "en-GB", "de-DE")


class Synthetic:
    """A deterministic stream of track (70 %), page (25 %) and identify (5 %) messages of 50,000 customers."""

    def __init__(
        self, seed: int = 20261123, customers: int = CUSTOMERS, now: datetime | None = None, prefix: str = "synthetic"
    ):
        self._prefix = prefix
        self._rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        self._customers = customers
        self._end = now or datetime.now(UTC)
        self._span_ms = 30 * 86_400_000
        self._encode = msgspec.json.Encoder().encode

    def messages(self, count: int) -> Iterator[bytes]:
        """`count` encoded messages, each 300–500 bytes."""
        for _ in range(count):
            msg = self._message()
            data = self._encode(msg)
            while len(data) > MAX_BYTES and msg.get("properties"):
                msg["properties"].popitem()
                data = self._encode(msg)
            if len(data) < MIN_BYTES:
                msg["context"]["page"] = {"referrer": "https://www.example.com/" + "r" * (MIN_BYTES - len(data))}
                data = self._encode(msg)
            yield data

    def _message(self) -> dict[str, Any]:
        rng = self._rng
        n = rng.randrange(self._customers)
        roll = rng.random()
        kind = "track" if roll < 0.70 else ("page" if roll < 0.95 else "identify")
        when = self._end - timedelta(milliseconds=rng.randrange(self._span_ms))
        msg: dict[str, Any] = {
            "type": kind,
            "messageId": _uuid(rng),
            "anonymousId": f"{self._prefix}-a-{n:05d}",
            "timestamp": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "context": {
                "synthetic": True,
                "ip": f"203.0.113.{n % 254 + 1}",
                "locale": _LOCALES[n % len(_LOCALES)],
                "userAgent": _AGENTS[n % len(_AGENTS)],
            },
        }
        if n % 5 or kind == "identify":  # a fifth of the customers browse without signing in
            msg["userId"] = f"{self._prefix}-u-{n:05d}"
        if kind == "track":
            msg["event"] = EVENT_NAMES[rng.randrange(len(EVENT_NAMES))]
            msg["properties"] = _properties(rng)
        elif kind == "page":
            name, path = _PAGES[rng.randrange(len(_PAGES))]
            msg["name"] = name
            msg["properties"] = {"path": path, "url": f"https://shop.example.com{path}", "title": name}
        else:
            msg["traits"] = {
                "email": f"{self._prefix}-{n:05d}@example.com",
                "plan": rng.choice(("free", "member", "gold")),
                "address": {"city": rng.choice(("Kyoto", "Osaka", "Leeds", "Lyon")), "country": "JP"},
            }
            msg["properties"] = {}
        return msg


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _properties(rng: random.Random) -> dict[str, Any]:
    sku = f"SKU-{rng.randrange(10_000):05d}"
    category = _CATEGORIES[rng.randrange(len(_CATEGORIES))]
    price = rng.randrange(300, 30_000) / 100
    quantity = rng.randrange(1, 4)
    props: dict[str, Any] = {"product": {"sku": sku, "category": category, "price": price}}
    if rng.random() < 0.5:
        props["cart"] = {"items": [{"sku": sku, "quantity": quantity}], "total": round(price * quantity, 2)}
    else:
        props["experiment"] = {"id": "checkout-v2", "variant": rng.choice(("a", "b"))}
    return props
