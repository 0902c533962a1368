"""Intake benchmark (to be filled)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def run(events: int, progress: Callable[..., Any] | None = None) -> dict[str, Any]:
    raise NotImplementedError
