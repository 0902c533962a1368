"""The house file's `friction:` section: which detectors run, what each needs, and the event names they read.

Every detector has its own strict model (unknown keys are errors that name the line); defaults follow the event
conventions of docs/events.md, so a tracking plan that uses Segment's usual names needs no configuration at all.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from omotenashi.config.types import Strict


class DetectorSettings(Strict):
    enabled: bool = Field(default=True, description="Whether this detector runs.")
    purposes: list[str] = Field(
        default_factory=lambda: ["care"],
        min_length=1,
        description="Purposes an event must be kept for before this detector may read it; a customer whose consent "
        "does not cover all of them gets no signal of this kind.",
    )


class StallSettings(DetectorSettings):
    journeys: list[str] | None = Field(
        default=None, description="Journey ids to watch (default: every journey of the `journeys:` section)."
    )
    p90_factor: float = Field(
        default=2.0,
        ge=1.0,
        le=20.0,
        description="A customer is stalled after this many times their cohort's 90th percentile in a step (or "
        "after the step's `journeys.journeys.<id>.deadline_hours`). 1.0 flags the slowest tenth of normal customers "
        "too; 2.0 waits until a step took twice as long as it takes nine in ten.",
    )
    quiet_minutes: int = Field(
        default=60,
        ge=1,
        description="Activity later than this after entering the step means 'still active elsewhere'; none means "
        "'gone quiet'.",
    )


class HelpLoopSettings(DetectorSettings):
    help_paths: list[str] = Field(
        default_factory=lambda: ["/articles/*"],
        description="Paths (glob patterns over `properties.path`) of help-centre articles; a page whose properties "
        "carry `article_property` is one too.",
    )
    article_property: str = Field(default="article_id", description="The property naming the article read.")
    min_views: int = Field(default=3, ge=2, description="Help-article views within the window that make a loop.")
    view_window_minutes: int = Field(default=30, ge=1, description="Window for repeated views.")
    min_searches: int = Field(default=3, ge=2, description="Searches in a row, none clicked, that make a loop.")
    search_window_minutes: int = Field(default=10, ge=1, description="Window for searches without a click.")


class RageClickSettings(DetectorSettings):
    min_clicks: int = Field(default=3, ge=2, description="Clicks in a burst.")
    within_ms: int = Field(default=1_000, ge=100, description="The burst's first `min_clicks` clicks fall within this.")
    radius_px: int = Field(default=30, ge=1, description="Every click of the burst lies within this many pixels.")
    gap_ms: int = Field(default=600, ge=50, description="Longest pause between two clicks of one burst.")
    answer_ms: int = Field(
        default=2_000, ge=100, description="An answer from the product this soon after the burst resolves it."
    )
    ignore_selectors: list[str] = Field(
        default_factory=lambda: ["p.*"],
        description="Selectors (glob patterns) whose clicks are never rage: text selected by double and triple clicks.",
    )


class DeadClickSettings(DetectorSettings):
    wait_seconds: float = Field(
        default=5.0, ge=0.5, description="A click followed by nothing from the same device for this long is dead."
    )
    ignore_selectors: list[str] = Field(
        default_factory=lambda: ["p.*"], description="Selectors (glob patterns) whose clicks are never dead."
    )


class ErrorClickSettings(DetectorSettings):
    within_ms: int = Field(default=1_000, ge=50, description="An error shown this soon after a click was caused by it.")
    ignore_selectors: list[str] = Field(
        default_factory=list, description="Selectors (glob patterns) whose errors are not friction."
    )
    ignore_messages: list[str] = Field(
        default_factory=list, description="Error messages (glob patterns) that are not friction."
    )
    fixed_within_days: int = Field(
        default=14, ge=1, le=90, description="A click that works this soon after the last error resolves the signal."
    )


class FormAbandonmentSettings(DetectorSettings):
    idle_minutes: int = Field(
        default=30, ge=1, description="A form left untouched this long, never submitted, is abandoned."
    )
    min_redo: int = Field(default=3, ge=2, description="Changes of one field that count as hesitating over it.")
    ignore_forms: list[str] = Field(default_factory=list, description="Forms (glob patterns) never watched.")


Similarity = Literal["tfidf", "embeddings"]


class QuestionSettings(DetectorSettings):
    window_days: float = Field(
        default=14, gt=0, le=365, description="A contact this soon after the last one (or its resolution) repeats it."
    )
    similarity: Similarity = Field(
        default="tfidf",
        description="`tfidf` (scikit-learn, the default) or `embeddings` (needs `pip install "
        "'omotenashi[embeddings]'`).",
    )
    threshold: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Similarity from which two contacts are about the same thing (default: tuned per method).",
    )
    repeat_cues: list[str] | None = Field(
        default=None,
        description="Regular expressions (any case) of words saying 'I asked this before'; a contact with one needs "
        "only a tenth of `threshold` to be tied to an earlier one. Default: English and Japanese phrases such as "
        "`second time`, `already asked`, `still not fixed`, `以前にも`.",
    )


class BotLoopSettings(DetectorSettings):
    max_suggestions: int = Field(
        default=3, ge=2, description="Articles the bot suggests, with no person joining, that make a loop."
    )
    human_wait_minutes: int = Field(
        default=10, ge=1, description="A person asked for and not joined within this long is a loop."
    )


class QuietDeclineSettings(DetectorSettings):
    baseline_days: int = Field(
        default=56, ge=21, le=365, description="Days of the customer's own use before a recent span to compare it with."
    )
    recent_days: int = Field(
        default=21, ge=7, le=120, description="The shortest recent span compared with the baseline (whole weeks)."
    )
    max_recent_days: int = Field(
        default=42, ge=7, le=180, description="The longest recent span compared (spans grow a week at a time)."
    )
    max_ratio: float = Field(
        default=0.35, gt=0.0, lt=1.0, description="Recent use at most this share of the baseline's is a decline."
    )
    min_baseline_visits: int = Field(
        default=6, ge=2, description="Active days in the baseline before it counts (fewer is too little to fall from)."
    )
    confidence: float = Field(
        default=0.9995,
        ge=0.5,
        lt=1.0,
        description="How sure the drop must be not to be chance (a hypergeometric test on active days).",
    )
    recover_ratio: float = Field(
        default=0.7, gt=0.0, le=2.0, description="The last two weeks back to this share of the baseline's use ends it."
    )
    signup_events: list[str] = Field(
        default_factory=lambda: ["Signed Up"],
        description="Events that say the customer has just signed up: their first two weeks after it are no baseline.",
    )
    stop_events: list[str] = Field(
        default_factory=lambda: ["Subscription Cancelled"],
        description="Events after which falling use is the expected end of the relationship, not a quiet decline.",
    )


class FrictionDetectors(Strict):
    stall: StallSettings = Field(default_factory=StallSettings, description="Stuck in a journey step.")
    help_loop: HelpLoopSettings = Field(default_factory=HelpLoopSettings, description="Help and search loops.")
    rage_click: RageClickSettings = Field(default_factory=RageClickSettings, description="Bursts of clicks.")
    dead_click: DeadClickSettings = Field(default_factory=DeadClickSettings, description="Clicks answered by nothing.")
    error_click: ErrorClickSettings = Field(
        default_factory=ErrorClickSettings, description="Clicks answered by an error."
    )
    form_abandonment: FormAbandonmentSettings = Field(
        default_factory=FormAbandonmentSettings, description="Forms started and left, or hesitated over."
    )
    repeated_question: QuestionSettings = Field(
        default_factory=QuestionSettings, description="The same question asked more than once."
    )
    asked_twice: QuestionSettings = Field(
        default_factory=QuestionSettings, description="Asking again about a matter marked resolved."
    )
    bot_loop: BotLoopSettings = Field(default_factory=BotLoopSettings, description="Going round in circles with a bot.")
    quiet_decline: QuietDeclineSettings = Field(
        default_factory=QuietDeclineSettings, description="Use falling against the customer's own baseline."
    )


class FrictionEventNames(Strict):
    click: str = Field(default="Element Clicked", description="A click (properties `selector`, `x`, `y`, `page`).")
    error: str = Field(default="Error Shown", description="An error message shown (property `message`).")
    field_focused: str = Field(default="Form Field Focused", description="A form field focused (`form`, `field`).")
    field_changed: str = Field(default="Form Field Changed", description="A form field changed (`form`, `field`).")
    form_submitted: str = Field(default="Form Submitted", description="A form submitted (`form`).")
    help_article: str = Field(
        default="Help Article Viewed", description="A help article read in an app (`article_id`)."
    )
    help_searched: str = Field(default="Help Searched", description="A help search (`query`, `results`).")
    search_result_clicked: str = Field(default="Search Result Clicked", description="A search result opened.")
    ticket_created: str = Field(default="Ticket Created", description="A ticket (`ticket_id`, `subject`, `body`).")
    ticket_reopened: str = Field(default="Ticket Reopened", description="A resolved ticket answered (`ticket_id`).")
    ticket_resolved: str = Field(default="Ticket Resolved", description="A ticket marked resolved (`ticket_id`).")
    chat_started: str = Field(default="Chat Started", description="A chat begun (`conversation_id`).")
    chat_message: str = Field(
        default="Chat Message Sent", description="A chat line (`conversation_id`, `from`, `text`)."
    )
    chat_ended: str = Field(default="Chat Ended", description="A chat ended (`conversation_id`, `resolved`).")
    bot_suggested: str = Field(default="Bot Suggested Article", description="The bot offered an article.")
    human_requested: str = Field(default="Human Requested", description="The customer asked for a person.")
    agent_joined: str = Field(default="Agent Joined", description="A person joined the chat.")
    handoff_failed: str = Field(default="Handoff Failed", description="Handing the chat to a person failed.")


class FrictionSection(Strict):
    enabled: bool = Field(default=True, description="Whether friction is detected at all.")
    ignore_user_agents: list[str] = Field(
        default_factory=lambda: ["bot", "crawler", "spider"],
        description="Events whose `context.userAgent` contains one of these words (any case) come from robots "
        "and are never read.",
    )
    event_names: FrictionEventNames = Field(
        default_factory=FrictionEventNames, description="The names of the events the detectors read."
    )
    detectors: FrictionDetectors = Field(
        default_factory=FrictionDetectors, description="Each detector's settings; every detector is on by default."
    )


# For the loader's "did you mean" on unknown keys: section name → its model.
SECTION_MODELS: dict[str, type[BaseModel]] = {
    "friction": FrictionSection,
    "event_names": FrictionEventNames,
    "detectors": FrictionDetectors,
    **{name: field.annotation for name, field in FrictionDetectors.model_fields.items()},  # type: ignore[misc]
}
