"""Small helpers that let one SQL text run on SQLite and PostgreSQL through the driver (the hot paths)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection

_CHUNK = 500


def driver_sql(conn: Connection, sql: str) -> str:
    """Write SQL with `?` placeholders; this turns them into the driver's own."""
    return sql if conn.dialect.name == "sqlite" else sql.replace("?", "%s")


def _cursor(conn: Connection) -> Any | None:
    """A cursor of the driver's own connection when a transaction is open on it, else None.

    SQLAlchemy sets up a result object around every statement (some 10 µs, as much as a small insert itself); the
    intake hot path runs a dozen statements a request, so inside a transaction it goes to the driver directly. The
    statements still run in that transaction. Outside one, SQLAlchemy must see the statement so it begins one.
    """
    if not conn.in_transaction():
        return None
    driver = conn.connection.driver_connection
    return None if driver is None else driver.cursor()


def execute_many(conn: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """executemany straight through the driver, skipping per-row work in SQLAlchemy."""
    if not rows:
        return
    cursor = _cursor(conn)
    if cursor is None:
        conn.exec_driver_sql(driver_sql(conn, sql), list(rows))
        return
    try:
        cursor.executemany(driver_sql(conn, sql), rows)
    finally:
        cursor.close()


def first_row(conn: Connection, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The first row of a query (`?` placeholders), through the driver when a transaction is open."""
    cursor = _cursor(conn)
    if cursor is None:
        row = conn.exec_driver_sql(driver_sql(conn, sql), params).first()
        return None if row is None else tuple(row)
    try:
        cursor.execute(driver_sql(conn, sql), params)
        found = cursor.fetchone()
    finally:
        cursor.close()
    return None if found is None else tuple(found)


def insert_values(conn: Connection, sql: str, rows: Sequence[tuple[Any, ...]], per_statement: int = 500) -> None:
    """Insert many rows with multi-row `VALUES` (`sql` ends in `VALUES {values}`), `per_statement` at a time.

    Cheaper than executemany on SQLite where each row is a separate step: here a statement inserts hundreds of
    rows in one step (one release of the GIL, not one per row), and full chunks reuse one cached statement.
    """
    if not rows:
        return
    width = len(rows[0])
    one = "(" + ", ".join("?" * width) + ")"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        statement = driver_sql(conn, sql.format(values=", ".join([one] * len(chunk))))
        conn.exec_driver_sql(statement, tuple(itertools.chain.from_iterable(chunk)))


def fetch_in(conn: Connection, sql: str, params: tuple[Any, ...], values: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """Run `sql` (ending in `IN ({in})`) for many values, chunked so no driver limit is hit."""
    items = list(values)
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        result = conn.exec_driver_sql(driver_sql(conn, sql.format(marks=marks)), (*params, *chunk))
        yield from result.fetchall()
