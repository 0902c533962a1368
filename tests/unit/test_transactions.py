from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from omotenashi.anticipation.transactions import (
    TransactionFileError,
    Transactions,
    day_number,
    parse_day,
    purchases_between,
    read_transactions_file,
    summarise,
)

D = date


def _table() -> Transactions:
    return Transactions.from_rows(
        [
            ("b", D(2024, 1, 15), 5.0),
            ("a", D(2024, 1, 1), 10.0),
            ("a", D(2024, 1, 1), 2.5),  # same day: one purchase occasion
            ("a", D(2024, 1, 8), 4.0),
            ("a", D(2024, 1, 22), 6.0),
            ("a", D(2024, 3, 1), 1.0),  # after the cutoff
            ("c", D(2024, 2, 1), 3.0),  # first buys after the cutoff: not in the cohort
        ]
    )


def test_summary_counts_purchase_days_in_weeks_from_the_first_purchase() -> None:
    s = summarise(_table(), day_number(D(2024, 1, 29)))
    assert s.customer_ids() == ["b", "a"] or s.customer_ids() == ["a", "b"]
    by_id = dict(zip(s.customer_ids(), range(len(s)), strict=True))
    a, b = by_id["a"], by_id["b"]
    assert s.frequency[a] == 2 and s.recency[a] == 3.0 and s.T[a] == 4.0
    assert s.frequency[b] == 0 and s.recency[b] == 0.0 and s.T[b] == 2.0
    assert s.first_amount[a] == 12.5 and s.monetary[a] == 5.0 and s.monetary[b] == 0.0
    assert "c" not in by_id


def test_cohort_start_and_holdout_counts() -> None:
    table = _table()
    cutoff = day_number(D(2024, 1, 29))
    s = summarise(table, cutoff, first_from=day_number(D(2024, 1, 10)))
    assert s.customer_ids() == ["b"]
    full = summarise(table, cutoff)
    held = purchases_between(table, full, cutoff, day_number(D(2024, 12, 31)))
    assert dict(zip(full.customer_ids(), held.tolist(), strict=True)) == {"a": 1.0, "b": 0.0}


def test_a_purchase_on_the_cutoff_day_counts_and_an_empty_table_summarises_to_nothing() -> None:
    table = Transactions.from_rows([("x", D(2024, 1, 1), 1.0), ("x", D(2024, 1, 15), 1.0)])
    s = summarise(table, day_number(D(2024, 1, 15)))
    assert s.frequency.tolist() == [1.0] and s.recency.tolist() == s.T.tolist() == [2.0]
    empty = summarise(Transactions.from_rows([]), 0)
    assert len(empty) == 0


def test_rows_round_trip_and_dates_in_several_spellings() -> None:
    table = Transactions.from_rows([("x", D(2024, 2, 29), 1.5)])
    assert table.rows() == [("x", D(2024, 2, 29), 1.5)]
    for text in ("2024-02-29", "2024/02/29", "20240229", "2024-02-29T23:59:00+09:00"):
        assert parse_day(text) == D(2024, 2, 29)
    assert np.array_equal(table.first_day(), [day_number(D(2024, 2, 29))])


def test_reads_a_csv_with_any_common_column_names(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("Order Date;Customer ID;Revenue\n2024-01-01;42;10.5\n\n2024-01-09;42;3\n", encoding="utf-8")
    assert read_transactions_file(path) == [("42", D(2024, 1, 1), 10.5), ("42", D(2024, 1, 9), 3.0)]


def test_every_bad_row_is_reported_with_file_line_and_hint(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "customer_id,date,amount\n1,2024-01-01,5\n2,31/12/2024,5\n,2024-01-01,5\n3,2024-01-02,abc\n4,2024-01-02,-3\n5,2024-01-03\n",
        encoding="utf-8",
    )
    with pytest.raises(TransactionFileError) as caught:
        read_transactions_file(path)
    problems = caught.value.problems
    assert [(p.line, p.column) for p in problems] == [
        (3, "date"),
        (4, "customer id"),
        (5, "amount"),
        (6, "amount"),
        (7, "row"),
    ]
    rendered = problems[0].render()
    assert (
        rendered.startswith(f"{path}:3: date: cannot read '31/12/2024'")
        and "hint: write dates as YYYY-MM-DD" in rendered
    )


def test_a_file_without_the_needed_columns_says_which(tmp_path: Path) -> None:
    path = tmp_path / "no_amount.csv"
    path.write_text("customer_id,date\n1,2024-01-01\n", encoding="utf-8")
    with pytest.raises(TransactionFileError) as caught:
        read_transactions_file(path)
    assert "no amount column" in caught.value.message and ":1:" in caught.value.problems[0].render()
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(TransactionFileError, match="empty"):
        read_transactions_file(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("customer_id,date,amount\n", encoding="utf-8")
    with pytest.raises(TransactionFileError, match="no rows"):
        read_transactions_file(header_only)
