"""Who bought when, for how much: purchases as columns, and the per-customer summary the models read.

Time is counted in whole days (days since 1970-01-01); the models read weeks (days / 7), as in Fader, Hardie &
Lee (2005). Several purchases by one customer on one day are one purchase occasion: `frequency` counts repeat
purchase *days*, which is how the paper, and the CDNOW summary shipped with it, count.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from omotenashi.core.errors import OmotenashiError

EPOCH = date(1970, 1, 1)
Row = tuple[str, date, float]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def day_number(day: date) -> int:
    """Days since 1970-01-01: the unit every array here counts in."""
    return (day - EPOCH).days


def day_of(number: int) -> date:
    """The calendar day of a day number."""
    return EPOCH + timedelta(days=int(number))


@dataclass(frozen=True)
class Transactions:
    """Purchases as columns sorted by customer, then day; `customer` holds positions in `ids`."""

    ids: Sequence[str]
    customer: IntArray
    day: IntArray
    amount: FloatArray

    @classmethod
    def from_rows(cls, rows: Iterable[Row]) -> Transactions:
        """Columns from (customer id, date, amount) rows in any order."""
        index: dict[str, int] = {}
        customers: list[int] = []
        days: list[int] = []
        amounts: list[float] = []
        for customer_id, day, amount in rows:
            customers.append(index.setdefault(str(customer_id), len(index)))
            days.append(day_number(day))
            amounts.append(float(amount))
        # Customers numbered in the order of their ids, not of the rows: the same purchases in any order give the
        # same table, and so the same models.
        ids = sorted(index)
        renumber = np.empty(len(ids), dtype=np.int64)
        renumber[[index[i] for i in ids]] = np.arange(len(ids))
        return cls.from_arrays(
            ids,
            renumber[np.asarray(customers, dtype=np.int64)] if customers else np.zeros(0, dtype=np.int64),
            np.asarray(days, dtype=np.int64),
            np.asarray(amounts, dtype=np.float64),
        )

    @classmethod
    def from_arrays(cls, ids: Sequence[str], customer: IntArray, day: IntArray, amount: FloatArray) -> Transactions:
        """Columns from arrays in any order (sorted here, stably)."""
        # Amount last: same-day amounts are then added up in one order, whatever order the rows came in.
        order = np.lexsort((amount, day, customer))
        return cls(ids, customer[order], day[order], amount[order])

    def __len__(self) -> int:
        return int(self.customer.size)

    def rows(self) -> list[Row]:
        """Back to (customer id, date, amount) rows, in stored order."""
        return [
            (self.ids[c], day_of(d), float(a))
            for c, d, a in zip(self.customer.tolist(), self.day.tolist(), self.amount.tolist(), strict=True)
        ]

    def purchase_days(self) -> Transactions:
        """One row per customer and day, amounts added up: the purchase occasions the models count."""
        if len(self) == 0:
            return self
        starts = np.flatnonzero(
            np.r_[True, (self.customer[1:] != self.customer[:-1]) | (self.day[1:] != self.day[:-1])]
        )
        return Transactions(self.ids, self.customer[starts], self.day[starts], np.add.reduceat(self.amount, starts))

    def until(self, last_day: int) -> Transactions:
        """Only the purchases made on or before `last_day`: what was known at the end of that day."""
        keep = self.day <= last_day
        return Transactions(self.ids, self.customer[keep], self.day[keep], self.amount[keep])

    def first_day(self) -> IntArray:
        """Each customer's first purchase day (by position in `ids`; -1 for a customer with no purchase)."""
        first = np.full(len(self.ids), -1, dtype=np.int64)
        # Sorted by day within a customer, so the reversed assignment leaves the earliest day.
        first[self.customer[::-1]] = self.day[::-1]
        return first


@dataclass(frozen=True)
class Summary:
    """Each customer of a cohort as of a cutoff day: (frequency, recency, T) in weeks, the models' input.

    `customer` holds positions in the `Transactions.ids` it came from; `frequency` counts repeat purchase days,
    `recency` is the time from the first to the last purchase, `T` the time from the first purchase to the cutoff.
    `monetary` is the mean amount of the repeat purchase days (0 without one), `first_amount` the first day's.
    """

    ids: Sequence[str]
    customer: IntArray
    cutoff: int
    first_day: IntArray
    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    monetary: FloatArray
    first_amount: FloatArray

    def __len__(self) -> int:
        return int(self.customer.size)

    def customer_ids(self) -> list[str]:
        """The customers' own ids, in summary order."""
        return [self.ids[c] for c in self.customer.tolist()]

    def take(self, rows: IntArray) -> Summary:
        """The customers at these positions of the summary, in the order given."""
        return replace(
            self,
            customer=self.customer[rows],
            first_day=self.first_day[rows],
            frequency=self.frequency[rows],
            recency=self.recency[rows],
            T=self.T[rows],
            monetary=self.monetary[rows],
            first_amount=self.first_amount[rows],
        )


def summarise(transactions: Transactions, cutoff: int, *, first_from: int | None = None) -> Summary:
    """Reduce the purchases made up to `cutoff` to one row per customer whose first purchase is in the cohort.

    The cohort is every customer whose first purchase is on or before the cutoff, and on or after `first_from`
    when it is given (the paper's cohort is the customers who first bought in the first quarter of 1997).
    """
    days = transactions.purchase_days().until(cutoff)
    customer, start, count = np.unique(days.customer, return_index=True, return_counts=True)
    totals = np.add.reduceat(days.amount, start) if start.size else np.zeros(0)
    first_day, last_day = days.day[start], days.day[start + count - 1]
    first_amount = days.amount[start]
    if first_from is not None:
        keep = first_day >= first_from
        customer, count, totals = customer[keep], count[keep], totals[keep]
        first_day, last_day, first_amount = first_day[keep], last_day[keep], first_amount[keep]
    frequency = (count - 1).astype(np.float64)
    repeat_total = totals - first_amount
    monetary = np.divide(repeat_total, frequency, out=np.zeros_like(repeat_total), where=frequency > 0)
    return Summary(
        ids=transactions.ids,
        customer=customer.astype(np.int64),
        cutoff=cutoff,
        first_day=first_day,
        frequency=frequency,
        recency=(last_day - first_day) / 7.0,
        T=(cutoff - first_day) / 7.0,
        monetary=monetary,
        first_amount=first_amount,
    )


def purchases_between(transactions: Transactions, summary: Summary, after: int, until: int) -> FloatArray:
    """Purchase days of each summary customer after day `after`, up to and including day `until` (a holdout)."""
    days = transactions.purchase_days()
    window = (days.day > after) & (days.day <= until)
    counts = np.bincount(days.customer[window], minlength=len(transactions.ids))
    return counts[summary.customer].astype(np.float64)


ID_COLUMNS = ("customer_id", "customer", "customerid", "user_id", "userid", "client_id", "id")
DATE_COLUMNS = ("date", "day", "purchase_date", "order_date", "timestamp", "datetime", "created_at", "time")
AMOUNT_COLUMNS = ("amount", "value", "revenue", "total", "sales", "price", "dollars", "dollar_value")
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class RowProblem:
    """One unreadable row of a transaction file, located to file and line."""

    file: str
    line: int
    column: str
    message: str
    hint: str

    def render(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}\n    hint: {self.hint}"


class TransactionFileError(OmotenashiError):
    """A transaction file cannot be read; carries every problem found (up to a limit), each with file:line."""

    code = "invalid_transactions"

    def __init__(self, problems: list[RowProblem], *, more: int = 0) -> None:
        self.problems = problems
        lines = "\n".join(p.render() for p in problems)
        tail = f"\n… and {more} more" if more else ""
        super().__init__(f"{len(problems) + more} problem(s) in the transaction file:\n{lines}{tail}")


def parse_day(text: str) -> date:
    """A calendar day from `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD` or an ISO date-time (its date part)."""
    value = text.strip()
    if len(value) == 8 and value.isdigit():
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    return date.fromisoformat(value[:10].replace("/", "-"))


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower().replace(" ", "_") for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def read_transactions_file(path: Path) -> list[Row]:
    """(customer id, date, amount) rows from a CSV file with a header naming those columns.

    The delimiter (comma, semicolon or tab) is detected. Every bad row is reported with its line and a hint.
    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise TransactionFileError([RowProblem(name, 0, "file", str(exc), "check the path")]) from exc
    except UnicodeDecodeError as exc:
        raise TransactionFileError(
            [RowProblem(name, 0, "file", "not UTF-8 text", "save the file as UTF-8 CSV")]
        ) from exc
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise TransactionFileError([RowProblem(name, 1, "header", "the file is empty", _HEADER_HINT)])
    delimiter = max((",", ";", "\t"), key=lines[0].count)
    reader = csv.reader(lines, delimiter=delimiter)
    header = next(reader)
    columns = {
        "customer id": _column(header, ID_COLUMNS),
        "date": _column(header, DATE_COLUMNS),
        "amount": _column(header, AMOUNT_COLUMNS),
    }
    missing = [what for what, index in columns.items() if index is None]
    if missing:
        raise TransactionFileError(
            [RowProblem(name, 1, "header", f"no {' or '.join(missing)} column in {header}", _HEADER_HINT)]
        )
    id_at, date_at, amount_at = (int(i) for i in columns.values() if i is not None)
    rows: list[Row] = []
    problems: list[RowProblem] = []
    more = 0
    for number, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue
        problem = _problem(name, number, fields, id_at, date_at, amount_at)
        if problem is None:
            rows.append((fields[id_at].strip(), parse_day(fields[date_at]), float(fields[amount_at])))
        elif len(problems) < MAX_PROBLEMS:
            problems.append(problem)
        else:
            more += 1
    if problems:
        raise TransactionFileError(problems, more=more)
    if not rows:
        raise TransactionFileError([RowProblem(name, 2, "rows", "the file has a header but no rows", _HEADER_HINT)])
    return rows


_HEADER_HINT = "the first line names the columns, e.g. customer_id,date,amount"


def _problem(name: str, line: int, fields: list[str], id_at: int, date_at: int, amount_at: int) -> RowProblem | None:
    if len(fields) <= max(id_at, date_at, amount_at):
        return RowProblem(name, line, "row", f"{len(fields)} fields, fewer than the header's", "check the delimiters")
    if not fields[id_at].strip():
        return RowProblem(name, line, "customer id", "empty", "every row needs the customer's id")
    try:
        parse_day(fields[date_at])
    except ValueError:
        return RowProblem(
            name, line, "date", f"cannot read {fields[date_at]!r} as a date", "write dates as YYYY-MM-DD (ISO 8601)"
        )
    try:
        amount = float(fields[amount_at])
    except ValueError:
        return RowProblem(
            name, line, "amount", f"cannot read {fields[amount_at]!r} as a number", "plain decimals, e.g. 12.50"
        )
    if not math.isfinite(amount) or amount < 0:
        return RowProblem(
            name, line, "amount", f"{fields[amount_at]!r} is not a purchase amount", "refunds and credits are left out"
        )
    return None
