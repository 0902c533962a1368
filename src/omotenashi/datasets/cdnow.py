"""CDNOW purchases (real): the 1/10 sample of Fader, Hardie & Lee (2005), and the full cohort it was drawn from
(23,570 customers who first bought in the first quarter of 1997), as shipped in the `lifetimes` package.

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
# The paper's split of the sample: 39 weeks of calibration, 39 of holdout.
CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)


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
                day=_day(ymd),
                cds=int(cds),
                dollars=float(dollars),
            )
        )
    return out


def cohort_rows() -> list[tuple[str, date, float]]:
    """Every purchase of the full cohort (CDNOW_master.txt) as (master id, date, dollars), ids as written."""
    out = []
    for line in dataset_path("CDNOW_master.txt").read_text().splitlines():
        parts = line.split()
        # The first line names the columns.
        if not parts or not parts[0].isdigit():
            continue
        master, ymd, _cds, dollars = parts
        out.append((master, _day(ymd), float(dollars)))
    return out


def sample_master_ids() -> set[str]:
    """The master ids (first column of CDNOW_sample.txt) of the 2,357 customers in the paper's sample."""
    return {parts[0] for line in dataset_path().read_text().splitlines() if (parts := line.split())}


def _day(ymd: str) -> date:
    """A date as the CDNOW files write it: yyyymmdd."""
    return date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8]))
