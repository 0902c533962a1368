"""What every command shares: the house-file option, settings, and printing errors well."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from omotenashi.config.settings import Settings
from omotenashi.core.errors import ConfigError, OmotenashiError

if TYPE_CHECKING:
    from omotenashi.bootstrap import Runtime

T = TypeVar("T")
# soft_wrap: never fold a line at the console width, so `file:line` and keys survive redirection and narrow terminals.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="The house file (default: $OMOTENASHI__HOUSE_FILE or ./omotenashi.yaml).",
        show_default=False,
    ),
]


def settings_with(config: Path | None) -> Settings:
    """Settings from the environment, with the house file the command line names."""
    settings = Settings()
    if config is not None:
        settings = settings.model_copy(update={"house_file": config})
    return settings


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Print our errors as what, where and how to fix, and exit non-zero, instead of a traceback."""
    try:
        yield
    except ConfigError as exc:
        for problem in exc.problems:
            err_console.print(problem.render(), markup=False, highlight=False)
        raise typer.Exit(2) from exc
    except OmotenashiError as exc:
        err_console.print(f"error: {exc.message}", markup=False, highlight=False)
        if exc.hint:
            err_console.print(f"hint: {exc.hint}", markup=False, highlight=False)
        raise typer.Exit(1) from exc


@contextmanager
def opened_runtime(config: Path | None) -> Iterator[Runtime]:
    """The runtime for a command that works on the store (its derived tables follow only when asked), closed after."""
    from omotenashi.bootstrap import build

    runtime = build(settings_with(config), follow=False)
    try:
        yield runtime
    finally:
        runtime.close()


def run_friendly(fn: Callable[[], T]) -> T:
    """Call fn, printing our errors nicely."""
    with friendly_errors():
        return fn()


def is_tty() -> bool:
    return sys.stderr.isatty()


def print_json(body: Any) -> None:
    """Print a report as indented JSON (infinite or NaN figures as null, anything else unusual as text)."""
    sys.stdout.write(json.dumps(body, indent=2, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)
