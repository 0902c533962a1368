"""The house file's `journeys:` section: the seven stages, rules that map events and pages to them, each journey's
expected steps and deadlines, and the cohorts baselines are computed per (checked in `journeys_check.py`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from omotenashi.config.types import Description, Slug, Strict

STAGES = ("discover", "purchase", "onboard", "use", "support", "renew", "recommend")


class EventRule(Strict):
    """A `track` event of a stage; a plain string in the house file is the event's name."""

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data: Any) -> Any:
        return {"event": data} if isinstance(data, str) else data

    event: str = Field(description="A `track` event name, exactly as sent.")
    where: dict[str, list[str | int | float | bool]] = Field(
        default_factory=dict,
        description="Only when each named property has one of the listed values, e.g. `{score: [9, 10]}`.",
    )


class PageRule(Strict):
    """Pages or screens of a stage: every glob given must match. A plain string is a glob over the name."""

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data: Any) -> Any:
        return {"name": data} if isinstance(data, str) else data

    name: str | None = Field(
        default=None, description="Glob over the page or screen name (`*` any characters), e.g. `Help*`."
    )
    path: str | None = Field(default=None, description="Glob over `properties.path`, e.g. `/app/*`.")
    url: str | None = Field(default=None, description="Glob over `properties.url`, e.g. `https://help.example.com/*`.")


class StageRules(Strict):
    events: list[EventRule] = Field(
        default_factory=list, description="`track` events of this stage: names, or `{event, where}` rules."
    )
    pages: list[PageRule] = Field(
        default_factory=list,
        description="`page` messages of this stage: a glob over the page name, or `{name, path, url}` globs.",
    )
    screens: list[PageRule] = Field(
        default_factory=list, description="`screen` messages of this stage: a glob over the screen name, or a rule."
    )


class CohortField(Strict):
    first_of: list[str] = Field(
        description="Where the value is read, in order of preference: `signup.<property>`, "
        "`signup.context.<path>`, `signup_time` (all of the signup event) or `trait.<name>` (an `identify` trait)."
    )
    month: bool = Field(
        default=False,
        description="Keep only the month (`YYYY-MM`, in the workspace's timezone) of a time (ISO 8601 or epoch).",
    )


class JourneySpec(Strict):
    title: Description | None = Field(default=None, description="The journey's name shown to staff, per language.")
    steps: list[str] = Field(description="The expected steps, in order: the `track` event that marks each one.")
    stage: str | None = Field(
        default=None,
        description="The stage the journey belongs to; default: the stage its first step's event is mapped to.",
    )
    deadline_hours: dict[str, Annotated[float, Field(gt=0)]] = Field(
        default_factory=dict,
        description="Per step: at most how many hours after the step before it a customer should reach it.",
    )
    cohort: list[str] = Field(
        default_factory=list, description="Cohort fields (declared under `journeys.cohorts`) baselines are split by."
    )


class JourneysSection(Strict):
    stages: dict[str, StageRules] = Field(
        default_factory=dict,
        description="Which events, pages and screens belong to each of the seven stages of a customer's journey.",
    )
    signup_event: str | None = Field(
        default=None, description="The `track` event that marks a signup; cohorts read its properties and time."
    )
    cohorts: dict[Slug, CohortField] = Field(
        default_factory=dict, description="Cohort fields (e.g. plan, source, signup_month) and where each is read."
    )
    journeys: dict[Slug, JourneySpec] = Field(
        default_factory=dict, description="Journeys with expected steps; keys are journey ids, e.g. `onboarding`."
    )
    min_cohort_size: int = Field(
        default=20,
        ge=1,
        description="Fewest customers who moved on for a cohort's baseline to be used instead of everyone's.",
    )
    dropout_days: int = Field(
        default=14, ge=1, description="A customer silent this many days while still at a step has left there."
    )
    refresh_minutes: int = Field(
        default=60, ge=1, description="How often transition-time baselines are computed again."
    )
