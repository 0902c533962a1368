"""How the portal says things to the customer: kinds of data, where they came from, why, and for how long.

Everything here returns plain text; templates escape it. What a customer or a tracker sent (trait values, event
names) is passed through as it is and never turned into markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from omotenashi.config.house import HouseFile
from omotenashi.config.types import Description
from omotenashi.i18n import N_, Translate
from omotenashi.privacy import notice
from omotenashi.web.staff.wording import Wording

IDENTIFIER_KINDS = {
    "user_id": N_("Your account"),
    "anonymous_id": N_("A browser or device you used"),
    "email": N_("E-mail address"),
    "phone": N_("Phone number"),
}
TRAIT_LABELS = {"name": N_("Name"), "email": N_("E-mail address"), "phone": N_("Phone number")}
HASHED = N_("kept only as a keyed fingerprint: we can recognise it, not read it")
RECOGNISE_YOU = N_("So that we recognise you when you come back, wherever you contact us from.")
EVENT_KINDS = {
    "page": N_("Pages you viewed"),
    "screen": N_("App screens you viewed"),
    "identify": N_("Updates to your details"),
    "alias": N_("Links between your accounts"),
    "group": N_("Groups you belong to"),
}
ORIGINS = {
    "customer": N_("You told us"),
    "staff": N_("Noted by our staff"),
    "inferred": N_("Inferred from your device or browser"),
    "workspace default": N_("Our default setting"),
}
TOLD_THROUGH = N_("You told us, through our %(source)s")
SENT_BY = N_("From our %(source)s")
KEPT_FOR = N_("Kept for %(period)s")
NO_PERIOD = N_("No fixed period: until you erase it")
MECHANISMS = {
    "opt_in": N_("Only with your permission"),
    "opt_out": N_("On unless you object"),
    "notice_only": N_("Needed for the service"),
}
CONSENT_METHODS = {
    "tracker": N_("on our website or app"),
    "portal": N_("in this privacy center"),
    "staff": N_("by telling our staff"),
    "gpc": N_("through your browser's Global Privacy Control"),
    "import": N_("in our earlier system"),
}
LAST_CHOICE = {
    "granted": N_("You allowed this %(method)s on %(date)s."),
    "withdrawn": N_("You said no %(method)s on %(date)s."),
}
ACCESS_WHAT = {"customer page": N_("your record"), "briefing": N_("a summary of your record, before helping you")}
CONTACT_FIRST = N_("May we contact you first?")
WAIT_FOR_YOU = N_("No: we wait for you to get in touch")
MAY_CONTACT = N_("Yes")
REMOVED = {
    "events": N_("things you did with us (events)"),
    "event_customers": N_("links between those events and you"),
    "customer_stats": N_("summaries of your activity"),
    "identities": N_("identifiers we recognised you by"),
    "trait_values": N_("details about you, with their history"),
    "preferences": N_("your preferences"),
    "search_terms": N_("entries in our staff's search"),
    "access_log": N_("entries of who opened your record"),
    "portal_links": N_("sign-in links"),
    "portal_sessions": N_("privacy center sessions"),
    "notes": N_("notes our staff wrote"),
    "consent_receipts": N_("records of your consent choices"),
    "consent_state": N_("your consent settings"),
    "customers": N_("customer records"),
    "merges": N_("links between records of you"),
    "identity_conflicts": N_("identifier checks"),
}
DONE = {
    "consent_granted": N_("Thank you: “%(purpose)s” is now on. You can turn it off here at any time."),
    "consent_withdrawn": N_("Done: “%(purpose)s” is now off. We keep a receipt of your choice."),
    "consent_unchanged": N_("“%(purpose)s” was already as you asked."),
    "corrected": N_("Thank you: “%(name)s” is corrected. The earlier value stays in its history."),
}


def text(desc: Description | None, lang: str) -> str:
    """A house-file sentence in the reader's language ("" when there is none)."""
    return notice.text(desc, lang) if desc is not None else ""


class PortalWording:
    """The portal's words for one page, in one language, for one workspace."""

    def __init__(self, _: Translate, lang: str, house: HouseFile) -> None:
        self._ = _
        self.lang = lang
        self.house = house
        self.staff_words = Wording(_, lang)

    def purpose_title(self, purpose: str) -> str:
        return notice.title(purpose, self.lang)

    def purpose_text(self, purpose: str) -> str:
        declared = self.house.purposes.get(purpose)
        return text(declared.description, self.lang) if declared else ""

    def purposes(self, purposes: Iterable[str]) -> list[tuple[str, str, str]]:
        """(id, title, what it is for) of each purpose, in the house file's order."""
        found = set(purposes)
        ordered = [p for p in self.house.purposes if p in found] + sorted(found - set(self.house.purposes))
        return [(p, self.purpose_title(p), self.purpose_text(p)) for p in ordered]

    def source(self, source_id: str | None, origin: str | None = None) -> str:
        """Where a thing came from, for the person it is about."""
        declared = self.house.sources.get(source_id or "")
        source = declared.name if declared else source_id
        if origin == "customer" and source:
            return self._(TOLD_THROUGH, source=source)
        if origin in ORIGINS:
            return self._(ORIGINS[origin or ""])
        return self._(SENT_BY, source=source) if source else ""

    def kept(self, days: int | None) -> str:
        if days is None:
            return self._(NO_PERIOD)
        return self._(KEPT_FOR, period=notice.days(days, self.lang))

    def identifier_kind(self, kind: str) -> str:
        known = IDENTIFIER_KINDS.get(kind)
        return self._(known) if known else kind

    def trait_label(self, name: str) -> str:
        known = TRAIT_LABELS.get(name)
        return self._(known) if known else name

    def event_kind(self, label: str) -> str:
        """An event's name as it was sent; the other kinds of message in words."""
        known = EVENT_KINDS.get(label)
        return self._(known) if known else label

    def preference_label(self, name: str) -> str:
        return self._(CONTACT_FIRST) if name == "no_first_contact" else self.staff_words.fact_label(name)

    def preference_value(self, name: str, value: Any) -> str:
        if name == "no_first_contact" and isinstance(value, bool):
            return self._(WAIT_FOR_YOU) if value else self._(MAY_CONTACT)
        return self.staff_words.fact_value(name, value)

    def mechanism(self, mechanism: str) -> str:
        known = MECHANISMS.get(mechanism)
        return self._(known) if known else mechanism

    def last_choice(self, status: str, method: str, date: str) -> str:
        said = LAST_CHOICE.get(status)
        how = CONSENT_METHODS.get(method)
        if said is None:
            return f"{status} ({date})"
        return self._(said, method=self._(how) if how else method, date=date)

    def access_what(self, what: str) -> str:
        known = ACCESS_WHAT.get(what)
        return self._(known) if known else what

    def removed(self, table: str) -> str:
        known = REMOVED.get(table)
        return self._(known) if known else table.replace("_", " ")

    def done(self, code: str, values: Mapping[str, str]) -> str | None:
        known = DONE.get(code)
        return self._(known, **values) if known else None
