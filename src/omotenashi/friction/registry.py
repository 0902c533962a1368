"""The detectors, by name: which exist, in a fixed order (their timer codes), and building the enabled ones."""

from __future__ import annotations

from omotenashi.config.house import HouseFile
from omotenashi.friction.asked_twice import AskedTwice
from omotenashi.friction.base import Detector
from omotenashi.friction.bot_loop import BotLoop
from omotenashi.friction.dead_click import DeadClick
from omotenashi.friction.error_click import ErrorClick
from omotenashi.friction.form_abandonment import FormAbandonment
from omotenashi.friction.help_loop import HelpLoop
from omotenashi.friction.quiet_decline import QuietDecline
from omotenashi.friction.rage_click import RageClick
from omotenashi.friction.repeated_question import RepeatedQuestion
from omotenashi.friction.stall import Stall

# Never reorder: a detector's position is its code in stored timers. Add new detectors at the end.
KINDS: tuple[str, ...] = (
    "stall",
    "help_loop",
    "rage_click",
    "dead_click",
    "error_click",
    "form_abandonment",
    "repeated_question",
    "asked_twice",
    "bot_loop",
    "quiet_decline",
)
CODES = {name: i for i, name in enumerate(KINDS)}


def build(house: HouseFile) -> list[Detector]:
    """The house file's enabled detectors, in registry order."""
    section = house.friction
    if not section.enabled:
        return []
    d, names = section.detectors, section.event_names
    made: dict[str, Detector] = {
        "stall": Stall(d.stall, names, house.journeys),
        "help_loop": HelpLoop(d.help_loop, names),
        "rage_click": RageClick(d.rage_click, names),
        "dead_click": DeadClick(d.dead_click, names),
        "error_click": ErrorClick(d.error_click, names),
        "form_abandonment": FormAbandonment(d.form_abandonment, names),
        "repeated_question": RepeatedQuestion(d.repeated_question, names),
        "asked_twice": AskedTwice(d.asked_twice, names),
        "bot_loop": BotLoop(d.bot_loop, names),
        "quiet_decline": QuietDecline(d.quiet_decline, names),
    }
    return [made[name] for name in KINDS if getattr(d, name).enabled]
