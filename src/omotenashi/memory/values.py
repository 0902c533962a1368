"""Values a tracker sent, checked before they are shown: text cleaned of invisible characters and cut to a line,
numbers finite and plausible, names compared loosely; anything else is None."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

TEXT_LIMIT = 80
MAX_AMOUNT = Decimal(10) ** 12
MAX_COUNT = 10_000_000
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})  # control, format (bidi overrides, zero-width), unassigned


def as_mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def clean_text(value: object, limit: int = TEXT_LIMIT) -> str | None:
    """Text fit to show: one line, no invisible characters, at most `limit` characters; None when there is none."""
    raw = as_text(value)
    if raw is None:
        return None
    head = raw[: limit * 4]  # a megabyte of text costs no more than its first few hundred characters
    kept = (" " if ch.isspace() else ch for ch in head if ch.isspace() or unicodedata.category(ch) not in _HIDDEN)
    text = " ".join("".join(kept).split())
    if not text:
        return None
    if len(text) > limit or len(raw) > len(head):
        return text[: limit - 1].rstrip() + "…"
    return text


def as_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # a flag is not a name
        return None
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 256 else None
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    return None


def plausible_decimal(value: object) -> Decimal | None:
    """A finite, plausible number from a JSON value ("12.5" counts), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value) if value.bit_length() < 64 else None
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() and abs(number) < MAX_AMOUNT else None


def plausible_count(value: object) -> int | None:
    number = plausible_decimal(value)
    if number is None or number != number.to_integral_value() or not 0 < number <= MAX_COUNT:
        return None
    return int(number)


def loose_key(name: str) -> str:
    """Event and trait names compared loosely: "Order Completed", "order_completed" and "orderCompleted" match."""
    return re.sub(r"[^a-z0-9]", "", name.lower())
