"""Message catalogues (Babel `.po` files, compiled when first used) and per-language translators."""

from omotenashi.i18n.catalogues import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    Translate,
    language_from_header,
    translations,
    translator,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "Translate",
    "language_from_header",
    "translations",
    "translator",
]
