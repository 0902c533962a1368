"""Care in plain words, in the reader's language: what an item is for, why it exists (the signal's own explanation,
the anticipation and its reasons, the deadline), and the labels of statuses, priorities, outcomes and history."""

from __future__ import annotations

from typing import Any

from omotenashi.care.triggers import REACH
from omotenashi.config.care import PRIORITIES
from omotenashi.config.house import HouseFile
from omotenashi.friction import explain
from omotenashi.i18n import N_, translator
from omotenashi.store.care import CareItem

REACH_TITLE = N_("Wants a person: answer them")
STATUSES = {
    "open": N_("to do"),
    "claimed": N_("being worked"),
    "resolved": N_("resolved"),
    "held_out": N_("held out (no action, for comparison)"),
    "closed": N_("closed"),
}
PRIORITY_LABELS = {
    "urgent": N_("urgent"),
    "high": N_("high"),
    "normal": N_("normal"),
    "low": N_("low"),
}
OUTCOMES = {
    "helped": N_("Helped: the customer is back on track"),
    "no_response": N_("No response from the customer"),
    "not_needed": N_("Not needed after all"),
    "declined": N_("The customer declined"),
    "other": N_("Other (see the note)"),
    "recovered_on_their_own": N_("Recovered on their own before anyone acted"),
    "consent_withdrawn": N_("Closed: the customer withdrew consent"),
}
STAFF_OUTCOMES = ("helped", "no_response", "not_needed", "declined", "other")
HISTORY = {
    "created": N_("Created"),
    "assigned": N_("Assigned"),
    "claimed": N_("Claimed"),
    "reassigned": N_("Reassigned"),
    "queued": N_("Action queued"),
    "sent": N_("Sent"),
    "waiting": N_("Waiting"),
    "not_sent": N_("Not sent"),
    "failed": N_("Delivery failed; will retry"),
    "dead": N_("Delivery gave up (dead letter)"),
    "call": N_("Call logged"),
    "goodwill": N_("Goodwill"),
    "updated": N_("New evidence"),
    "friction_ended": N_("The friction ended"),
    "closed": N_("Closed"),
    "resolved": N_("Resolved"),
    "reopened": N_("Reopened"),
}
ANTICIPATIONS = {
    "still_active": N_("Chance they are still a customer: %(score)s"),
    "buys_again": N_("Chance they buy again soon: %(score)s"),
    "expected_purchases": N_("Expected purchase days: %(score)s"),
    "churn_risk": N_("Risk of leaving: %(score)s"),
    "support_contact_risk": N_("Chance they contact support within a week: %(score)s"),
}
DEADLINE = N_("Reached “%(step)s” but not “%(next)s” within %(limit)s.")
SCHEDULE = N_("A regular check-in (every %(days)s days).")


def item_title(house: HouseFile, playbook: str, lang: str) -> str:
    """What the item is for: its playbook's title in the reader's language."""
    if playbook == REACH:
        return translator(lang)(REACH_TITLE)
    care = house.care
    spec = care.playbooks.get(playbook) if care is not None else None
    if spec is None:
        return playbook
    return spec.title.get(lang) or next(iter(spec.title.values()), playbook)


def reason_words(item: CareItem, lang: str) -> str:
    """Why the item exists, in plain words with its numbers."""
    _ = translator(lang)
    e = item.evidence
    if item.trigger == "signal":
        details: dict[str, Any] = e["details"] if isinstance(e.get("details"), dict) else {}
        return explain.explain(str(e.get("signal")), details, lang, resolved=e.get("status") == "resolved")
    if item.trigger == "anticipation":
        kind = str(e.get("anticipation"))
        score = e.get("score")
        shown = f"{score:.0%}" if isinstance(score, float) and kind != "expected_purchases" else f"{score}"
        said = _(ANTICIPATIONS[kind]) % {"score": shown} if kind in ANTICIPATIONS else f"{kind}: {shown}"
        reasons = [str(r.get("ja" if lang == "ja" else "en", "")) for r in e.get("reasons", []) if isinstance(r, dict)]
        gap = "" if lang == "ja" else " "
        return gap.join([said + ("。" if lang == "ja" else "."), *reasons]).strip()
    if item.trigger == "deadline":
        limit = explain.duration(float(e.get("hours", 0)) * 3_600_000, lang)
        return _(DEADLINE) % {
            "step": explain.clean(e.get("step")),
            "next": explain.clean(e.get("next_step")),
            "limit": limit,
        }
    if item.trigger == "schedule":
        return _(SCHEDULE) % {"days": e.get("every_days")}
    return ""


def priority_label(priority: int, lang: str) -> str:
    name = PRIORITIES[priority] if 0 <= priority < len(PRIORITIES) else "normal"
    return translator(lang)(PRIORITY_LABELS[name])


def status_label(status: str, lang: str) -> str:
    return translator(lang)(STATUSES[status]) if status in STATUSES else status


def outcome_label(outcome: str | None, lang: str) -> str:
    if outcome is None:
        return ""
    return translator(lang)(OUTCOMES[outcome]) if outcome in OUTCOMES else outcome


def history_label(what: str, lang: str) -> str:
    return translator(lang)(HISTORY[what]) if what in HISTORY else what
