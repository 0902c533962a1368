"""The synthetic world: its settings, its calendar and its customers, each drawn deterministically from the seed.

A customer is drawn from `(seed, index)` alone, so customer 17 is the same person whoever else exists, the world
can be generated in chunks on several processes, and the output is byte-identical for a seed. Everyone here is
made up: ids start with `sim-`, addresses end in `example.com`, IP addresses come from the documentation ranges.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
WEEK_MS = 7 * DAY_MS
DEFAULT_START = date(2026, 1, 5)  # a Monday
BENCH_SEED = 73_001  # `omotenashi bench friction` measures on this seed; tests use others
# Weekday activity relative to the weekly mean (Monday first).
WEEKDAY = (1.18, 1.2, 1.2, 1.16, 1.06, 0.6, 0.6)
# Hour-of-day weights (local time) of when sessions start.
_HOURS = (0, 0, 0, 0, 0, 0, 1, 3, 7, 10, 10, 9, 7, 9, 10, 9, 8, 6, 5, 5, 4, 3, 2, 1)
_HOUR_CUM = [sum(_HOURS[: i + 1]) for i in range(24)]
LOCALES = (  # locale, language, IANA timezone (fixed offsets: the simulator ignores daylight saving), hours, weight
    ("en-US", "en", "America/New_York", -5, 30),
    ("en-US", "en", "America/Los_Angeles", -8, 14),
    ("en-GB", "en", "Europe/London", 0, 14),
    ("de-DE", "en", "Europe/Berlin", 1, 10),
    ("fr-FR", "en", "Europe/Paris", 1, 7),
    ("ja-JP", "ja", "Asia/Tokyo", 9, 12),
    ("en-AU", "en", "Australia/Sydney", 10, 5),
    ("en-IN", "en", "Asia/Kolkata", 5, 8),
)
SOURCES = (("organic", 38), ("search_ads", 22), ("referral", 15), ("partner", 10), ("social", 15))
FIRST = tuple(
    "Aiko Ben Chiara Daisuke Emma Farid Grace Hiro Ines Jun Kofi Lena Mateo Noor Olu Priya Quinn Rin Sam Tomas Uma Vik "
    "Wen Yara Zoe".split()
)
COMPANY_WORDS = tuple(
    "Acorn Birch Cobalt Dune Ember Fjord Granite Harbor Iris Juniper Kestrel Lumen Maple Nimbus Orchid Pine Quartz "
    "Ridge Sage Tide".split()
)
COMPANY_KINDS = ("Studio", "Labs", "Works", "Collective", "Partners", "Agency", "Co.")
ENGAGEMENT = (("light", 0.1, 40), ("casual", 0.35, 33), ("regular", 0.9, 20), ("power", 2.2, 7))  # visits/week


@dataclass(frozen=True)
class WorldConfig:
    """What world to generate: how many customers, over how many days from `start`, from which seed."""

    customers: int = 1_000
    days: int = 90
    seed: int = 1
    start: date = DEFAULT_START
    scale: float = 1.0  # multiplies how often customers use the product (not how often friction is planted)
    existing_share: float = 0.7  # customers who signed up before the window opens

    @cached_property
    def start_ms(self) -> int:
        """The window's first millisecond."""
        return int(datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC).timestamp() * 1000)

    @cached_property
    def end_ms(self) -> int:
        """The first millisecond after the window."""
        return self.start_ms + self.days * DAY_MS

    def rng(self, index: int, stream: str = "") -> random.Random:
        """The random stream of one customer (or of a named part of the world): independent of every other."""
        return random.Random(f"omotenashi-simulator/{self.seed}/{index}/{stream}")  # noqa: S311 - synthetic data


@dataclass(frozen=True)
class Customer:
    """One made-up customer as the company's systems know them, and the habits the simulator gives them."""

    index: int
    user_id: str
    web_id: str  # anonymousId of their browser
    app_id: str | None  # anonymousId of their phone app, when they use it
    email: str
    first_name: str
    name: str
    company: str
    locale: str
    language: str
    timezone: str
    offset_ms: int
    ip: str
    source: str
    plan: str  # at signup (new) or when the window opens (existing)
    signup_ms: int
    existing: bool
    engagement: str
    weekly: float  # baseline sessions per week, before `scale`
    app_share: float  # share of sessions on the phone app
    team_size: int
    troubled: bool  # their account meets more bugs than most (friction planted three times as often)
    double_clicker: bool  # habitually double-clicks cards: a look-alike of rage clicks
    doc_reader: bool  # reads several articles in a row: a look-alike of help loops

    @property
    def signup_month(self) -> str:
        """The cohort month of signing up, YYYY-MM."""
        return datetime.fromtimestamp(self.signup_ms / 1000, tz=UTC).strftime("%Y-%m")

    def local_ms(self, day_start_ms: int, hour: float) -> int:
        """The UTC millisecond of `hour` (local time) on the local day that starts with UTC day `day_start_ms`."""
        return day_start_ms - self.offset_ms + int(hour * HOUR_MS)


def weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    """One name from (name, weight) pairs."""
    total = sum(w for _, w in options)
    roll = rng.random() * total
    for name, weight in options:
        roll -= weight
        if roll < 0:
            return name
    return options[-1][0]


def session_hour(rng: random.Random) -> float:
    """A local hour a session starts at, following the day's rhythm."""
    roll = rng.random() * _HOUR_CUM[-1]
    for hour, cum in enumerate(_HOUR_CUM):
        if roll < cum:
            return hour + rng.random()
    return 12.0


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def draw_customer(config: WorldConfig, index: int, rng: random.Random) -> Customer:
    """Customer `index` of the world, drawn from their own random stream."""
    locale, language, tz, hours, _ = _pick_locale(rng)
    existing = rng.random() < config.existing_share
    if existing:
        signup_ms = config.start_ms - rng.randrange(20, 540) * DAY_MS - rng.randrange(DAY_MS)
        plan = weighted(rng, (("free", 55), ("team", 33), ("business", 12)))
    else:
        signup_ms = config.start_ms + int(rng.random() * config.days * DAY_MS)
        plan = weighted(rng, (("free", 62), ("team", 30), ("business", 8)))
    engagement = weighted(rng, tuple((name, weight) for name, _, weight in ENGAGEMENT))
    base = next(rate for name, rate, _ in ENGAGEMENT if name == engagement)
    weekly = base * math.exp(rng.gauss(0, 0.35)) * (1.4 if plan != "free" else 1.0)
    first = rng.choice(FIRST)
    tag = f"{index:06d}"
    return Customer(
        index=index,
        user_id=f"sim-u-{tag}",
        web_id=f"sim-a-{rng.getrandbits(48):012x}",
        app_id=f"sim-d-{rng.getrandbits(48):012x}" if rng.random() < 0.35 else None,
        email=f"sim-u-{tag}@example.com",
        first_name=first,
        name=f"{first} {chr(65 + rng.randrange(26))}.",
        company=f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}",
        locale=locale,
        language=language,
        timezone=tz,
        offset_ms=hours * HOUR_MS,
        ip=f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randrange(1, 255)}",
        source=weighted(rng, SOURCES),
        plan=plan,
        signup_ms=signup_ms,
        existing=existing,
        engagement=engagement,
        weekly=weekly,
        app_share=rng.uniform(0.2, 0.6),
        team_size=1 + int(rng.expovariate(0.25)) if plan != "free" else 1 + int(rng.expovariate(0.8)),
        troubled=rng.random() < 0.08,
        double_clicker=rng.random() < 0.15,
        doc_reader=rng.random() < 0.1,
    )


def _pick_locale(rng: random.Random) -> tuple[str, str, str, int, int]:
    total = sum(x[4] for x in LOCALES)
    roll = rng.random() * total
    for entry in LOCALES:
        roll -= entry[4]
        if roll < 0:
            return entry
    return LOCALES[0]
