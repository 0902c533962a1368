"""A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, …): a JSON `{"text": …}` message that tells
a team of a new care item, with a link to it."""

from __future__ import annotations

import json
import os
from typing import Any

from omotenashi.care.channels import DeliveryFailed
from omotenashi.care.channels.webhook import post
from omotenashi.config.care import SlackChannel


class SlackSender:
    def __init__(self, config: SlackChannel) -> None:
        self.config = config

    def send(self, key: str, payload: dict[str, Any]) -> None:
        c = self.config
        url = c.url or os.environ.get(c.url_env or "")
        if not url:
            raise DeliveryFailed(f"the environment variable {c.url_env} (the incoming-webhook URL) is not set")
        body = json.dumps({"text": str(payload.get("text", ""))}, ensure_ascii=False).encode()
        post(url, body, {"Content-Type": "application/json"}, c.timeout_seconds)
