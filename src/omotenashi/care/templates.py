"""Messages from the house file's templates: in the customer's language and tone, with the variables of
`config.care.TEMPLATE_VARIABLES` (a sandboxed Jinja environment: a template can read those values and nothing else)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from babel.numbers import format_currency
from jinja2 import StrictUndefined, Template, meta
from jinja2.sandbox import SandboxedEnvironment

from omotenashi.config.care import TEMPLATE_VARIABLES, CareSection, GoodwillOffer
from omotenashi.i18n import N_, translator

_ENV = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)

GOODWILL_WORDS = {
    "credit": N_("a credit of %(value)s"),
    "extension": N_("an extension worth %(value)s"),
    "gift": N_("a gift worth %(value)s"),
    "fee_waiver": N_("a waived fee of %(value)s"),
}
GREETING = N_("there")


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    language: str
    tone: str | None
    blanks: tuple[str, ...] = ()  # variables the template uses that had no value: the text has a hole there


def goodwill_words(offer: GoodwillOffer | None, currency: str, lang: str) -> str:
    """A goodwill gesture in words: "a credit of $10.00" (「10.00 USのクレジット」)."""
    if offer is None:
        return ""
    value = format_currency(offer.value, currency, locale=lang)
    return translator(lang)(GOODWILL_WORDS[offer.kind]) % {"value": value}


def variables(values: Mapping[str, str | None], lang: str) -> dict[str, str]:
    """Every template variable, empty where nothing is known (a name falls back to a polite word)."""
    out = {name: str(values.get(name) or "") for name in TEMPLATE_VARIABLES}
    if not out["name"]:
        out["name"] = translator(lang)(GREETING)
    if not out["first_name"]:
        out["first_name"] = out["name"]
    return out


def render(care: CareSection, template_id: str, lang: str, tone: str | None, values: Mapping[str, str]) -> Message:
    """The template in the customer's language (checked to exist by `omotenashi check`) and tone, filled in."""
    spec = care.templates[template_id]
    subject, body = spec.subject.get(lang), spec.body.get(lang)
    if subject is None or body is None:  # a language the workspace dropped: its first language
        lang = next(iter(spec.subject))
        subject, body = spec.subject[lang], spec.body[lang]
    used_tone = None
    variant = spec.tones.get(tone) if tone is not None else None  # type: ignore[call-overload]
    if variant is not None and lang in variant.body:
        subject, body, used_tone = variant.subject.get(lang, subject), variant.body[lang], tone
    used = _compiled(subject)[1] | _compiled(body)[1]
    return Message(
        subject=" ".join(_compiled(subject)[0].render(values).split()),
        body=_compiled(body)[0].render(values).strip() + "\n",
        language=lang,
        tone=used_tone,
        blanks=tuple(sorted(name for name in used if not values.get(name))),
    )


@lru_cache(maxsize=512)
def _compiled(source: str) -> tuple[Template, frozenset[str]]:
    """A template's text compiled once, with the variables it uses (a house file has a few dozen texts; the care
    engine drafts from them for every new item)."""
    return _ENV.from_string(source), frozenset(meta.find_undeclared_variables(_ENV.parse(source)))
