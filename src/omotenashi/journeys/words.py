"""Journeys said in plain words, in the reader's language: stage names, and where a customer is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_timedelta
from babel.numbers import format_percent

from omotenashi.config.house import HouseFile
from omotenashi.core.clock import from_epoch_ms
from omotenashi.i18n import N_, translator
from omotenashi.store.journeys import LIFECYCLE, Position

STAGE_LABELS = {
    "discover": N_("Discover"),
    "purchase": N_("Purchase"),
    "onboard": N_("Onboard"),
    "use": N_("Use"),
    "support": N_("Support"),
    "renew": N_("Renew"),
    "recommend": N_("Recommend"),
}
AT_STEP = N_("%(journey)s: reached “%(step)s” (step %(n)s of %(total)s) on %(date)s; next: “%(next)s”.")
COMPLETED = N_("%(journey)s: completed (“%(step)s” on %(date)s).")
STAGE_NOW = N_("Stage now: %(stage)s, since %(date)s.")


def journey_title(house: HouseFile, journey: str, lang: str) -> str:
    """The journey's name as the house file gives it in the reader's language (else its id)."""
    spec = house.journeys.journeys.get(journey) if house.journeys else None
    if spec is None or spec.title is None:
        return journey
    return spec.title.ja if lang == "ja" and spec.title.ja else spec.title.en


def describe_positions(house: HouseFile, positions: Sequence[Position], lang: str) -> str | None:
    """Where a customer is, in one or two sentences: each journey in progress or done, then the current stage.

    With several records of one person (merged customers), the most recent position per journey counts.
    """
    _ = translator(lang)
    zone = ZoneInfo(house.timezone)

    def day(ms: int) -> str:
        return format_date(from_epoch_ms(ms).astimezone(zone), "medium", locale=lang)

    latest: dict[str, Position] = {}
    for p in positions:
        if p.journey not in latest or (p.last_event_at, p.last_seq) > (
            latest[p.journey].last_event_at,
            latest[p.journey].last_seq,
        ):
            latest[p.journey] = p
    parts: list[str] = []
    steps_of = house.journeys.journeys if house.journeys else {}
    for jid, p in sorted(latest.items()):
        spec = steps_of.get(jid)
        if jid == LIFECYCLE or spec is None or p.step_index is None or p.step is None:
            continue
        title = journey_title(house, jid, lang)
        if p.step_index + 1 >= len(spec.steps):
            parts.append(_(COMPLETED, journey=title, step=p.step, date=day(p.entered_at)))
        else:
            parts.append(
                _(
                    AT_STEP,
                    journey=title,
                    step=p.step,
                    n=p.step_index + 1,
                    total=len(spec.steps),
                    date=day(p.entered_at),
                    next=spec.steps[p.step_index + 1],
                )
            )
    stage = latest.get(LIFECYCLE)
    if stage is not None:
        label = _(STAGE_LABELS[stage.stage]) if stage.stage in STAGE_LABELS else stage.stage
        parts.append(_(STAGE_NOW, stage=label, date=day(stage.entered_at)))
    return " ".join(parts) or None


BUCKET_LABELS = (
    N_("under 1 min"),
    N_("1–10 min"),
    N_("10–60 min"),
    N_("1–6 hours"),
    N_("6–24 hours"),
    N_("1–3 days"),
    N_("3–7 days"),
    N_("1–2 weeks"),
    N_("2 weeks or more"),
)
FINDING_TEXTS = {
    "drop_off": N_("%(rate)s of the customers who reached this step left here (%(others)s at the other steps)."),
    "delay": N_(
        "%(rate)s took longer than %(threshold)s to move on, or are still waiting (%(others)s at the other steps)."
    ),
    "cohort_delay": N_("Customers with %(key)s “%(value)s” take %(ratio)s× as long as everyone to move on."),
}


def duration(ms: int | None, lang: str) -> str:
    """A duration in words, rounded to what a reader needs: "12 minutes", "3 days"."""
    if ms is None:
        return "—"
    return format_timedelta(timedelta(milliseconds=ms), threshold=2, format="short", locale=lang)


def percent(share: float | None, lang: str) -> str:
    """A share as a percentage in the reader's locale."""
    if share is None:
        return "—"
    return format_percent(share, format="#,##0.#%", locale=lang)


def finding_text(kind: str, lang: str, **values: object) -> str:
    """Why a step is abnormal, in the reader's language."""
    _ = translator(lang)
    return _(FINDING_TEXTS[kind], **values)
