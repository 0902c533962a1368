"""The e-mail that carries a privacy-portal sign-in link: plain text and simple HTML, in the customer's language,
sent with the standard library's `smtplib`.

Without a mail host (`OMOTENASHI__MAIL__HOST` unset, as in the demo) the link is written to the server's output
instead. Sending is never part of answering the request, and a failure is only logged: what the person who asked
sees never depends on whether the address is known or the mail went out.
"""

from __future__ import annotations

import html
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from omotenashi.config.settings import MailSettings
from omotenashi.i18n import N_, translator

log = logging.getLogger(__name__)

SMTP_TIMEOUT_S = 15

SUBJECT = N_("Your link to the %(company)s privacy center")
GREETING = N_("Hello,")
BODY = N_(
    "Someone, probably you, asked to see what %(company)s knows about you. Open this link to sign in to the "
    "privacy center:"
)
BUTTON = N_("Open the privacy center")
EXPIRY = N_("The link works once, for %(minutes)s minutes.")
NOT_YOU = N_("If you did not ask for it, ignore this e-mail: nothing happens without the link.")


@dataclass(frozen=True)
class SignInMail:
    """One sign-in e-mail: to whom, the link, in which language, from which company."""

    to: str
    link: str
    lang: str
    company: str
    minutes: int


def compose(mail: SignInMail, sender: str) -> EmailMessage:
    """The e-mail as plain text with an HTML alternative."""
    _ = translator(mail.lang)
    subject = _(SUBJECT, company=mail.company)
    body, expiry, not_you = _(BODY, company=mail.company), _(EXPIRY, minutes=mail.minutes), _(NOT_YOU)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["Content-Language"] = mail.lang
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(f"{_(GREETING)}\n\n{body}\n\n{mail.link}\n\n{expiry}\n{not_you}\n\n{mail.company}\n")
    e = html.escape
    msg.add_alternative(
        f"""<!doctype html>
<html lang="{e(mail.lang)}"><body style="font-family: sans-serif; color: #1d2330; line-height: 1.5">
<p>{e(_(GREETING))}</p>
<p>{e(body)}</p>
<p><a href="{e(mail.link)}" style="display: inline-block; padding: .6em 1.2em; background: #b3412e; color: #fff;
 text-decoration: none; border-radius: 6px">{e(_(BUTTON))}</a></p>
<p style="font-size: .9em; color: #5d6778">{e(expiry)}<br>{e(not_you)}</p>
<p style="font-size: .9em; color: #5d6778">{e(mail.link)}</p>
<p>{e(mail.company)}</p>
</body></html>
""",
        subtype="html",
    )
    return msg


class Mailer:
    """Sends portal sign-in links by SMTP, or writes them to the server's output when no mail host is set."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        """Whether e-mails really go out (otherwise links are written to the server's output)."""
        return bool(self.settings.host)

    def send_sign_in(self, mail: SignInMail) -> bool:
        """Send a sign-in link; True when an SMTP server accepted it. Never raises: failures are logged."""
        if not self.configured:
            log.warning(
                "no mail host is set (OMOTENASHI__MAIL__HOST), so the privacy portal sign-in link for %s is "
                "written here instead of e-mailed: %s",
                mail.to,
                mail.link,
            )
            return False
        try:
            self._send(compose(mail, self.settings.sender))
        except (OSError, smtplib.SMTPException) as exc:
            # Not the address: a log is read by more people than the person it belongs to.
            domain = mail.to.rpartition("@")[2]
            log.error("could not send a privacy portal sign-in link to an address at %s: %s", domain, exc)
            return False
        return True

    def _send(self, msg: EmailMessage) -> None:
        host = self.settings.host
        assert host is not None
        with smtplib.SMTP(host, self.settings.port, timeout=SMTP_TIMEOUT_S) as smtp:
            if self.settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            smtp.send_message(msg)
