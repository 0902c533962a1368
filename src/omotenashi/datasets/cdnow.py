"""CDNOW purchases (real): the 1/10 sample of Fader, Hardie & Lee (2005), as shipped in the `lifetimes` package.

Read from the installed package's files, without importing `lifetimes.datasets` (which needs `pkg_resources`).
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from omotenashi.core.errors import MissingExtra

SAMPLE_SHA256_PREFIX = "6fae1015"


@dataclass(frozen=True)
class Purchase:
    """One line of CDNOW_sample.txt."""

    line: int
    customer_id: int
    day: date
    cds: int
    dollars: float


def dataset_path(name: str = "CDNOW_sample.txt") -> Path:
    """Where the installed `lifetimes` package keeps a CDNOW file."""
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtra(
            "the CDNOW data ships inside the `lifetimes` package, which is not installed",
            hint="pip install lifetimes",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / name
    if not path.exists():
        raise MissingExtra(f"{path} is missing from the `lifetimes` package", hint="reinstall lifetimes")
    return path


def sample_checksum() -> str:
    """sha256 of the sample file, to compare with the reference copy."""
    return hashlib.sha256(dataset_path().read_bytes()).hexdigest()


def purchases() -> list[Purchase]:
    """Every purchase of the CDNOW sample (6,919 by 2,357 customers, 1997-01-01 to 1998-06-30)."""
    out = []
    text = dataset_path().read_text()
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        _master, sample_id, ymd, cds, dollars = parts
        out.append(
            Purchase(
                line=number,
                customer_id=int(sample_id),
                day=date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8])),
                cds=int(cds),
                dollars=float(dollars),
            )
        )
    return out
