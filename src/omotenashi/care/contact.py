"""May we contact this customer now, and if not, when? The rules that keep care from becoming spam, checked when a
message is about to leave, not only when the item was made: consent for the contact's purpose, "please don't contact
me first", a channel they accept, an address, the frequency cap across all playbooks, and quiet hours in their
timezone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from omotenashi.care.facts import Facts
from omotenashi.config.care import CapsSection
from omotenashi.config.house import HouseFile
from omotenashi.core.clock import from_epoch_ms, to_epoch_ms
from omotenashi.i18n import N_, translator
from omotenashi.memory import preferences as prefs

DAY_MS = 86_400_000

# Why a message may not go (never: the item stays for a person to decide), or must wait.
BLOCKED = {
    "consent": N_("They have not agreed to be contacted for this purpose."),
    "no_first_contact": N_("They asked us not to contact them first: be ready when they get in touch."),
    "no_channel": N_("They asked not to be contacted through any channel."),
    "not_email": N_("They prefer another channel than e-mail: call or write as they asked."),
    "no_address": N_("We have no e-mail address for them."),
    "item_closed": N_("The care item was closed before the message went."),
    "blank": N_("The suggested message has empty places: it waits for a person to read it first."),
}
WAITING = {
    "cap": N_("Contacted recently: the next contact may go on %(when)s."),
    "quiet_hours": N_("Quiet hours where they are: it goes at %(when)s."),
}
WAITED = {"cap": N_("Contacted recently"), "quiet_hours": N_("Quiet hours where they are")}  # in an item's history


@dataclass(frozen=True)
class Decision:
    """Whether a proactive message may go now; if not, whether it never may (`blocked`) or must wait."""

    blocked: str | None = None
    wait: str | None = None
    not_before: int | None = None

    @property
    def now(self) -> bool:
        return self.blocked is None and self.wait is None

    def words(self, lang: str, when: str = "") -> str:
        """The decision in the reader's language (`when`: `not_before` as the reader reads times)."""
        _ = translator(lang)
        if self.blocked is not None:
            return _(BLOCKED[self.blocked])
        if self.wait is not None:
            return _(WAITING[self.wait]) % {"when": when}
        return ""


def decide(
    house: HouseFile,
    caps: CapsSection,
    facts: Facts,
    purpose: str,
    now: int,
    sent: Sequence[int],
    *,
    proactive: bool = True,
) -> Decision:
    """The decision for an e-mail for `purpose` to this customer at `now`; `sent`: their earlier proactive contacts'
    times, newest first."""
    if not facts.allows(house, purpose):
        return Decision(blocked="consent")
    if proactive and facts.no_first_contact:
        return Decision(blocked="no_first_contact")
    preferred = facts.channel_for(purpose)
    if preferred == "none":
        return Decision(blocked="no_channel")
    if preferred is not None and preferred not in ("email", "chat"):
        return Decision(blocked="not_email")
    if not facts.email:
        return Decision(blocked="no_address")
    if proactive:
        recent = [t for t in sent if t > now - caps.per_days * DAY_MS]
        if len(recent) >= caps.max_contacts:
            frees = sorted(recent, reverse=True)[caps.max_contacts - 1] + caps.per_days * DAY_MS
            return Decision(wait="cap", not_before=frees)
    end = quiet_until(facts, caps, now)
    if end is not None:
        return Decision(wait="quiet_hours", not_before=end)
    return Decision()


def quiet_until(facts: Facts, caps: CapsSection, now: int) -> int | None:
    """When the customer's quiet hours end, if `now` is inside them (their own, else the workspace's default)."""
    hours = facts.quiet_hours or (prefs.quiet_hours(caps.quiet_hours) if caps.quiet_hours else None)
    if not hours:
        return None
    zone = ZoneInfo(prefs.timezone(hours.get("timezone")) or facts.timezone)
    local = from_epoch_ms(now).astimezone(zone)
    start = _at(local, hours["start"])
    end = _at(local, hours["end"])
    if start == end:
        return None
    if start < end:  # e.g. 12:00-14:00 on the same day
        return to_epoch_ms(end) if start <= local < end else None
    # Across midnight, e.g. 21:00-08:00: quiet after `start` today, or before `end` today.
    if local >= start:
        return to_epoch_ms(end + timedelta(days=1))
    if local < end:
        return to_epoch_ms(end)
    return None


def _at(local: datetime, hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return local.replace(hour=h, minute=m, second=0, microsecond=0)
