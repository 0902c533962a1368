"""Churn risk, support-contact risk and next step in plain words, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from omotenashi.anticipation.next_step import step_title
from omotenashi.config.anticipation import AnticipationSection
from omotenashi.i18n import N_, translator

ORDER = ("churn_risk", "support_contact_risk", "next_step")
TITLES = {
    "churn_risk": N_("Chance of not renewing within %(days)s days"),
    "support_contact_risk": N_("Chance of contacting support within %(days)s days"),
    "next_step": N_("Likely next step"),
}
NOTES = {
    "churn_risk": N_("At risk of not renewing: worth a word before the renewal comes."),
    "support_contact_risk": N_("About to need help: reach out before they have to ask."),
}
TAGS = {"churn_risk": N_("At risk of not renewing"), "support_contact_risk": N_("About to need help")}
THEN = N_("Then: %(steps)s")


def watch_levels(section: AnticipationSection | None) -> dict[str, float]:
    """The chance at or above which each risk is worth staff's attention (from the house file)."""
    if section is None:
        return {}
    out = {}
    if section.churn is not None:
        out["churn_risk"] = section.churn.watch_above
    if section.support_contact is not None:
        out["support_contact_risk"] = section.support_contact.watch_above
    return out


def steps_of(facts: Mapping[str, Any], lang: str) -> list[tuple[str, str, float]]:
    """The anticipated next steps as (step, title in `lang`, chance), likeliest first."""
    return [(str(s), step_title(str(s), lang), float(p)) for s, p in facts.get("steps") or []]


def step_list(facts: Mapping[str, Any], lang: str, start: int = 0) -> str:
    """The anticipated steps with their chances, e.g. `Billing and payment (41%), Look for help (20%)`."""
    steps = facts.get("steps") or []
    return ", ".join(f"{step_title(str(s), lang)} ({float(p):.0%})" for s, p in steps[start:])


@dataclass(frozen=True)
class Wording:
    """How one behaviour anticipation reads: title, value, level (`watch` or empty), a note, and a short tag."""

    title: str
    value: str
    level: str
    note: str | None
    tag: str | None


def wording(
    kind: str, score: float, horizon_days: int, facts: Mapping[str, Any], lang: str, watch: Mapping[str, float]
) -> Wording | None:
    """One behaviour anticipation in `lang`; None for another kind.

    A risk at or above its `watch` level is marked `watch`, with a tag and a note saying what to do about it.
    """
    if kind not in TITLES:
        return None
    _ = translator(lang)
    if kind == "next_step":
        steps = facts.get("steps") or []
        value = f"{step_title(str(steps[0][0]), lang)} ({score:.0%})" if steps else "—"
        rest = step_list(facts, lang, start=1)
        return Wording(_(TITLES[kind]), value, "", (_(THEN) % {"steps": rest}) if rest else None, None)
    title = _(TITLES[kind]) % {"days": horizon_days}
    if score < watch.get(kind, 1.0):
        return Wording(title, f"{score:.0%}", "", None, None)
    return Wording(title, f"{score:.0%}", "watch", _(NOTES[kind]), _(TAGS[kind]))
