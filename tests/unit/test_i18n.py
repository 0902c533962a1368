"""The catalogues: every message the code and templates mark is translated into Japanese, and nothing is stale."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from omotenashi.i18n import language_from_header, translator

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "src" / "omotenashi" / "i18n" / "locales"
METHODS = [("src/omotenashi/**.py", "python"), ("src/omotenashi/web/templates/**.html", "jinja2")]


def marked_messages() -> set[str]:
    """What `pybabel extract -F babel.cfg` finds, read the same way."""
    found = {message for _, _, message, _, _ in extract_from_dir(str(ROOT), METHODS)}
    return {m for m in found if isinstance(m, str)}


def catalogue(lang: str) -> dict[str, str]:
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale=lang) if m.id and isinstance(m.id, str)}


def test_babel_cfg_names_the_same_places_the_test_extracts_from():
    text = (ROOT / "babel.cfg").read_text()
    for pattern, method in METHODS:
        assert f"[{method}: {pattern}]" in text


def test_every_marked_message_is_in_both_catalogues_and_translated_into_japanese():
    marked = marked_messages()
    assert "Sign in" in marked and "Frontline" in marked  # templates and N_() in Python are both read
    en, ja = catalogue("en"), catalogue("ja")
    assert marked - set(en) == set(), "run the update commands in docs/i18n.md"
    assert marked - set(ja) == set(), "run the update commands in docs/i18n.md"
    untranslated = sorted(m for m in marked if not ja[m])
    assert not untranslated, f"messages without a Japanese translation: {untranslated}"
    stale = sorted(set(ja) - marked)
    assert not stale, f"catalogue entries no code uses any more: {stale}"


def test_japanese_translations_keep_their_placeholders_and_are_japanese():
    ja = catalogue("ja")
    for message, text in ja.items():
        assert sorted(re.findall(r"%\(\w+\)s", message)) == sorted(re.findall(r"%\(\w+\)s", text)), message
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text), f"not Japanese: {message!r} → {text!r}"


def test_translator_fills_values_and_falls_back_to_english():
    assert translator("ja")("Welcome, %(name)s.", name="山田") == "山田さん、お疲れさまです。"
    assert translator("en")("Welcome, %(name)s.", name="Ann") == "Welcome, Ann."
    assert translator("fr")("Sign in") == "Sign in"
    assert translator("ja")("a message nobody translated") == "a message nobody translated"


def test_the_browser_language_picks_one_of_ours():
    assert language_from_header("ja-JP,ja;q=0.9,en;q=0.8") == "ja"
    assert language_from_header("fr-FR, en;q=0.5, ja;q=0.7") == "ja"
    assert language_from_header("de, fr") == "en"
    assert language_from_header(None) == "en"
    assert language_from_header("ja;q=0") == "en"
