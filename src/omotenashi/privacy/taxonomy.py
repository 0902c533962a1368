"""The fideslang taxonomy: data categories and data uses a data map may name."""

from __future__ import annotations

import difflib
from functools import cache


@cache
def categories() -> dict[str, str]:
    """fideslang data category key → name."""
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return {c.fides_key: c.name or c.fides_key for c in DEFAULT_TAXONOMY.data_category}


@cache
def uses() -> dict[str, str]:
    """fideslang data use key → name."""
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return {u.fides_key: u.name or u.fides_key for u in DEFAULT_TAXONOMY.data_use}


def suggestion(value: str, known: dict[str, str]) -> str:
    """A hint naming the closest known key."""
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.5)
    return f"did you mean `{close[0]}`?" if close else "see the fideslang taxonomy in docs/privacy.md"


SENSITIVE_CATEGORY_PREFIXES = (
    "user.biometric",
    "user.health_and_medical",
    "user.demographic.political_opinion",
    "user.demographic.race_ethnicity",
    "user.demographic.religious_belief",
    "user.demographic.sexual_orientation",
    "user.genetic",
    "user.childrens",
    "user.criminal_history",
    "user.government_id",
)


def is_special(category: str) -> bool:
    """Whether a category is a special category of personal data whatever the data map says."""
    return category.startswith(SENSITIVE_CATEGORY_PREFIXES)
