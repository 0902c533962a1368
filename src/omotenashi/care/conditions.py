"""For whom a playbook is: conditions on stage, traits, language and preferred channel (never on a sensitive
attribute: `omotenashi check` refuses those before anything runs)."""

from __future__ import annotations

from omotenashi.care.facts import Facts
from omotenashi.config.care import WhoSection


def matches(who: WhoSection, person: Facts) -> bool:
    """Whether every condition holds for the person (no condition: everyone)."""
    if who.stages and person.stage not in who.stages:
        return False
    if who.languages and person.language not in who.languages:
        return False
    if who.channels and person.channel_for("care") not in who.channels:
        return False
    for trait, allowed in who.traits.items():
        value = person.traits.get(trait)
        if value is None or not any(_same(value, a) for a in allowed):
            return False
    return True


def _same(value: object, wanted: object) -> bool:
    if isinstance(wanted, bool) or isinstance(value, bool):
        return value is wanted
    if isinstance(wanted, int | float) and isinstance(value, int | float):
        return float(value) == float(wanted)
    return str(value).casefold() == str(wanted).casefold()
