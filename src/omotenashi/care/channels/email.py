"""E-mail to customers: over SMTP (STARTTLS or TLS, with authentication when configured), or written as `.eml` files
into a folder for trials and the demo, so that nothing leaves the machine."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from omotenashi.care.channels import DeliveryFailed, folder_of
from omotenashi.config.care import FolderChannel, SmtpChannel


def compose(sender: str, key: str, payload: dict[str, Any]) -> EmailMessage:
    """The e-mail of a message action (plain text, UTF-8, in the customer's language)."""
    to = payload.get("to")
    if not isinstance(to, str) or "@" not in to:
        raise DeliveryFailed("no e-mail address to write to", retry=False)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = str(payload.get("subject", ""))
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=key)
    msg["Auto-Submitted"] = "auto-generated" if payload.get("automatic") else "no"
    msg.set_content(str(payload.get("body", "")))
    msg["Content-Language"] = str(payload.get("language", "en"))  # after set_content, which drops Content-* headers
    return msg


class SmtpSender:
    def __init__(self, config: SmtpChannel) -> None:
        self.config = config

    def send(self, key: str, payload: dict[str, Any]) -> None:
        c = self.config
        msg = compose(c.sender, key, payload)
        password = os.environ.get(c.password_env) if c.password_env else None
        if c.password_env and password is None:
            raise DeliveryFailed(f"the environment variable {c.password_env} (the SMTP password) is not set")
        try:
            if c.ssl:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    c.host, c.port, timeout=c.timeout_seconds, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(c.host, c.port, timeout=c.timeout_seconds)
            with client:
                if c.starttls:
                    client.starttls(context=ssl.create_default_context())
                if c.username:
                    client.login(c.username, password or "")
                refused = client.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed(f"the server refused the recipient: {exc.recipients}", retry=False) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailed(f"the SMTP server refused the login: {exc.smtp_code}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"SMTP {c.host}:{c.port}: {exc}") from exc
        if refused:
            raise DeliveryFailed(f"the server refused {', '.join(refused)}", retry=False)


class FolderSender:
    def __init__(self, config: FolderChannel, base: Path) -> None:
        self.config = config
        self.folder = folder_of(config, base)

    def send(self, key: str, payload: dict[str, Any]) -> None:
        msg = compose(self.config.sender, key, payload)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{key}.eml"
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(bytes(msg))
            temporary.replace(path)  # a reader never sees half a message
        except OSError as exc:
            raise DeliveryFailed(f"cannot write to {self.folder}: {exc}") from exc
