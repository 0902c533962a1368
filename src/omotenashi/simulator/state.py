"""What the simulator knows about one customer while it lives their window: plan, onboarding, support, churn."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from omotenashi.simulator.frictions import Book, Due, Label
from omotenashi.simulator.text import Writer
from omotenashi.simulator.timeline import Timeline
from omotenashi.simulator.world import DAY_MS, Customer, WorldConfig


@dataclass
class Decline:
    """Usage falling against the customer's own baseline: from `start_ms`, down to `floor` over `ramp_ms`."""

    start_ms: int
    ramp_ms: int
    floor: float
    recover_ms: int | None
    cause: str
    label: Label | None = None

    def factor(self, ms: int) -> float:
        """How much of the baseline usage is left at `ms`."""
        if ms < self.start_ms or (self.recover_ms is not None and ms >= self.recover_ms):
            return 1.0
        done = min(1.0, (ms - self.start_ms) / self.ramp_ms)
        return 1.0 - done * (1.0 - self.floor)


@dataclass
class Contact:
    """One time the customer reached support about a matter."""

    ms: int
    channel: str
    opening: str  # messageId of the message that asked
    resolved_ms: int | None
    resolution: str | None  # messageId of the message that marked it resolved
    reopened: bool = False  # a reply to a resolved ticket rather than a new contact


@dataclass
class Stall:
    """A planted onboarding stall, finished when the customer's window is over."""

    step: str
    entered_ms: int
    entry: str  # messageId of the step before
    resolved_ms: int | None
    variant: str
    label: Label


@dataclass
class Life:
    """One customer's state while the simulator lives their window."""

    config: WorldConfig
    customer: Customer
    rng: random.Random
    tl: Timeline
    book: Book
    writer: Writer
    plan: str
    trial_end_ms: int | None = None
    renew_ms: int | None = None
    payment_retry_ms: int | None = None
    churned_ms: int | None = None  # when they left for good (a cancelled subscription's period end, dormancy)
    cancelled_ms: int | None = None  # when they cancelled their subscription
    churn_reason: str | None = None
    silent_until: int = 0  # gone quiet: no visits or contacts before this
    busy_until: int = 0  # the end of the customer's last visit or contact: the next one starts after it
    steps: dict[str, int] = field(default_factory=dict)  # onboarding step → when it happened
    step_plan: list[tuple[str, int]] = field(default_factory=list)  # steps still to come, with their times
    stall_plan: tuple[str, str, int | None] | None = None  # (step, variant, resolved at) of a planted stall
    stall: Stall | None = None
    decline: Decline | None = None
    vacation: tuple[int, int] | None = None
    due: list[Due] = field(default_factory=list)
    support_due: list[tuple[int, str, str]] = field(default_factory=list)  # (ms, topic, why) contacts to make
    matters: dict[str, list[Contact]] = field(default_factory=dict)  # the current run of contacts per topic
    open_questions: dict[str, Label] = field(default_factory=dict)  # the repeated-question label of each run
    ticket_ids: dict[str, str] = field(default_factory=dict)  # messageId that opened a ticket → its ticket_id
    sessions: list[tuple[int, str]] = field(default_factory=list)  # (start ms, first messageId) of each visit
    tickets: int = 0
    conversations: int = 0
    contacts: int = 0
    projects: int = 0
    upgraded_ms: int | None = None
    nps: int | None = None
    identified: bool = False  # whether an identify call has told the company who they are in this window

    @property
    def has_project(self) -> bool:
        """Whether the customer has a project to work in (existing customers always do)."""
        return self.customer.existing or "First Project Created" in self.steps

    @property
    def onboarded(self) -> bool:
        """Whether every onboarding step is done."""
        return self.customer.existing or "Teammate Invited" in self.steps

    def gone(self, ms: int) -> bool:
        """Whether the customer has left for good by `ms`."""
        return self.churned_ms is not None and self.churned_ms <= ms

    def quiet(self, ms: int) -> bool:
        """Whether the customer is away (gone, in a gone-quiet stall, or on holiday) at `ms`."""
        if self.gone(ms) or ms < self.silent_until:
            return True
        return self.vacation is not None and self.vacation[0] <= ms < self.vacation[1]

    def after_busy(self, ms: int) -> int:
        """`ms`, or a little after the customer's last visit or contact when that had not ended by then."""
        if ms > self.busy_until + 5 * 60_000:
            return ms
        return self.busy_until + self.rng.randint(5 * 60_000, 90 * 60_000)

    def ticket_id(self) -> str:
        """A new ticket id of the support desk."""
        self.tickets += 1
        return f"T-{self.customer.index:06d}-{self.tickets:02d}"

    def conversation_id(self) -> str:
        """A new chat conversation id."""
        self.conversations += 1
        return f"C-{self.customer.index:06d}-{self.conversations:02d}"

    def day_of(self, ms: int) -> int:
        """The window's day number of `ms`."""
        return (ms - self.config.start_ms) // DAY_MS
