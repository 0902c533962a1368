"""A signal in plain words, in the reader's language: what the customer went through, with numbers and a yardstick.

"Has been at “Profile Completed” for 3 days without reaching “First Project Created”; 90 % of customers like them
take at most 9 hours." Built from the signal's details when it is shown (not when it was found), so a reader gets it
in their own language. Everything a tracker sent (page names, queries, button texts) is cleaned of invisible
characters and cut short; the sentence is plain text and templates escape it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from babel.dates import format_timedelta

from omotenashi.i18n import N_, translator

TEXT_LIMIT = 60
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})

TITLES = {
    "stall": N_("Stuck in a step"),
    "help_loop": N_("Going round the help centre"),
    "rage_click": N_("Rage clicks"),
    "dead_click": N_("A click that did nothing"),
    "error_click": N_("A click that showed an error"),
    "form_abandonment": N_("A form left or hesitated over"),
    "repeated_question": N_("Asked the same thing again"),
    "asked_twice": N_("Had to ask twice"),
    "bot_loop": N_("Going round in circles with the bot"),
    "quiet_decline": N_("Quietly using the product less"),
}
SEVERITIES = {1: N_("low"), 2: N_("medium"), 3: N_("high")}
STATUSES = {"open": N_("ongoing"), "resolved": N_("resolved")}


def clean(value: object, limit: int = TEXT_LIMIT) -> str:
    """Text a tracker sent, fit to quote: one line, no invisible characters, at most `limit` characters."""
    if isinstance(value, bool) or value is None:
        return "?"
    text = value if isinstance(value, str) else str(value) if isinstance(value, int | float) else "?"
    head = text[: limit * 4]
    kept = "".join(" " if ch.isspace() else ch for ch in head if unicodedata.category(ch) not in _HIDDEN)
    text = " ".join(kept.split()) or "?"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _number(value: object, default: float = 0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)


def _then(lang: str, first: str, *more: str) -> str:
    """Sentences one after another (Japanese puts no space between them)."""
    gap = "" if lang == "ja" else " "
    return gap.join([first, *(m for m in more if m)])


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _count(value: object) -> str:
    number = _number(value)
    return str(int(number)) if number == int(number) else f"{number:.1f}"


def duration(ms: object, lang: str) -> str:
    """A span of time as people say it: "3 days", "9 hours" (「3日」)."""
    seconds = max(0.0, _number(ms) / 1000)
    return format_timedelta(timedelta(seconds=seconds), threshold=1.1, locale=lang)


def title(kind: str, lang: str) -> str:
    """The name of a kind of signal, in the reader's language."""
    return translator(lang)(TITLES[kind]) if kind in TITLES else clean(kind)


def severity(level: int, lang: str) -> str:
    return translator(lang)(SEVERITIES.get(level, SEVERITIES[2]))


def status(value: str, lang: str) -> str:
    return translator(lang)(STATUSES[value]) if value in STATUSES else clean(value)


def explain(kind: str, details: Mapping[str, Any], lang: str, *, resolved: bool = False) -> str:
    """Explain, in the reader's language, why this signal fired."""
    _ = translator(lang)
    d = details
    if kind == "stall":
        return _stall(d, lang, resolved)
    if kind == "help_loop":
        if d.get("variant") == "search_without_click":
            return _(
                "Searched the help centre %(n)s times in %(minutes)s minutes without opening a result "
                "(last search: “%(query)s”).",
                n=_count(d.get("searches")),
                minutes=_count(d.get("minutes")),
                query=clean(d.get("query")),
            )
        if d.get("variant") == "back_and_forth":
            return _(
                "Went back and forth between %(page)s and the help article “%(title)s”, %(n)s views in "
                "%(minutes)s minutes.",
                page=clean(d.get("page")),
                title=clean(d.get("title") or d.get("article")),
                n=_count(d.get("views")),
                minutes=_count(d.get("minutes")),
            )
        return _(
            "Opened help articles %(n)s times in %(minutes)s minutes, “%(title)s” more than once.",
            n=_count(d.get("views")),
            minutes=_count(d.get("minutes")),
            title=clean(d.get("title") or d.get("article")),
        )
    if kind == "rage_click":
        said = _(
            "Clicked “%(text)s” on %(page)s %(n)s times in %(seconds)s seconds.",
            text=clean(d.get("text") or d.get("selector")),
            page=clean(d.get("page")),
            n=_count(d.get("clicks")),
            seconds=_count(d.get("seconds")),
        )
        return _then(lang, said, _("It answered in the end.") if resolved else _("Nothing happened."))
    if kind == "dead_click":
        return _(
            "Clicked “%(text)s” on %(page)s and nothing happened for %(waited)s.",
            text=clean(d.get("text") or d.get("selector")),
            page=clean(d.get("page")),
            waited=duration(_number(d.get("waited")) * 1000, lang),
        )
    if kind == "error_click":
        return _error_click(d, lang)
    if kind == "form_abandonment":
        return _form(d, lang)
    if kind == "repeated_question":
        channels = _list(d.get("channels"))
        return _(
            "Asked about the same thing %(n)s times in %(days)s days, through %(channels)s: “%(question)s”.",
            n=_count(d.get("times")),
            days=_count(d.get("days")),
            channels=", ".join(dict.fromkeys(clean(c, 20) for c in channels)) or "?",
            question=clean(d.get("question"), 100),
        )
    if kind == "asked_twice":
        said = _(
            "Came back %(later)s after their question was marked resolved: “%(question)s”.",
            later=duration(_number(d.get("hours_later")) * 3_600_000, lang),
            question=clean(d.get("question"), 100),
        )
        return _then(lang, said, _("They answered the resolved ticket.") if d.get("reopened") is True else "")
    if kind == "bot_loop":
        return _bot(d, lang)
    if kind == "quiet_decline":
        if "recent_active_days" not in d:  # a signal kept from before use was counted in active days
            return _(
                "Used the product in %(recent)s hours over the last %(days)s days, where their own habit means about "
                "%(expected)s (%(percent)s %%).",
                recent=_count(d.get("recent_hours")),
                days=_count(d.get("recent_days")),
                expected=_count(round(_number(d.get("expected_hours")))),
                percent=_count(round(_number(d.get("ratio")) * 100)),
            )
        return _(
            "Used the product on %(recent)s of the last %(days)s days; before that, they came on %(base)s of "
            "%(base_days)s days, so about %(expected)s would be usual for them (%(percent)s %%).",
            recent=_count(d.get("recent_active_days")),
            days=_count(d.get("recent_days")),
            base=_count(d.get("baseline_active_days")),
            base_days=_count(d.get("baseline_days")),
            expected=_count(round(_number(d.get("expected_active_days")))),
            percent=_count(round(_number(d.get("ratio")) * 100)),
        )
    return _("Friction of the kind “%(kind)s”.", kind=clean(kind))


def _stall(d: Mapping[str, Any], lang: str, resolved: bool) -> str:
    _ = translator(lang)
    values = {
        "step": clean(d.get("step")),
        "next": clean(d.get("next_step")),
        "waited": duration(d.get("waited_ms"), lang),
    }
    if resolved:
        said = _("Took %(waited)s from “%(step)s” to “%(next)s”.", **values)
    else:
        said = _("Has been at “%(step)s” for %(waited)s without reaching “%(next)s”.", **values)
    if d.get("basis") == "deadline":
        said = _then(
            lang, said, _("The step should take at most %(limit)s.", limit=duration(d.get("threshold_ms"), lang))
        )
    elif d.get("p90_ms"):
        cohort = d.get("cohort")
        if cohort and cohort != "all":
            said = _then(
                lang,
                said,
                _(
                    "90 %% of customers like them (%(key)s: %(value)s) take at most %(p90)s.",
                    key=clean(cohort, 30),
                    value=clean(d.get("cohort_value"), 30),
                    p90=duration(d.get("p90_ms"), lang),
                ),
            )
        else:
            said = _then(lang, said, _("90 %% of customers take at most %(p90)s.", p90=duration(d.get("p90_ms"), lang)))
    if not resolved:
        if d.get("variant") == "gone_quiet":
            said = _then(lang, said, _("They have not been back since."))
        else:
            said = _then(lang, said, _("They still use the product (%(n)s visits since).", n=_count(d.get("visits"))))
    return said


def _error_click(d: Mapping[str, Any], lang: str) -> str:
    _ = translator(lang)
    said = {
        "text": clean(d.get("text") or d.get("selector")),
        "page": clean(d.get("page")),
        "message": clean(d.get("message"), 100),
    }
    if _number(d.get("times")) <= 1:
        return _("Clicking “%(text)s” on %(page)s showed an error: “%(message)s”.", **said)
    return _(
        "Clicking “%(text)s” on %(page)s showed an error (%(n)s times): “%(message)s”.",
        n=_count(d.get("times")),
        **said,
    )


def _form(d: Mapping[str, Any], lang: str) -> str:
    _ = translator(lang)
    form = clean(d.get("form"))
    if d.get("variant") == "hesitated":
        said = _(
            "Changed “%(field)s” %(n)s times while filling in the form “%(form)s”",
            field=clean(d.get("field")),
            n=_count(d.get("changes")),
            form=form,
        )
        return said + (_(", and submitted it in the end.") if d.get("submitted") is True else _(", and left it."))
    fields = _list(d.get("fields"))
    return _(
        "Started the form “%(form)s” (%(fields)s) and left without submitting it.",
        form=form,
        fields=", ".join(clean(f, 30) for f in fields[:5]) or "?",
    )


def _bot(d: Mapping[str, Any], lang: str) -> str:
    _ = translator(lang)
    variant = d.get("variant")
    if variant == "handoff_failed":
        return _("Handing the chat to a person failed (%(reason)s).", reason=clean(d.get("reason"), 40))
    if variant == "human_denied":
        return _(
            "Asked for a person %(n)s times and none joined; the bot offered %(articles)s articles instead.",
            n=_count(d.get("asked_for_person")),
            articles=_count(d.get("suggestions")),
        )
    return _("The support bot suggested %(n)s articles and no person joined.", n=_count(d.get("suggestions")))
