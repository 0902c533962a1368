"""The pure rules of care: may a message go now (consent, "don't contact me first", channel, cap, quiet hours in the
customer's timezone), the outcome report's intervals against published values, the holdout's arms, and templates in
the customer's language and tone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from omotenashi.care import contact, holdout, outcomes, templates
from omotenashi.care.facts import Facts
from omotenashi.config.care import CapsSection, CareSection, GoodwillOffer
from omotenashi.config.house import HouseFile
from omotenashi.config.loader import load_house
from omotenashi.core.clock import to_epoch_ms
from tests.care_support import care_section
from tests.conftest import write_house

DAY = 86_400_000
TOKYO, NEW_YORK = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def house(tmp_path_factory: pytest.TempPathFactory) -> HouseFile:
    folder: Path = tmp_path_factory.mktemp("house")
    return load_house(write_house(folder, care=care_section())).house


def at(zone: ZoneInfo, *parts: int) -> int:
    return to_epoch_ms(datetime(*parts, tzinfo=zone))  # type: ignore[misc]


def person(**changes: Any) -> Facts:
    values: dict[str, Any] = {
        "customer_id": "c1",
        "members": ["c1"],
        "name": "Aiko Tanaka",
        "email": "aiko@example.com",
        "traits": {},
        "language": "en",
        "tone": None,
        "channels": {},
        "quiet_hours": None,
        "timezone": "Asia/Tokyo",
        "no_first_contact": False,
        "stage": None,
        "consent": {},
    }
    values.update(changes)
    return Facts(**values)


NOON_TOKYO = at(TOKYO, 2026, 6, 1, 12, 0)
NO_QUIET = CapsSection(max_contacts=1, per_days=7, quiet_hours="")


# --- may a message go now? ------------------------------------------------------------------------------------------


def test_a_customer_with_nothing_against_it_may_be_written_to_now(house: HouseFile) -> None:
    decision = contact.decide(house, NO_QUIET, person(), "care", NOON_TOKYO, [])
    assert decision.now and decision == contact.Decision()


@pytest.mark.parametrize(
    ("facts", "purpose", "why"),
    [
        (person(consent={"care": "withdrawn"}), "care", "consent"),  # opt-out purpose, withdrawn
        (person(), "marketing", "consent"),  # opt-in purpose never granted
        (person(), "no_such_purpose", "consent"),  # a purpose the house file does not declare
        (person(no_first_contact=True), "care", "no_first_contact"),
        (person(channels={"": "none"}), "care", "no_channel"),
        (person(channels={"": "phone"}), "care", "not_email"),
        (person(channels={"": "email", "care": "post"}), "care", "not_email"),  # the per-purpose choice wins
        (person(email=None), "care", "no_address"),
    ],
)
def test_what_the_customer_said_blocks_the_message_for_good(
    house: HouseFile, facts: Facts, purpose: str, why: str
) -> None:
    decision = contact.decide(house, NO_QUIET, facts, purpose, NOON_TOKYO, [])
    assert (decision.blocked, decision.wait, decision.not_before, decision.now) == (why, None, None, False)
    assert decision.words("en") == contact.BLOCKED[why]
    assert decision.words("ja") != decision.words("en")  # said in the reader's language


def test_consent_granted_to_an_opt_in_purpose_and_a_per_purpose_channel_let_it_go(house: HouseFile) -> None:
    facts = person(consent={"marketing": "granted"}, channels={"": "phone", "marketing": "email"})
    assert contact.decide(house, NO_QUIET, facts, "marketing", NOON_TOKYO, []).now
    assert contact.decide(house, NO_QUIET, person(channels={"": "chat"}), "care", NOON_TOKYO, []).now


def test_dont_contact_me_first_only_stops_proactive_contact(house: HouseFile) -> None:
    facts = person(no_first_contact=True)
    assert contact.decide(house, NO_QUIET, facts, "care", NOON_TOKYO, [], proactive=False).now


def test_the_frequency_cap_holds_the_message_until_the_oldest_counted_contact_leaves_the_window(
    house: HouseFile,
) -> None:
    now = NOON_TOKYO
    caps = CapsSection(max_contacts=2, per_days=7, quiet_hours="")
    one = [now - 1 * DAY]
    assert contact.decide(house, caps, person(), "care", now, one).now  # one of two allowed
    two = [now - 1 * DAY, now - 3 * DAY, now - 30 * DAY]  # newest first; the 30-day-old one no longer counts
    decision = contact.decide(house, caps, person(), "care", now, two)
    assert (decision.wait, decision.not_before) == ("cap", now - 3 * DAY + 7 * DAY)
    assert contact.decide(house, caps, person(), "care", now, [now - 7 * DAY, now - 8 * DAY]).now  # just outside
    # A contact that is not proactive (the customer asked) is not capped.
    assert contact.decide(house, caps, person(), "care", now, two, proactive=False).now


def test_the_cap_is_checked_before_quiet_hours_and_consent_before_everything(house: HouseFile) -> None:
    caps = CapsSection(max_contacts=1, per_days=7, quiet_hours="21:00-08:00")
    night = at(TOKYO, 2026, 6, 1, 23, 0)
    assert contact.decide(house, caps, person(), "care", night, [night - DAY]).wait == "cap"
    assert contact.decide(house, caps, person(), "care", night, []).wait == "quiet_hours"
    withdrawn = person(consent={"care": "withdrawn"}, no_first_contact=True)
    assert contact.decide(house, caps, withdrawn, "care", night, [night - DAY]).blocked == "consent"


# --- quiet hours, in the customer's own timezone ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "until"),
    [
        ((2026, 6, 1, 23, 30), (2026, 6, 2, 8, 0)),  # after the start: the end is tomorrow morning
        ((2026, 6, 2, 3, 15), (2026, 6, 2, 8, 0)),  # after midnight: this morning
        ((2026, 6, 1, 21, 0), (2026, 6, 2, 8, 0)),  # the first minute is quiet
        ((2026, 6, 2, 8, 0), None),  # the last minute is not
        ((2026, 6, 1, 12, 0), None),
        ((2026, 6, 1, 20, 59), None),
    ],
)
def test_quiet_hours_across_midnight_in_the_workspace_default(
    local: tuple[int, ...], until: tuple[int, ...] | None
) -> None:
    caps = CapsSection(quiet_hours="21:00-08:00")
    expected = at(TOKYO, *until) if until else None
    assert contact.quiet_until(person(timezone="Asia/Tokyo"), caps, at(TOKYO, *local)) == expected


def test_the_same_moment_is_quiet_in_one_timezone_and_not_in_another() -> None:
    caps = CapsSection(quiet_hours="21:00-08:00")
    moment = at(TOKYO, 2026, 6, 2, 6, 30)  # 06:30 in Tokyo is 17:30 the day before in New York
    assert contact.quiet_until(person(timezone="Asia/Tokyo"), caps, moment) == at(TOKYO, 2026, 6, 2, 8, 0)
    assert contact.quiet_until(person(timezone="America/New_York"), caps, moment) is None


def test_the_customers_own_quiet_hours_and_their_own_zone_win_over_the_default() -> None:
    caps = CapsSection(quiet_hours="21:00-08:00")
    own = {"start": "12:00", "end": "14:00", "timezone": "America/New_York"}  # a lunch break, the same day
    facts = person(timezone="Asia/Tokyo", quiet_hours=own)
    assert contact.quiet_until(facts, caps, at(NEW_YORK, 2026, 6, 1, 12, 30)) == at(NEW_YORK, 2026, 6, 1, 14, 0)
    assert contact.quiet_until(facts, caps, at(NEW_YORK, 2026, 6, 1, 22, 0)) is None  # the default does not apply
    assert contact.quiet_until(facts, caps, at(NEW_YORK, 2026, 6, 1, 14, 0)) is None


def test_no_quiet_hours_and_an_empty_window_never_hold_a_message() -> None:
    moment = at(TOKYO, 2026, 6, 1, 23, 0)
    assert contact.quiet_until(person(), CapsSection(quiet_hours=""), moment) is None
    assert contact.quiet_until(person(), CapsSection(quiet_hours=None), moment) is None
    same = person(quiet_hours={"start": "22:00", "end": "22:00"})
    assert contact.quiet_until(same, CapsSection(quiet_hours=""), moment) is None


def test_quiet_hours_end_at_the_local_hour_across_a_daylight_saving_change() -> None:
    # New York springs forward on 8 March 2026 at 02:00: the night from the 7th is an hour shorter.
    caps = CapsSection(quiet_hours="22:00-07:00")
    facts = person(timezone="America/New_York")
    end = contact.quiet_until(facts, caps, at(NEW_YORK, 2026, 3, 7, 23, 0))
    assert end == at(NEW_YORK, 2026, 3, 8, 7, 0)
    assert end is not None and end - at(NEW_YORK, 2026, 3, 7, 23, 0) == 7 * 3_600_000


# --- did it help: the intervals, against the values Newcombe (1998) published ------------------------------------


@pytest.mark.parametrize(
    ("r", "n", "low", "high"),
    [  # Newcombe, Statistics in Medicine 17:857-872 (1998), table I, method 3 (Wilson's score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_intervals_match_the_published_values(r: int, n: int, low: float, high: float) -> None:
    found = outcomes.wilson(r, n)
    assert found.low == pytest.approx(low, abs=5e-5) and found.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(
    ("r1", "n1", "r2", "n2", "low", "high"),
    [  # Newcombe, Statistics in Medicine 17:873-890 (1998), table II, method 10 (hybrid score)
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0),
        (10, 10, 0, 10, 0.6075, 1.0),
    ],
)
def test_newcombe_intervals_match_the_published_values(
    r1: int, n1: int, r2: int, n2: int, low: float, high: float
) -> None:
    found = outcomes.newcombe(r1, n1, r2, n2)
    assert found.low == pytest.approx(low, abs=5e-5) and found.high == pytest.approx(high, abs=5e-5)


def test_an_empty_group_has_the_widest_interval() -> None:
    assert outcomes.wilson(0, 0) == outcomes.Interval(0.0, 1.0)


def test_the_verdict_follows_the_interval() -> None:
    def verdict(low: float, high: float) -> str:
        arm = outcomes.Arm(10, 10, 5)
        return outcomes.PlaybookOutcome("p", arm, arm, 7, "event", 0.1, outcomes.Interval(low, high)).verdict

    assert (verdict(0.01, 0.4), verdict(-0.4, -0.01), verdict(-0.1, 0.3)) == ("helped", "harmed", "unclear")
    arm = outcomes.Arm(3, 0, 0)
    assert outcomes.PlaybookOutcome("p", arm, arm, 7, "event", None, None).verdict == "too_early"
    assert arm.rate is None and outcomes.Arm(4, 4, 1).rate == 0.25


# --- the holdout ----------------------------------------------------------------------------------------------------


def test_the_holdout_keeps_about_its_share_out_and_each_customer_stays_in_one_arm() -> None:
    secret = b"a workspace secret"
    customers = [f"cus_{n:05d}" for n in range(4000)]
    tenth = [holdout.arm(secret, "rage_help", c, 0.1) for c in customers]
    half = [holdout.arm(secret, "rage_help", c, 0.5) for c in customers]
    # Binomial: 4000 draws at 0.1 have a standard deviation of 19; at 0.5, of 32. These bounds are 4 of them.
    assert 400 - 76 <= tenth.count("holdout") <= 400 + 76
    assert 2000 - 128 <= half.count("holdout") <= 2000 + 128
    assert set(tenth) == {"holdout", "treated"}
    # Stable: the same customer, the same arm; and one held out at 10 % is held out at 50 % too (one draw each).
    assert tenth == [holdout.arm(secret, "rage_help", c, 0.1) for c in customers]
    assert all(h == "holdout" for t, h in zip(tenth, half, strict=True) if t == "holdout")


def test_the_arm_depends_on_the_secret_and_the_playbook_and_nobody_is_held_out_at_zero() -> None:
    customers = [f"cus_{n:05d}" for n in range(400)]
    base = [holdout.arm(b"one", "rage_help", c, 0.5) for c in customers]
    assert base != [holdout.arm(b"two", "rage_help", c, 0.5) for c in customers]
    assert base != [holdout.arm(b"one", "stalled", c, 0.5) for c in customers]
    assert {holdout.arm(b"one", "rage_help", c, 0) for c in customers} == {"treated"}


# --- templates ------------------------------------------------------------------------------------------------------

TEMPLATES: dict[str, Any] = {
    "help": {
        "subject": {"en": "Can we help with {{ step }}?", "ja": "{{ step }}でお困りではありませんか"},
        "body": {
            "en": "Hello {{ first_name }},\n{{ owner_name }} from {{ company }} here. {{ goodwill }}\n\n",
            "ja": "{{ name }}様\n{{ company }}の{{ owner_name }}です。",
        },
        "tones": {
            "casual": {"subject": {"en": "Hey {{ first_name }}, stuck?"}, "body": {"en": "Hey {{ first_name }}!"}}
        },
    },
    "english_only": {"subject": {"en": "Hi"}, "body": {"en": "Only English"}},
}


@pytest.fixture(scope="module")
def care() -> CareSection:
    return CareSection.model_validate({**care_section(), "templates": TEMPLATES})


def values(lang: str, **given: str | None) -> dict[str, str]:
    base: dict[str, str | None] = {"company": "Tsumiki", "owner_name": "Ann", "step": "Export"}
    return templates.variables({**base, **given}, lang)


def test_a_message_is_drafted_in_the_customers_language(care: CareSection) -> None:
    ja = templates.render(care, "help", "ja", None, values("ja", name="田中 花子"))
    assert (ja.subject, ja.body, ja.language, ja.tone) == (
        "Exportでお困りではありませんか",
        "田中 花子様\nTsumikiのAnnです。\n",
        "ja",
        None,
    )
    en = templates.render(care, "help", "en", None, values("en", name="Aiko Tanaka", first_name="Aiko"))
    assert en.subject == "Can we help with Export?"
    assert en.body == "Hello Aiko,\nAnn from Tsumiki here.\n"  # trimmed, one final newline


def test_a_message_says_which_of_its_variables_had_no_value(care: CareSection) -> None:
    full = templates.render(care, "help", "ja", None, values("ja", name="田中 花子"))
    assert full.blanks == ()  # the Japanese text uses no {{ goodwill }}
    en = templates.render(care, "help", "en", None, values("en", step=None))
    assert en.subject == "Can we help with ?" and en.blanks == ("goodwill", "step")
    # A name never leaves a gap: it falls back to a polite word.
    assert "name" not in templates.render(care, "help", "ja", None, values("ja", name=None)).blanks


def test_a_tone_variant_is_used_when_it_exists_in_that_language(care: CareSection) -> None:
    casual = templates.render(care, "help", "en", "casual", values("en", first_name="Aiko"))
    assert (casual.subject, casual.body, casual.tone) == ("Hey Aiko, stuck?", "Hey Aiko!\n", "casual")
    # No Japanese casual variant: the plain Japanese text, and the message says no tone was used.
    ja = templates.render(care, "help", "ja", "casual", values("ja", name="田中"))
    assert ja.subject == "Exportでお困りではありませんか" and ja.tone is None
    # A tone without a variant at all: the plain text.
    assert templates.render(care, "help", "en", "formal", values("en")).tone is None


def test_a_language_the_template_lacks_falls_back_to_its_first(care: CareSection) -> None:
    message = templates.render(care, "english_only", "ja", None, values("ja"))
    assert (message.subject, message.body, message.language) == ("Hi", "Only English\n", "en")


def test_unknown_names_fall_back_politely_and_missing_values_are_empty() -> None:
    assert templates.variables({}, "en")["name"] == "there"
    assert templates.variables({}, "ja")["name"] == "お客"
    assert templates.variables({"name": "Aiko Tanaka"}, "en")["first_name"] == "Aiko Tanaka"  # first_name not given
    assert templates.variables({"step": None}, "en")["step"] == ""
    assert set(templates.variables({}, "en")) == {
        "name", "first_name", "company", "owner_name", "step", "next_step", "journey", "topic", "goodwill",
    }  # fmt: skip


def test_goodwill_is_said_in_the_customers_language_and_currency() -> None:
    offer = GoodwillOffer(kind="credit", value=10, reason="delay")
    assert templates.goodwill_words(offer, "EUR", "en") == "a credit of €10.00"
    ja = templates.goodwill_words(offer, "JPY", "ja")
    assert "10" in ja and ja != templates.goodwill_words(offer, "JPY", "en")
    assert templates.goodwill_words(None, "EUR", "en") == ""


def test_a_template_reads_its_variables_and_nothing_else() -> None:
    hostile = CareSection.model_validate(
        {
            **care_section(),
            "templates": {
                "peek": {"subject": {"en": "{{ name.__class__.__mro__ }}"}, "body": {"en": "x"}},
                "call": {"subject": {"en": "{{ name.format.__globals__ }}"}, "body": {"en": "x"}},
                "unknown": {"subject": {"en": "{{ secret }}"}, "body": {"en": "x"}},
            },
        }
    )
    with pytest.raises((SecurityError, UndefinedError)):
        templates.render(hostile, "peek", "en", None, values("en"))
    with pytest.raises((SecurityError, UndefinedError)):
        templates.render(hostile, "call", "en", None, values("en"))
    with pytest.raises(UndefinedError):
        templates.render(hostile, "unknown", "en", None, values("en"))
