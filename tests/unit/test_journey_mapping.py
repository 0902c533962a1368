"""Stage mapping, expected steps, cohorts and the follower's order-free rules, without a store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from omotenashi.config.journeys import JourneysSection
from omotenashi.journeys.cohort import CohortReader, clean, merge, month_of, parse_source
from omotenashi.journeys.consumer import final_run, left_times
from omotenashi.journeys.mapping import JourneyMapping, StepRef, journey_stage

SECTION = JourneysSection.model_validate(
    {
        "signup_event": "Signed Up",
        "cohorts": {
            "plan": {"first_of": ["signup.plan", "trait.plan"]},
            "source": {"first_of": ["signup.context.campaign.source", "trait.source"]},
            "signup_month": {"first_of": ["signup_time", "trait.createdAt"], "month": True},
        },
        "stages": {
            "discover": {"pages": [{"url": "https://www.example.com/*"}]},
            "purchase": {"events": ["Signed Up"], "pages": [{"path": "/pricing"}]},
            "use": {"events": ["Task Created"], "pages": ["App*"], "screens": ["*"]},
            "support": {"pages": [{"name": "Help*"}]},
            "recommend": {"events": [{"event": "Survey Submitted", "where": {"score": [9, 10]}}]},
            "renew": {"events": ["Survey Submitted"]},
        },
        "journeys": {
            "onboarding": {"steps": ["Account Created", "Profile Completed", "Teammate Invited"]},
            "setup": {"stage": "use", "steps": ["Profile Completed", "Integration Connected"]},
        },
    }
)
MAPPING = JourneyMapping(SECTION)


def props(**values: object) -> str:
    return json.dumps(values)


def test_track_events_map_by_name_and_where_rules_come_first():
    assert MAPPING.stage_of("track", "Signed Up", None, None) == "purchase"
    assert MAPPING.stage_of("track", "Task Created", None, "{}") == "use"
    assert MAPPING.stage_of("track", "Survey Submitted", None, props(score=9)) == "recommend"
    assert MAPPING.stage_of("track", "Survey Submitted", None, props(score=3)) == "renew"  # the plain rule
    assert MAPPING.stage_of("track", "Survey Submitted", None, "not json") == "renew"
    assert MAPPING.stage_of("track", "Unknown Event", None, None) is None
    assert MAPPING.stage_of("identify", None, None, None) is None


def test_a_step_event_no_stage_names_belongs_to_its_journeys_stage():
    # Account Created is not under `stages`; the onboarding journey has no stage, so none can be derived.
    assert journey_stage(SECTION, "setup") == "use"
    assert journey_stage(SECTION, "onboarding") is None
    assert MAPPING.stage_of("track", "Integration Connected", None, None) == "use"


def test_pages_exact_rules_beat_wildcards_then_the_files_order():
    pricing = props(path="/pricing", url="https://www.example.com/pricing")
    assert MAPPING.stage_of("page", "Pricing", None, pricing) == "purchase"
    home = props(url="https://www.example.com/")
    assert MAPPING.stage_of("page", "Home", None, home) == "discover"
    assert MAPPING.stage_of("page", None, "App board", "{}") == "use"
    assert MAPPING.stage_of("page", None, "Help: shipping", None) == "support"
    # The path is read from the url when the page has no `path`.
    assert MAPPING.stage_of("page", None, "Pricing", props(url="https://shop.example/pricing")) == "purchase"
    assert MAPPING.stage_of("screen", None, "Anything", None) == "use"
    assert MAPPING.stage_of("page", None, "Blog", props(url="https://blog.example.com/")) is None


def test_steps_of_an_event_in_every_journey_that_has_it():
    assert MAPPING.steps_of("track", "Profile Completed") == [StepRef("onboarding", 1), StepRef("setup", 0)]
    assert MAPPING.steps_of("track", "Nothing") == []
    assert MAPPING.steps_of("page", "Profile Completed") == []


def test_cohort_sources_parse_to_one_of_four_forms():
    assert parse_source("signup_time").kind == "signup_time"  # type: ignore[union-attr]
    assert parse_source("trait.plan").path == ("plan",)  # type: ignore[union-attr]
    assert parse_source("signup.context.campaign.source").path == ("campaign", "source")  # type: ignore[union-attr]
    assert parse_source("signup.plan").kind == "signup_property"  # type: ignore[union-attr]
    for bad in ("plan", "trait.", "signup..x", "event.plan"):
        assert parse_source(bad) is None


def test_cohort_values_are_short_plain_text_and_months_in_the_workspace_timezone():
    assert clean('te"am\\') == "team"
    assert clean(True) == "true" and clean(3.0) == "3" and clean(2.5) == "2.5"
    assert clean({"a": 1}) is None and clean("   ") is None
    assert len(clean("x" * 500) or "") == 64
    tokyo = ZoneInfo("Asia/Tokyo")
    assert month_of("2026-01-31T20:00:00Z", tokyo) == "2026-02"
    assert month_of("2026-01-31T20:00:00", ZoneInfo("UTC")) == "2026-01"
    ms = int(datetime(2025, 12, 31, 23, tzinfo=UTC).timestamp() * 1000)
    assert month_of(ms, tokyo) == "2026-01"
    assert month_of(ms // 1000, ZoneInfo("UTC")) == "2025-12"
    assert month_of("soon", tokyo) is None and month_of(True, tokyo) is None


def test_the_preferred_source_wins_then_the_earliest_event_whatever_the_arrival_order():
    reader = CohortReader(SECTION, "UTC")
    signup = reader.candidates(
        "track", "Signed Up", 2_000, 20, props(plan="team"), None, json.dumps({"campaign": {"source": "ads"}})
    )
    early_identify = reader.candidates("identify", None, 1_000, 30, None, props(plan="free", source="blog"), None)
    later_identify = reader.candidates("identify", None, 5_000, 40, None, props(plan="business"), None)
    assert {c.field: c.value for c in signup} == {"plan": "team", "source": "ads", "signup_month": "1970-01"}
    orders = [
        [signup, early_identify, later_identify],
        [later_identify, early_identify, signup],
        [early_identify, later_identify, signup],
    ]
    results = []
    for order in orders:
        state: dict[str, object] = {}
        for found in order:
            merge(state, found)
        results.append(state["values"])
    assert results[0] == results[1] == results[2] == {"plan": "team", "source": "ads", "signup_month": "1970-01"}
    # Without a signup event, the earliest identify gives the plan, and a later one never replaces it.
    state = {}
    merge(state, later_identify)
    assert merge(state, early_identify) is True
    assert state["values"] == {"plan": "free", "source": "blog"}  # type: ignore[index]
    assert merge(state, later_identify) is False


def test_messages_that_cannot_carry_a_cohort_are_not_read():
    reader = CohortReader(SECTION, "UTC")
    assert reader.relevant("identify", None) and reader.relevant("track", "Signed Up")
    assert not reader.relevant("track", "Task Created") and not reader.relevant("page", None)
    assert not CohortReader(None, "UTC").relevant("identify", None)


@pytest.mark.parametrize(
    ("entered", "left"),
    [
        ({0: 10, 1: 20, 2: 30}, {0: 20, 1: 30, 2: None}),
        ({0: 10, 2: 30}, {0: 30, 2: None}),  # a skipped step: step 0 was left when step 2 was reached
        ({0: 10, 1: 50, 2: 30}, {0: 30, 1: 50, 2: None}),  # out of order: never left before arriving
        ({1: 5}, {1: None}),
    ],
)
def test_each_step_is_left_at_the_earliest_arrival_at_a_later_one(entered, left):
    assert left_times(entered) == left


def test_the_current_stage_began_with_the_final_unbroken_run():
    newest_first = [(50, 5, "use"), (40, 4, "use"), (30, 3, "support"), (20, 2, "use")]
    assert final_run(newest_first) == ("use", 40, (50, 5))
    assert final_run([(10, 1, "purchase")]) == ("purchase", 10, (10, 1))
    assert final_run([]) is None


def test_no_journeys_section_maps_nothing():
    empty = JourneyMapping(None)
    assert not empty.active
    assert empty.stage_of("track", "Signed Up", None, None) is None
