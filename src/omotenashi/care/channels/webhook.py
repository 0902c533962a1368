"""A signed webhook: the care item POSTed as JSON to the company's own system.

Each request carries `X-Omotenashi-Delivery` (the action id, the same on every retry: an idempotency key) and, with
a secret, `X-Omotenashi-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` — the scheme Stripe and
Slack use, so a receiver can check both origin and freshness. 2xx is delivered; 408, 429 and 5xx are tried again
later; any other status will not get better and is dead-lettered at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from typing import Any

import httpx

from omotenashi.care.channels import DeliveryFailed
from omotenashi.config.care import WebhookChannel


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    """POST and classify the answer (shared with the Slack-compatible channel)."""
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{url}: {type(exc).__name__}: {exc}") from exc
    if 200 <= response.status_code < 300:
        return
    retry = response.status_code in (408, 425, 429) or response.status_code >= 500
    raise DeliveryFailed(f"{url} answered {response.status_code}: {response.text[:200]}", retry=retry)


class WebhookSender:
    def __init__(self, config: WebhookChannel) -> None:
        self.config = config

    def send(self, key: str, payload: dict[str, Any]) -> None:
        c = self.config
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        headers = {"Content-Type": "application/json", "X-Omotenashi-Delivery": key, "User-Agent": "omotenashi"}
        if c.secret_env:
            secret = os.environ.get(c.secret_env)
            if not secret:
                raise DeliveryFailed(f"the environment variable {c.secret_env} (the signing secret) is not set")
            headers["X-Omotenashi-Signature"] = signature(secret, int(time.time()), body)
        post(c.url, body, headers, c.timeout_seconds)
