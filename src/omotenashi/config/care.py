"""The house file's `care:` section: teams, channels, message templates, playbooks, caps, goodwill budgets.

A playbook says **when** (a friction signal, an anticipation over or under a threshold, a journey deadline, or a
schedule), **who** (conditions on stage, traits, language or preferred channel: never a sensitive attribute), and
**then** what (a care item with its suggested actions, owner, due time and priority). Checks that need the rest of the
house file (known signals, template variables, languages, sensitive traits) live in `care_check.py`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from omotenashi.config.types import Strict

CareSlug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]
Priority = Literal["urgent", "high", "normal", "low"]
PRIORITIES: tuple[str, ...] = ("urgent", "high", "normal", "low")
GOODWILL_KINDS: tuple[str, ...] = ("credit", "extension", "gift", "fee_waiver")
GoodwillKind = Literal["credit", "extension", "gift", "fee_waiver"]
Tone = Literal["formal", "casual", "warm", "brief"]
# What a message template may say; `care/templates.py` fills them, and `omotenashi check` refuses any other name.
TEMPLATE_VARIABLES: dict[str, str] = {
    "name": "the customer's name (else a polite greeting word)",
    "first_name": "the first word of the customer's name",
    "company": "the workspace's name",
    "owner_name": "the name of the staff member who owns the item",
    "step": "the journey step the customer is at (signals and deadlines)",
    "next_step": "the step they have not reached yet (deadlines and stalls)",
    "journey": "the journey's title",
    "topic": "what the customer asked about (repeated questions), else empty",
    "goodwill": "the suggested goodwill gesture, e.g. `a credit of 10.00 USD`",
}
# Anticipations a playbook may start from (docs/anticipation.md).
ANTICIPATION_KINDS: tuple[str, ...] = (
    "expected_purchases",
    "buys_again",
    "still_active",
    "churn_risk",
    "support_contact_risk",
)


class TeamSection(Strict):
    title: dict[str, str] = Field(default_factory=dict, description="The team's name per language, shown to staff.")
    members: list[str] = Field(
        min_length=1, description="Staff e-mail addresses of the team's members (as in `omotenashi staff add`)."
    )
    routing: Literal["round_robin", "least_loaded"] = Field(
        default="least_loaded",
        description="How a new item of the team finds its owner: in turn (`round_robin`) or to the member with the "
        "fewest open items (`least_loaded`).",
    )
    goodwill_budget: float = Field(
        default=0, ge=0, description="Goodwill the whole team may grant per period (0: only the per-person budget)."
    )


class CapsSection(Strict):
    max_contacts: int = Field(
        default=1,
        ge=1,
        le=50,
        description="Proactive contacts a customer may receive within `per_days`, all playbooks.",
    )
    per_days: int = Field(default=7, ge=1, le=365, description="The window of the frequency cap, in days.")
    quiet_hours: str | None = Field(
        default="21:00-08:00",
        description="Hours (`HH:MM-HH:MM`, in the customer's timezone, else the workspace's) when no message is sent "
        "to a customer who set none of their own; a message is held until they end. Empty: none.",
    )


class SmtpChannel(Strict):
    type: Literal["smtp"] = Field(description="E-mail through an SMTP server.")
    host: str = Field(default="127.0.0.1", description="The SMTP server.")
    port: int = Field(default=25, ge=1, le=65535, description="Its port (587 with `starttls`, 465 with `ssl`).")
    sender: str = Field(description="The From address, e.g. `Care team <care@shop.example>`.")
    starttls: bool = Field(default=False, description="Upgrade the connection with STARTTLS.")
    ssl: bool = Field(default=False, description="Connect over TLS from the start (port 465).")
    username: str | None = Field(default=None, description="SMTP user, when the server asks for authentication.")
    password_env: str | None = Field(
        default=None, description="Name of the environment variable holding the SMTP password (never the password)."
    )
    timeout_seconds: float = Field(default=10, gt=0, le=120, description="How long to wait for the server.")


class FolderChannel(Strict):
    type: Literal["folder"] = Field(
        description="E-mail written as `.eml` files into a folder instead of sent: for trials and the demo."
    )
    path: str = Field(description="The folder, relative to the house file's folder.")
    sender: str = Field(default="care@example.invalid", description="The From address written into each message.")


class WebhookChannel(Strict):
    type: Literal["webhook"] = Field(description="A signed HTTP POST of the care item to your own system.")
    url: str = Field(description="Where to POST (http or https).")
    secret_env: str | None = Field(
        default=None,
        description="Environment variable holding the signing secret: each request carries "
        "`X-Omotenashi-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of 't.body'>`.",
    )
    max_attempts: int = Field(default=8, ge=1, le=50, description="Attempts before the delivery is dead-lettered.")
    backoff_seconds: float = Field(
        default=30, gt=0, description="Wait before the second attempt; doubled after each failure."
    )
    max_backoff_seconds: float = Field(default=3600, gt=0, description="The longest wait between two attempts.")
    timeout_seconds: float = Field(default=10, gt=0, le=120, description="How long one attempt may take.")


class SlackChannel(Strict):
    type: Literal["slack"] = Field(description="A Slack-compatible incoming webhook (a JSON `text` message).")
    url: str | None = Field(default=None, description="The incoming-webhook URL (or use `url_env`).")
    url_env: str | None = Field(default=None, description="Environment variable holding the incoming-webhook URL.")
    max_attempts: int = Field(default=5, ge=1, le=50, description="Attempts before the delivery is dead-lettered.")
    backoff_seconds: float = Field(default=30, gt=0, description="Wait before the second attempt; then doubled.")
    max_backoff_seconds: float = Field(default=3600, gt=0, description="The longest wait between two attempts.")
    timeout_seconds: float = Field(default=10, gt=0, le=120, description="How long one attempt may take.")

    @model_validator(mode="after")
    def _one_url(self) -> SlackChannel:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of `url` and `url_env`")
        return self


Channel = Annotated[SmtpChannel | FolderChannel | WebhookChannel | SlackChannel, Field(discriminator="type")]
EMAIL_TYPES = ("smtp", "folder")
NOTIFY_TYPES = ("webhook", "slack")


class ToneText(Strict):
    subject: dict[str, str] = Field(default_factory=dict, description="The subject line per language.")
    body: dict[str, str] = Field(default_factory=dict, description="The body per language.")


class TemplateSection(Strict):
    subject: dict[str, str] = Field(
        description="The subject line per language; `{{ first_name }}` and the other variables of docs/care.md."
    )
    body: dict[str, str] = Field(description="The message per language (plain text).")
    tones: dict[Tone, ToneText] = Field(
        default_factory=dict,
        description="Variants for a customer's preferred tone (formal, casual, warm, brief); the plain text above is "
        "used for a tone without one.",
    )


class DeadlineTrigger(Strict):
    journey: str = Field(description="A journey id of `journeys.journeys`.")
    step: str = Field(description="The step the customer should have reached (one of the journey's steps).")
    hours: float = Field(gt=0, description="Hours after the step before it, after which the deadline has passed.")


class ScheduleTrigger(Strict):
    every_days: int = Field(ge=1, le=366, description="Once per this many days, for every customer `who` matches.")


class WhenSection(Strict):
    signal: str | None = Field(default=None, description="A friction signal kind, e.g. `stall`, `bot_loop`.")
    min_severity: int = Field(default=1, ge=1, le=3, description="With `signal`: the lowest severity (1–3).")
    anticipation: str | None = Field(
        default=None, description="An anticipation kind, e.g. `still_active`, `buys_again`, `churn_risk`."
    )
    above: float | None = Field(default=None, description="With `anticipation`: a score above this.")
    below: float | None = Field(default=None, description="With `anticipation`: a score below this.")
    deadline: DeadlineTrigger | None = Field(default=None, description="A journey step not reached in time.")
    schedule: ScheduleTrigger | None = Field(default=None, description="A regular check-in.")

    @model_validator(mode="after")
    def _exactly_one(self) -> WhenSection:
        given = [k for k in ("signal", "anticipation", "deadline", "schedule") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "say exactly one of `signal`, `anticipation`, `deadline` or `schedule`"
                + (f" (found {', '.join(given)})" if given else "")
            )
        if self.anticipation is not None and (self.above is None) == (self.below is None):
            raise ValueError("with `anticipation`, give exactly one of `above` and `below`")
        return self

    @property
    def kind(self) -> str:
        """signal, anticipation, deadline or schedule."""
        return next(k for k in ("signal", "anticipation", "deadline", "schedule") if getattr(self, k) is not None)


class WhoSection(Strict):
    stages: list[str] = Field(default_factory=list, description="Only customers now in one of these stages.")
    traits: dict[str, list[str | int | float | bool]] = Field(
        default_factory=dict,
        description="Only customers whose trait has one of the listed values, e.g. `{plan: [team, business]}`; a "
        "trait the data map marks as a special category is refused.",
    )
    languages: list[str] = Field(default_factory=list, description="Only customers who prefer one of these languages.")
    channels: list[str] = Field(
        default_factory=list, description="Only customers whose preferred channel is one of these (email, phone…)."
    )


class MessageAction(Strict):
    template: str = Field(description="A template id of `care.templates`.")
    channel: str = Field(default="email", description="An e-mail channel of `care.channels` (type smtp or folder).")
    send: Literal["review", "auto"] = Field(
        default="review",
        description="`review`: staff edit and send it from the care queue; `auto`: sent when the item is created "
        "(still within caps, quiet hours, consent and 'don't contact me first').",
    )


class GoodwillOffer(Strict):
    kind: GoodwillKind = Field(description="credit, extension, gift or fee_waiver.")
    value: float = Field(gt=0, description="Its value in the workspace's goodwill currency.")
    reason: str = Field(description="A reason code of `care.goodwill.reason_codes`.")


class OwnerSection(Strict):
    team: str | None = Field(default=None, description="The team whose member owns the item (default: the first).")
    account_owner_trait: str | None = Field(
        default=None,
        description="A trait holding the e-mail of the customer's account owner among the staff: when set and known, "
        "they own the item.",
    )


class ThenSection(Strict):
    purpose: str = Field(default="care", description="The purpose a contact serves; its consent is checked at sending.")
    message: MessageAction | None = Field(default=None, description="A message to the customer, from a template.")
    call: bool = Field(default=False, description="Suggest a call (logged from the care queue).")
    goodwill: GoodwillOffer | None = Field(default=None, description="Suggest a goodwill gesture.")
    fix: dict[str, str] = Field(
        default_factory=dict, description="Something to fix on the customer's behalf, described per language."
    )
    webhook: str | None = Field(default=None, description="A webhook channel told of every new item (signed POST).")
    notify: str | None = Field(default=None, description="A Slack-compatible channel told of every new item.")
    owner: OwnerSection = Field(default_factory=OwnerSection, description="Who owns the item.")
    due_hours: float = Field(default=24, gt=0, le=24 * 90, description="The SLA: the item is due this long after.")
    priority: Priority = Field(default="normal", description="urgent, high, normal or low.")


class OutcomeSection(Strict):
    recovered_when: Literal["signal_resolved", "event", "no_event"] = Field(
        default="signal_resolved",
        description="When the customer counts as recovered: the signal behind the item resolved, an `event` happened "
        "(e.g. a purchase, a renewal), or `no_event` happened (e.g. no support contact).",
    )
    event: str | None = Field(default=None, description="With `event` or `no_event`: the `track` event's name.")
    within_days: int = Field(default=14, ge=1, le=365, description="How long after the item the outcome is read.")

    @model_validator(mode="after")
    def _event_named(self) -> OutcomeSection:
        if self.recovered_when in ("event", "no_event") and not self.event:
            raise ValueError(f"`recovered_when: {self.recovered_when}` needs `event:` (a track event's name)")
        return self


class PlaybookSection(Strict):
    title: dict[str, str] = Field(description="What the playbook is for, per language, shown on every item.")
    enabled: bool = Field(default=True, description="Whether it creates items.")
    when: WhenSection = Field(description="What starts it.")
    who: WhoSection = Field(default_factory=WhoSection, description="For whom.")
    then: ThenSection = Field(default_factory=ThenSection, description="The care item and its suggested actions.")
    outcome: OutcomeSection = Field(default_factory=OutcomeSection, description="How recovery is measured.")
    holdout_share: float | None = Field(
        default=None,
        ge=0,
        le=0.5,
        description="Share of customers kept out at random, to measure whether it helps (default: "
        "`care.holdout_share`).",
    )


class ReachAPersonSection(Strict):
    team: str | None = Field(default=None, description="The team that answers (default: the first team).")
    due_minutes: int = Field(default=30, ge=1, le=24 * 60, description="How soon a person must answer.")
    notify: str | None = Field(default=None, description="A Slack-compatible channel told at once of every such task.")


def _all_goodwill_kinds() -> list[GoodwillKind]:
    return ["credit", "extension", "gift", "fee_waiver"]


class GoodwillSection(Strict):
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code of every value.")
    period: Literal["week", "month", "quarter"] = Field(default="month", description="Budgets renew every period.")
    per_person: float = Field(default=100, ge=0, description="What one staff member may grant per period.")
    approval_above: float = Field(
        default=50, ge=0, description="A grant worth more than this waits for a lead's approval (and holds budget)."
    )
    kinds: list[GoodwillKind] = Field(
        default_factory=_all_goodwill_kinds,
        description="The gestures staff may grant.",
    )
    reason_codes: dict[CareSlug, dict[str, str]] = Field(
        default_factory=lambda: {
            "service_failure": {"en": "We let you down", "ja": "当社の不手際"},
            "delay": {"en": "Something took too long", "ja": "お待たせしたこと"},
            "billing_error": {"en": "A billing mistake", "ja": "請求の誤り"},
            "inconvenience": {"en": "Trouble we caused you", "ja": "ご不便をおかけしたこと"},
        },
        description="Why goodwill is granted: code → label per language.",
    )


class CareSection(Strict):
    teams: dict[CareSlug, TeamSection] = Field(
        default_factory=dict, description="Teams of staff who own care items; keys are team ids."
    )
    channels: dict[CareSlug, Channel] = Field(
        default_factory=dict, description="Where messages and notifications go; keys are channel ids."
    )
    templates: dict[CareSlug, TemplateSection] = Field(
        default_factory=dict, description="Message templates per language and tone; keys are template ids."
    )
    playbooks: dict[CareSlug, PlaybookSection] = Field(
        default_factory=dict, description="What turns a signal or an anticipation into a care item."
    )
    caps: CapsSection = Field(default_factory=CapsSection, description="Frequency cap and default quiet hours.")
    holdout_share: float = Field(
        default=0.1, ge=0, le=0.5, description="Default share of customers each playbook keeps out, at random."
    )
    reach_a_person: ReachAPersonSection = Field(
        default_factory=ReachAPersonSection,
        description="A bot loop or an unanswered request for a person always becomes an urgent task for a person.",
    )
    goodwill: GoodwillSection = Field(default_factory=GoodwillSection, description="Goodwill gestures and budgets.")
    evaluate_seconds: int = Field(
        default=5, ge=1, le=3600, description="How often `serve` looks for new signals, anticipations and deadlines."
    )

    def team_of(self, team: str | None) -> str | None:
        """The team id an owner rule names, else the first team."""
        if team is not None:
            return team
        return next(iter(self.teams), None)


SECTION_MODELS: dict[str, Any] = {
    "care": CareSection,
    "teams": TeamSection,
    "caps": CapsSection,
    "templates": TemplateSection,
    "tones": ToneText,
    "playbooks": PlaybookSection,
    "when": WhenSection,
    "deadline": DeadlineTrigger,
    "schedule": ScheduleTrigger,
    "who": WhoSection,
    "then": ThenSection,
    "message": MessageAction,
    "owner": OwnerSection,
    "outcome": OutcomeSection,
    "reach_a_person": ReachAPersonSection,
    "goodwill": GoodwillSection,
}
