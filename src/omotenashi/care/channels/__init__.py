"""Channels a care action goes out through, chosen by the house file's short `type`: e-mail over SMTP (or into a
folder, for trials), a signed webhook, a Slack-compatible incoming webhook. Each is built from its strict config model
and raises `DeliveryFailed` — saying whether trying again may help — when a delivery does not go through."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from omotenashi.config.care import Channel, FolderChannel
from omotenashi.config.house import HouseFile


class DeliveryFailed(Exception):
    """A delivery did not go through; `retry` says whether trying again later may help."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


class Sender(Protocol):
    """Sends one action's payload; `key` is the action's id (webhooks send it as the idempotency key)."""

    def send(self, key: str, payload: dict[str, Any]) -> None: ...


def folder_of(config: FolderChannel, base: Path) -> Path:
    """Where a folder channel writes its `.eml` files (`base`: where the house file lives)."""
    return (base / config.path).resolve()


def mail_folders(house: HouseFile, base: Path) -> dict[str, Path]:
    """Each folder channel of a house file, by channel id, with the folder its messages are written into."""
    channels = house.care.channels if house.care is not None else {}
    return {cid: folder_of(c, base) for cid, c in channels.items() if isinstance(c, FolderChannel)}


def build(config: Channel, folder: Path) -> Sender:
    """The sender for a channel of the house file (`folder`: where the house file lives)."""
    if config.type == "smtp":
        from omotenashi.care.channels.email import SmtpSender

        return SmtpSender(config)
    if config.type == "folder":
        from omotenashi.care.channels.email import FolderSender

        return FolderSender(config, folder)
    if config.type == "webhook":
        from omotenashi.care.channels.webhook import WebhookSender

        return WebhookSender(config)
    from omotenashi.care.channels.slack import SlackSender

    return SlackSender(config)
