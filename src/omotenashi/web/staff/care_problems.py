"""What the care services say in English, said again for the care pages in the reader's language (the messages stay
English for logs and the JSON API). A message not listed here is shown as the service worded it."""

from __future__ import annotations

import re

from omotenashi.care.contact import BLOCKED
from omotenashi.core.errors import OmotenashiError
from omotenashi.i18n import N_, Translate
from omotenashi.web.staff.problems import explain

_SAID_AGAIN: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"(?P<value>[\d.]+) (?P<currency>[A-Z]{3}) is more than your goodwill budget has left this period "
            r"\((?P<left>[-\d.]+)\)"
        ),
        N_(
            "%(value)s %(currency)s is more than your goodwill budget has left this period (%(left)s). Grant less, or "
            "ask a lead."
        ),
    ),
    (
        re.compile(
            r"(?P<value>[\d.]+) (?P<currency>[A-Z]{3}) is more than the team `(?P<team>.*)` has left this period "
            r"\((?P<left>[-\d.]+)\)",
            re.S,
        ),
        N_("%(value)s %(currency)s is more than your team has left this period (%(left)s). Grant less, or ask a lead."),
    ),
    (
        re.compile(r"this customer is in the playbook's holdout.*", re.S),
        N_("This customer is in the playbook's holdout: nothing is done for them, so that we can compare."),
    ),
    (re.compile(r"the item is (?P<status>\w+) already"), N_("This item is no longer open. Reload the page.")),
    (re.compile(r"this item belongs to someone else"), N_("This item belongs to someone else: ask them or a lead.")),
    (
        re.compile(r"say why it goes to someone else"),
        N_("Say why it goes to someone else: the reason is kept in the item's history."),
    ),
    (re.compile(r"the item is theirs already"), N_("The item is theirs already.")),
    (re.compile(r"say how the call went"), N_("Say how the call went: a line is enough.")),
    (re.compile(r"a message needs a subject and a text"), N_("A message needs a subject and a text.")),
    (re.compile(r"the message is too long"), N_("The message is too long.")),
    (
        re.compile(r"“(?P<value>.*)” is not an amount", re.S),
        N_("“%(value)s” is not an amount: write a number, e.g. 10 or 7.50."),
    ),
    (
        re.compile(r"a grant is approved by someone other than the person who made it"),
        N_("A grant is approved by someone other than the person who asked for it."),
    ),
    (re.compile(r"the grant `.*` was decided already.*", re.S), N_("This grant was decided already. Reload the page.")),
]


def care_explain(exc: OmotenashiError, _: Translate) -> str:
    """The care error in one sentence, in the reader's language."""
    why = exc.data.get("why")
    if isinstance(why, str) and why in BLOCKED:
        return _(BLOCKED[why]) + " " + _("Nothing was sent.")
    for pattern, message in _SAID_AGAIN:
        found = pattern.fullmatch(exc.message)
        if found:
            return _(message, **found.groupdict()) if found.groupdict() else _(message)
    return explain(exc, _)
