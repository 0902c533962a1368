"""The SQL of erasure: remove a person from the event log and every derived table, or separate kept records
from them. Every function is idempotent, so an interrupted erasure can simply run again."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from omotenashi.store.sql import driver_sql, fetch_in

TAIL_CHUNK = 1_000  # identifiers per look-up of the events client memory has not attributed yet

# Tables keyed by the (base) customer id, deleted outright.
BY_CUSTOMER = (
    "event_customers",
    "customer_stats",
    "identities",
    "trait_values",
    "preferences",
    "search_terms",
    "access_log",
    "portal_links",
    "portal_sessions",
    "journey_positions",
    "journey_steps",
    "signals",
    "detector_state",
    "anticipations",
    "care_items",
    "care_log",
    "care_actions",
)


def event_seqs(
    conn: Connection, workspace_id: str, customer_ids: Sequence[str], identifiers: Sequence[str], after_seq: int
) -> list[int]:
    """Every stored event of the person: attributed to them, or carrying one of their identifiers.

    Client memory attributes every event up to `after_seq` (its cursor) to a customer, so only the events after
    it are looked up by identifier: an erasure never scans the whole log.
    """
    return attributed_seqs(conn, workspace_id, customer_ids, tail_seqs(conn, workspace_id, identifiers, after_seq))


def attributed_seqs(
    conn: Connection, workspace_id: str, customer_ids: Sequence[str], tail: dict[str, set[int]] | None = None
) -> list[int]:
    """The events client memory attributed to the customers, with those of `tail` (see tail_seqs)."""
    seqs: set[int] = set()
    sql = "SELECT seq FROM event_customers WHERE workspace_id = ? AND customer_id IN ({marks})"
    seqs.update(r[0] for r in fetch_in(conn, sql, (workspace_id,), customer_ids))
    for found in (tail or {}).values():
        seqs.update(found)
    return sorted(seqs)


def tail_seqs(conn: Connection, workspace_id: str, identifiers: Sequence[str], after_seq: int) -> dict[str, set[int]]:
    """The events after `after_seq` that carry each identifier (as userId, anonymousId or previousId).

    A batch erasure asks for all its people's identifiers at once: the events client memory has not attributed
    yet are read once per batch, not once per person."""
    wanted = sorted(set(identifiers))
    out: dict[str, set[int]] = {}
    for start in range(0, len(wanted), TAIL_CHUNK):
        chunk = wanted[start : start + TAIL_CHUNK]
        marks = ",".join("?" * len(chunk))
        # One pass over the unattributed events for all three columns (not one per column).
        sql = (
            "SELECT seq, user_id, anonymous_id, previous_id FROM events "  # noqa: S608 - placeholders only
            f"WHERE workspace_id = ? AND seq > ? AND (user_id IN ({marks}) OR anonymous_id IN ({marks}) "
            f"OR previous_id IN ({marks}))"
        )
        rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, after_seq, *chunk, *chunk, *chunk))
        members = set(chunk)
        for seq, *values in rows:
            for value in values:
                if value in members:
                    out.setdefault(value, set()).add(seq)
    return out


def delete_events(conn: Connection, workspace_id: str, seqs: Sequence[int]) -> int:
    removed = 0
    for start in range(0, len(seqs), 500):
        chunk = seqs[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"DELETE FROM events WHERE workspace_id = ? AND seq IN ({marks})"  # noqa: S608 - placeholders only
        removed += conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *chunk)).rowcount
    return removed


def separate_events(conn: Connection, workspace_id: str, seqs: Sequence[int], pseudonym: str) -> int:
    """Keep events the law requires, with nothing left that points at the person."""
    changed = 0
    for start in range(0, len(seqs), 500):
        chunk = seqs[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = (
            "UPDATE events SET user_id = ?, anonymous_id = NULL, previous_id = NULL, group_id = NULL, "  # noqa: S608
            f"traits = NULL, context = NULL, integrations = NULL WHERE workspace_id = ? AND seq IN ({marks})"
        )
        changed += conn.exec_driver_sql(driver_sql(conn, sql), (pseudonym, workspace_id, *chunk)).rowcount
    return changed


def event_names(conn: Connection, workspace_id: str, seqs: Sequence[int]) -> dict[int, tuple[str, str | None]]:
    """(type, event name) of events by seq."""
    sql = "SELECT seq, type, event FROM events WHERE workspace_id = ? AND seq IN ({marks})"
    return {r[0]: (r[1], r[2]) for r in fetch_in(conn, sql, (workspace_id,), seqs)}


def delete_by_customer(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> dict[str, int]:
    """Delete the person's rows from every table keyed by customer id."""
    out: dict[str, int] = {}
    marks = ",".join("?" * len(customer_ids))
    for table in BY_CUSTOMER:
        sql = f"DELETE FROM {table} WHERE workspace_id = ? AND customer_id IN ({marks})"  # noqa: S608 - constant
        out[table] = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *customer_ids)).rowcount
    return out


def action_ids(conn: Connection, workspace_id: str, customer_ids: Sequence[str], channel: str) -> list[str]:
    """The ids of the person's care actions through one channel."""
    marks = ",".join("?" * len(customer_ids))
    sql = f"SELECT id FROM care_actions WHERE workspace_id = ? AND channel = ? AND customer_id IN ({marks})"  # noqa: S608
    return [str(r[0]) for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, channel, *customer_ids))]


def delete_notes(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> int:
    marks = ",".join("?" * len(customer_ids))
    ids = [
        r[0]
        for r in conn.exec_driver_sql(
            driver_sql(conn, f"SELECT id FROM notes WHERE workspace_id = ? AND customer_id IN ({marks})"),  # noqa: S608
            (workspace_id, *customer_ids),
        )
    ]
    if ids:
        note_marks = ",".join("?" * len(ids))
        conn.exec_driver_sql(
            driver_sql(conn, f"DELETE FROM note_versions WHERE workspace_id = ? AND note_id IN ({note_marks})"),  # noqa: S608
            (workspace_id, *ids),
        )
    sql = f"DELETE FROM notes WHERE workspace_id = ? AND customer_id IN ({marks})"  # noqa: S608
    return int(conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *customer_ids)).rowcount)


def delete_links_between_customers(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> dict[str, int]:
    """Merges and identity conflicts that involve the person."""
    marks = ",".join("?" * len(customer_ids))
    params = (workspace_id, *customer_ids, *customer_ids)
    merges = conn.exec_driver_sql(
        driver_sql(
            conn,
            f"DELETE FROM merges WHERE workspace_id = ? AND (survivor_id IN ({marks}) OR absorbed_id IN ({marks}))",  # noqa: S608
        ),
        params,
    ).rowcount
    conflicts = conn.exec_driver_sql(
        driver_sql(
            conn,
            f"DELETE FROM identity_conflicts WHERE workspace_id = ? AND (customer_a IN ({marks}) "  # noqa: S608
            f"OR customer_b IN ({marks}))",
        ),
        params,
    ).rowcount
    # Someone else merged into the person stays a customer of their own.
    conn.exec_driver_sql(
        driver_sql(
            conn, f"UPDATE customers SET merged_into = NULL WHERE workspace_id = ? AND merged_into IN ({marks})"
        ),  # noqa: S608
        (workspace_id, *customer_ids),
    )
    return {"merges": merges, "identity_conflicts": conflicts}


def delete_consent(conn: Connection, workspace_id: str, subjects: Sequence[str]) -> dict[str, int]:
    marks = ",".join("?" * len(subjects))
    out = {}
    for table in ("consent_receipts", "consent_state"):
        sql = f"DELETE FROM {table} WHERE workspace_id = ? AND subject IN ({marks})"  # noqa: S608 - constant
        out[table] = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *subjects)).rowcount
    return out


def delete_customers(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> int:
    marks = ",".join("?" * len(customer_ids))
    sql = f"DELETE FROM customers WHERE workspace_id = ? AND id IN ({marks})"  # noqa: S608
    return int(conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *customer_ids)).rowcount)


def separate_requests(conn: Connection, workspace_id: str, customer_ids: Sequence[str], pseudonym: str) -> int:
    """Rights requests stay (the company must show it honoured them) but no longer name the person."""
    marks = ",".join("?" * len(customer_ids))
    sql = (
        f"UPDATE rights_requests SET customer_id = ?, identity = NULL WHERE workspace_id = ? "  # noqa: S608
        f"AND customer_id IN ({marks})"
    )
    return int(conn.exec_driver_sql(driver_sql(conn, sql), (pseudonym, workspace_id, *customer_ids)).rowcount)


def properties_of(conn: Connection, workspace_id: str, seqs: Sequence[int]) -> dict[int, str | None]:
    sql = "SELECT seq, properties FROM events WHERE workspace_id = ? AND seq IN ({marks})"
    return {r[0]: r[1] for r in fetch_in(conn, sql, (workspace_id,), seqs)}


def set_properties(conn: Connection, workspace_id: str, values: dict[int, str | None]) -> None:
    if values:
        conn.exec_driver_sql(
            driver_sql(conn, "UPDATE events SET properties = ? WHERE workspace_id = ? AND seq = ?"),
            [(v, workspace_id, seq) for seq, v in values.items()],
        )
