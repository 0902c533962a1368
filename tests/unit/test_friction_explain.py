"""Signals in plain words, in English and Japanese, whatever a tracker sent."""

from __future__ import annotations

import re

import pytest

from omotenashi.friction.explain import clean, duration, explain, severity, status, title
from omotenashi.friction.registry import KINDS

DETAILS = {
    "stall": {
        "step": "Profile Completed",
        "next_step": "First Project Created",
        "waited_ms": 3 * 86_400_000,
        "p90_ms": 9 * 3_600_000,
        "basis": "cohort",
        "cohort": "source",
        "cohort_value": "partner",
        "variant": "active_elsewhere",
        "visits": 3,
    },
    "help_loop": {"variant": "repeated_views", "views": 4, "minutes": 12.5, "title": "Refunds", "article": "kb-1"},
    "rage_click": {"text": "Export", "page": "/app/reports", "clicks": 5, "seconds": 0.9},
    "dead_click": {"text": "Download invoice", "page": "/app/invoices", "waited": 12.0},
    "error_click": {"text": "Connect Slack", "page": "/app/integrations", "times": 1, "message": "invalid_state"},
    "form_abandonment": {"variant": "abandoned", "form": "billing", "fields": ["card_name", "card_number"]},
    "repeated_question": {"times": 3, "days": 4.5, "channels": ["chat", "email", "chat"], "question": "Refund?"},
    "asked_twice": {"hours_later": 30, "question": "Charged twice", "reopened": True},
    "bot_loop": {"variant": "human_denied", "asked_for_person": 2, "suggestions": 3},
    "quiet_decline": {
        "recent_days": 28,
        "recent_active_days": 2,
        "expected_active_days": 14.2,
        "baseline_active_days": 28,
        "baseline_days": 56,
        "ratio": 0.14,
    },
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_explained_in_english_and_japanese(kind: str) -> None:
    en = explain(kind, DETAILS[kind], "en")
    ja = explain(kind, DETAILS[kind], "ja")
    assert en and ja and en != ja
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja), ja
    assert "%(" not in en + ja and title(kind, "ja") != title(kind, "en")


def test_a_stall_says_how_long_against_what_yardstick_and_whether_they_are_still_around() -> None:
    said = explain("stall", DETAILS["stall"], "en")
    assert said == (
        "Has been at “Profile Completed” for 3 days without reaching “First Project Created”. 90 % of customers "
        "like them (source: partner) take at most 9 hours. They still use the product (3 visits since)."
    )
    quiet = explain("stall", {**DETAILS["stall"], "variant": "gone_quiet"}, "ja")
    assert quiet.endswith("それ以降、お越しになっていません。") and " " not in quiet.split("。")[-2]
    done = explain("stall", DETAILS["stall"], "en", resolved=True)
    assert done.startswith("Took 3 days from “Profile Completed” to “First Project Created”.")


def test_a_quiet_decline_says_how_often_against_the_customers_own_habit() -> None:
    said = explain("quiet_decline", DETAILS["quiet_decline"], "en")
    assert said == (
        "Used the product on 2 of the last 28 days; before that, they came on 28 of 56 days, so about 14 would be "
        "usual for them (14 %)."
    )
    kept = {"recent_hours": 2, "recent_days": 28, "expected_hours": 14.2, "ratio": 0.14}  # a signal from before
    assert explain("quiet_decline", kept, "en").startswith("Used the product in 2 hours over the last 28 days")


def test_clicks_say_how_long_nothing_happened_and_how_often_an_error_showed_as_people_say_it() -> None:
    dead = DETAILS["dead_click"]
    assert explain("dead_click", dead, "en") == (
        "Clicked “Download invoice” on /app/invoices and nothing happened for 12 seconds."
    )
    # The device's next event may come days later (the customer left): said in days, not in 417,973.7 seconds.
    left = explain("dead_click", {**dead, "waited": 417_973.7}, "ja")
    assert left == "/app/invoicesで「Download invoice」をクリックしましたが、5 日間、何も起きませんでした。"
    once = explain("error_click", DETAILS["error_click"], "en")
    assert once == "Clicking “Connect Slack” on /app/integrations showed an error: “invalid_state”."
    thrice = explain("error_click", {**DETAILS["error_click"], "times": 3}, "en")
    assert thrice == "Clicking “Connect Slack” on /app/integrations showed an error (3 times): “invalid_state”."
    assert explain("error_click", DETAILS["error_click"], "ja").endswith("エラーが表示されました：「invalid_state」")


def test_what_a_tracker_sent_is_cleaned_cut_and_never_markup_on_its_own() -> None:
    hostile = "<img src=x onerror=alert(1)>\u202e\u0000" + "x" * 500
    said = explain("rage_click", {**DETAILS["rage_click"], "text": hostile}, "en")
    assert "\u202e" not in said and "\u0000" not in said and "…" in said and len(said) < 200
    assert clean(None) == "?" and clean(True) == "?" and clean(" a \n b ") == "a b"
    assert explain("nonsense", {}, "en") == "Friction of the kind “nonsense”."
    assert explain("help_loop", {"variant": "search_without_click"}, "en").startswith("Searched the help centre 0 ")


def test_labels_and_durations_in_both_languages() -> None:
    assert (severity(3, "en"), severity(1, "ja")) == ("high", "低")
    assert (status("open", "en"), status("resolved", "ja")) == ("ongoing", "解決済み")
    assert duration(90_000, "en") == "2 minutes" and duration(3 * 86_400_000, "ja") == "3 日"
