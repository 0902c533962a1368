"""Catalogues per language, read from `locales/<lang>/LC_MESSAGES/messages.po` and compiled in memory on first use.

There is no build step: the `.po` files are the source and what ships. Nothing is installed globally, so two requests
in two languages can render at the same time; each asks `translator(lang)` for its own callable.
"""

from __future__ import annotations

import threading
from importlib import resources
from io import BytesIO
from typing import Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES: tuple[str, ...] = ("en", "ja")
DEFAULT_LANGUAGE = "en"
# Each language named in itself, so a reader finds their own in a list.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ja": "日本語"}
DOMAIN = "messages"

_lock = threading.Lock()
_cache: dict[str, Translations] = {}


class Translate(Protocol):
    """`_("Signed in as %(name)s", name=...)`: the message in one language, with values put in."""

    def __call__(self, message: str, /, **values: object) -> str: ...


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; it is translated where it is shown."""
    return message


def translations(lang: str) -> Translations:
    """The compiled catalogue of a language (English for a language we do not have)."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    found = _cache.get(lang)
    if found is not None:
        return found
    with _lock:
        found = _cache.get(lang)
        if found is None:
            found = _cache[lang] = _compile(lang)
        return found


def _compile(lang: str) -> Translations:
    source = resources.files("omotenashi.i18n") / "locales" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with source.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def translator(lang: str) -> Translate:
    """A gettext callable for one language; `values` fill `%(name)s` placeholders after translating."""
    gettext = translations(lang).gettext

    def translate(message: str, /, **values: object) -> str:
        text = gettext(message)
        return text % values if values else text

    return translate


def language_from_header(accept_language: str | None) -> str:
    """The first of our languages a browser's `Accept-Language` asks for, else the default."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary:
            ranked.append((-quality, position, primary))
    for quality, _, primary in sorted(ranked):
        if quality < 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE
