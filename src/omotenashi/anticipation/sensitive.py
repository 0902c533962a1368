"""No sensitive attribute in any model: fitting refuses a feature the data map marks as sensitive, and names it.

The check is on names, before any data is read, and it also catches derived names (`age_band`, `gender_code`,
`ethnicity.is_x`): a feature is refused when the sensitive attribute's words appear in its name, in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from omotenashi.core.errors import OmotenashiError


class SensitiveFeatureRefused(OmotenashiError):
    """A model was asked to learn from attributes the data map marks as sensitive."""

    code = "sensitive_feature_refused"

    def __init__(self, features: list[str], attributes: list[str]) -> None:
        names = ", ".join(features)
        super().__init__(
            f"refusing to fit: {names} {'is' if len(features) == 1 else 'are'} sensitive by the data map "
            f"({', '.join(attributes)})",
            hint="remove these features: anticipation never learns from sensitive attributes or stand-ins for them",
            features=features,
            attributes=attributes,
        )


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", name.lower()) if w]


def _contains(words: list[str], run: list[str]) -> bool:
    return any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))


def sensitive_features(features: Iterable[str], sensitive: Iterable[str]) -> list[tuple[str, str]]:
    """Each (feature, sensitive attribute) pair where the feature is, or is named for, a sensitive attribute.

    Names are compared word by word (`date_of_birth` is found in `customer.date_of_birth.year`, `age` in
    `age_band` but not in `page_views`).
    """
    marked = [(attribute, _words(attribute)) for attribute in sensitive if _words(attribute)]
    found = []
    for feature in features:
        words = _words(feature)
        for attribute, run in marked:
            if _contains(words, run):
                found.append((feature, attribute))
                break
    return found


def refuse_sensitive(features: Iterable[str], sensitive: Iterable[str]) -> None:
    """Raise `SensitiveFeatureRefused` naming every feature that is sensitive; return quietly otherwise."""
    found = sensitive_features(features, sensitive)
    if found:
        raise SensitiveFeatureRefused(
            [feature for feature, _ in found], sorted({attribute for _, attribute in found}, key=str.lower)
        )
