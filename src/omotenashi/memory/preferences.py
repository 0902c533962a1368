"""Preferences as first-class fields: read from traits, and resolved by who said what, when.

The most recent explicit choice (the customer's own, or one staff recorded with a reason) wins over anything
inferred; inferred values (e.g. the browser's locale) only fill gaps.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from omotenashi.config.house import PreferenceTraits

CHANNELS = ("email", "sms", "phone", "push", "post", "chat", "none")
TONES = ("formal", "casual", "warm", "brief")
_LANG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
EXPLICIT = ("customer", "staff")


@dataclass(frozen=True)
class Resolved:
    """A preference's current value, and where it came from."""

    name: str
    value: Any
    origin: str
    at: int
    source_id: str | None
    staff_id: str | None
    reason: str | None


def language(value: Any) -> str | None:
    """A language tag such as `ja` or `pt-BR`, or None when the value is not one."""
    if isinstance(value, str) and _LANG.match(value.strip()):
        head, _, tail = value.strip().replace("_", "-").partition("-")
        return head.lower() + (f"-{tail.upper() if len(tail) == 2 else tail}" if tail else "")
    return None


def quiet_hours(value: Any, default_tz: str | None = None) -> dict[str, str] | None:
    """Quiet hours as {start, end, timezone?} from `22:00-08:00` or a mapping; None when unreadable."""
    start = end = tz = None
    if isinstance(value, str):
        m = _HOURS.match(value)
        if m:
            start, end = f"{int(m[1]):02d}:{m[2]}", f"{int(m[3]):02d}:{m[4]}"
    elif isinstance(value, Mapping):
        raw_start, raw_end = value.get("start"), value.get("end")
        if isinstance(raw_start, str) and isinstance(raw_end, str):
            m = _HOURS.match(f"{raw_start}-{raw_end}")
            if m:
                start, end = f"{int(m[1]):02d}:{m[2]}", f"{int(m[3]):02d}:{m[4]}"
        tz = timezone(value.get("timezone"))
    if start is None or end is None:
        return None
    if not (0 <= int(start[:2]) < 24 and 0 <= int(end[:2]) < 24 and int(start[3:]) < 60 and int(end[3:]) < 60):
        return None
    out = {"start": start, "end": end}
    if tz or default_tz:
        out["timezone"] = tz or default_tz  # type: ignore[assignment]
    return out


def timezone(value: Any) -> str | None:
    """An IANA timezone name, or None."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return value


def flag(value: Any) -> bool | None:
    """A yes/no answer from a boolean or a common spelling of one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "yes", "1", "y"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "no", "0", "n"}:
        return False
    return None


def channel(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().lower() in CHANNELS:
        return value.strip().lower()
    return None


def tone(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().lower() in TONES:
        return value.strip().lower()
    return None


def from_traits(traits: Mapping[str, Any], mapping: PreferenceTraits) -> dict[str, Any]:
    """The preferences a customer stated in `identify` traits."""
    out: dict[str, Any] = {}
    simple: list[tuple[str, list[str], Any]] = [
        ("timezone", mapping.timezone, timezone),
        ("language", mapping.language, language),
        ("tone", mapping.tone, tone),
        ("channel", mapping.channel, channel),
        ("no_first_contact", mapping.no_first_contact, flag),
    ]
    for key, names, parse in simple:
        for name in names:
            if (value := parse(traits.get(name))) is not None:
                out[key] = value
    for name in mapping.quiet_hours:
        if (q := quiet_hours(traits.get(name), out.get("timezone"))) is not None:
            out["quiet_hours"] = q
    out.update(_per_purpose_channels(traits.get("channels")))
    return out


def _per_purpose_channels(value: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(value, Mapping):
        for purpose, choice in list(value.items())[:20]:
            valid = isinstance(purpose, str) and re.match(r"^[a-z][a-z0-9_-]{0,62}$", purpose)
            if valid and (c := channel(choice)) is not None:
                out[f"channel.{purpose}"] = c
    return out


def resolve(values: Iterable[Any]) -> dict[str, Resolved]:
    """Each preference's current value: the latest explicit choice, else the latest inferred value."""
    best: dict[str, Any] = {}
    for v in values:  # oldest first
        current = best.get(v.name)
        explicit = v.origin in EXPLICIT
        if current is None or explicit or current.origin not in EXPLICIT:
            best[v.name] = v
    return {
        name: Resolved(name, v.value, v.origin, v.at, v.source_id, v.staff_id, v.reason) for name, v in best.items()
    }


def channel_for(resolved: Mapping[str, Resolved], purpose: str) -> Resolved | None:
    """The channel the customer prefers for a purpose (a per-purpose choice wins over the general one)."""
    return resolved.get(f"channel.{purpose}") or resolved.get("channel")
