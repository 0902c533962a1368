"""How customer data is said on staff pages: labels, preference values and purposes in the reader's language.

Everything here returns plain text; templates escape it. Values a customer or tracker sent (names, event names,
identifiers) are passed through as they are and never turned into markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel import Locale, UnknownLocaleError

from omotenashi.i18n import N_, Translate

PURPOSE_LABELS = {
    "service": N_("service"),
    "care": N_("care"),
    "personalization": N_("personalization"),
    "analytics": N_("analytics"),
    "marketing": N_("marketing"),
}

FACT_LABELS = {
    "name": N_("Name"),
    "language": N_("Preferred language"),
    "tone": N_("Tone"),
    "channel": N_("Preferred channel"),
    "quiet_hours": N_("Quiet hours"),
    "no_first_contact": N_("Contact first?"),
    "timezone": N_("Time zone"),
}
CHANNEL_FOR = N_("Channel for %(purpose)s")

TONES = {"formal": N_("formal"), "casual": N_("casual"), "warm": N_("warm"), "brief": N_("brief")}
CHANNELS = {
    "email": N_("email"),
    "sms": N_("text message"),
    "phone": N_("phone call"),
    "push": N_("app notification"),
    "post": N_("post"),
    "chat": N_("chat"),
    "none": N_("no contact"),
}
ORIGINS = {
    "customer": N_("the customer said so"),
    "staff": N_("recorded by staff"),
    "inferred": N_("inferred from their device"),
    "workspace default": N_("the workspace's default"),
}
IDENTITY_KINDS = {
    "user_id": N_("userId"),
    "anonymous_id": N_("anonymousId"),
    "email": N_("email"),
    "phone": N_("phone"),
    "customer id": N_("customer id"),
    "name or identifier": N_("name or identifier"),
}
MERGE_RULES = {
    "staff": N_("merged by staff"),
    "anonymous_id_with_user_id": N_("signed in on the same device"),
    "alias": N_("linked by an alias call"),
}
SAME_IDENTIFIER = N_("same %(identifier)s")
TIMELINE_KINDS = {"event": N_("Events"), "note": N_("Notes"), "consent": N_("Consent"), "merge": N_("Merges")}
TIMELINE_KINDS["signal"] = N_("Friction signals")
TIMELINE_KIND = {"event": N_("Event"), "note": N_("Note"), "consent": N_("Consent"), "merge": N_("Merge")}
TIMELINE_KIND["signal"] = N_("Friction")
CONSENT_SAID = {
    "granted": N_("Gave consent for %(purpose)s (%(method)s)"),
    "withdrawn": N_("Withdrew consent for %(purpose)s (%(method)s)"),
}
CONSENT_METHODS = {
    "tracker": N_("from a touchpoint"),
    "portal": N_("in the privacy portal"),
    "staff": N_("told staff"),
    "gpc": N_("Global Privacy Control"),
    "import": N_("imported"),
}
CONFLICT_WHY = {
    "different_user_ids": N_("one identifier was used by customers with different userIds"),
    "separated_by_staff": N_("staff separated these customers, so the shared identifier does not join them"),
}
PREFERENCE_CHOICES = [
    ("language", N_("Preferred language")),
    ("tone", N_("Tone")),
    ("channel", N_("Preferred channel")),
    ("quiet_hours", N_("Quiet hours")),
    ("no_first_contact", N_("Contact first?")),
    ("timezone", N_("Time zone")),
]
WAIT_FOR_THEM = N_("No: wait for the customer to get in touch")
MAY_CONTACT_FIRST = N_("Yes")
ACCESS_WHAT = {"customer page": N_("customer page"), "briefing": N_("briefing")}
DONE = {
    "note_added": N_("The note was added."),
    "note_edited": N_("The note was changed; the earlier text stays in its history."),
    "merge_undone": N_("The merge was undone: these are two customers again."),
    "merged": N_("The customers were merged."),
    "conflict_resolved": N_("The conflict was marked as looked at."),
    "preference_saved": N_("The preference was recorded."),
}


class Wording:
    """The labels and values of one page, in one language."""

    def __init__(self, _: Translate, lang: str) -> None:
        self._ = _
        self.lang = lang

    def purpose(self, purpose: str) -> str:
        label = PURPOSE_LABELS.get(purpose)
        return self._(label) if label else purpose

    def fact_label(self, label: str) -> str:
        if label.startswith("channel."):
            return self._(CHANNEL_FOR, purpose=self.purpose(label.split(".", 1)[1]))
        known = FACT_LABELS.get(label)
        return self._(known) if known else label

    def fact_value(self, label: str, value: Any) -> str:
        """A preference's value as a sentence fragment: 「日本語 (ja)」, "22:00–08:00 (Asia/Tokyo)"."""
        if label == "language" and isinstance(value, str):
            return self.language(value)
        if label == "tone" and value in TONES:
            return self._(TONES[value])
        if (label == "channel" or label.startswith("channel.")) and value in CHANNELS:
            return self._(CHANNELS[value])
        if label == "quiet_hours" and isinstance(value, Mapping):
            hours = f"{value.get('start', '?')}–{value.get('end', '?')}"
            return f"{hours} ({value['timezone']})" if value.get("timezone") else hours
        if label == "no_first_contact" and isinstance(value, bool):
            return self._(WAIT_FOR_THEM) if value else self._(MAY_CONTACT_FIRST)
        return str(value)

    def language(self, code: str) -> str:
        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name(self.lang)
        except (ValueError, TypeError, UnknownLocaleError):
            return code
        return f"{name} ({code})" if name else code

    def origin(self, origin: str | None) -> str:
        known = ORIGINS.get(origin or "")
        return self._(known) if known else (origin or "")

    def identity_kind(self, kind: str) -> str:
        known = IDENTITY_KINDS.get(kind)
        return self._(known) if known else kind

    def merge_rule(self, rule: str) -> str:
        if rule in MERGE_RULES:
            return self._(MERGE_RULES[rule])
        if rule.startswith("same_"):
            return self._(SAME_IDENTIFIER, identifier=self.identity_kind(rule[5:]))
        return rule

    def timeline_kinds(self, kind: str) -> str:
        """A kind of timeline item as a filter: "Events"."""
        return self._(TIMELINE_KINDS[kind]) if kind in TIMELINE_KINDS else kind

    def timeline_kind(self, kind: str) -> str:
        """The kind of one timeline item: "Event"."""
        return self._(TIMELINE_KIND[kind]) if kind in TIMELINE_KIND else kind

    def consent(self, detail: Mapping[str, Any]) -> str:
        said = CONSENT_SAID.get(str(detail.get("status")))
        method = CONSENT_METHODS.get(str(detail.get("method")))
        purpose = self.purpose(str(detail.get("purpose")))
        if said is None:
            return f"{purpose}: {detail.get('status')}"
        return self._(said, purpose=purpose, method=self._(method) if method else str(detail.get("method")))

    def conflict_why(self, why: str | None) -> str:
        known = CONFLICT_WHY.get(why or "")
        return self._(known) if known else (why or "")

    def access_what(self, what: str) -> str:
        known = ACCESS_WHAT.get(what)
        return self._(known) if known else what

    def done(self, code: str) -> str | None:
        known = DONE.get(code)
        return self._(known) if known else None
