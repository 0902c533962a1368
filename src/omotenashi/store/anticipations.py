"""The SQL of anticipation: fitted models (one live per family and workspace, the others kept with their holdout
report) and each customer's latest anticipations with the model that made them and its reasons.

A model's family is the part of its name before `:` (`churn:boosted` is of family `churn`); the purchase models
(`bgnbd`, `paretonbd`, `boosted`) have no `:` and are family `purchase`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from omotenashi.store.sql import driver_sql, execute_many

LIVE, CANDIDATE, RETIRED = "live", "candidate", "retired"
PURCHASE = "purchase"
_COLS = "customer_id, kind, score, horizon_days, computed_at, as_of, model_id, reasons, facts"
_MODEL_COLS = "id, name, version, fitted_at, as_of, customers, parameters, holdout, status, why"


@dataclass(frozen=True)
class ModelRow:
    """One fitted model as stored."""

    id: str
    name: str
    version: str
    fitted_at: int
    as_of: int
    customers: int
    parameters: dict[str, Any]
    holdout: dict[str, Any]
    status: str
    why: str


@dataclass(frozen=True)
class Anticipation:
    """One anticipation of one customer."""

    customer_id: str
    kind: str
    score: float
    horizon_days: int
    computed_at: int
    as_of: int
    model_id: str
    reasons: list[dict[str, Any]]
    facts: dict[str, Any]

    @property
    def repeat_buyer(self) -> bool:
        return float(self.facts.get("frequency", 0.0)) >= 1


def _model(r: Any) -> ModelRow:
    return ModelRow(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), json.loads(r[7]), r[8], r[9])


def _anticipation(r: Any) -> Anticipation:
    return Anticipation(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), json.loads(r[8]))


def family_of(name: str) -> str:
    """The family of a stored model name: `churn` for `churn:boosted`, `purchase` for `bgnbd`."""
    return name.split(":", 1)[0] if ":" in name else PURCHASE


def _family_clause(family: str) -> tuple[str, tuple[str, ...]]:
    if family == PURCHASE:
        return "name NOT LIKE ?", ("%:%",)
    return "name LIKE ?", (family + ":%",)


def add_model(conn: Connection, workspace_id: str, model: ModelRow) -> None:
    """Store a fitted model; a live one retires the model of its family that was live before it."""
    if model.status == LIVE:
        clause, params = _family_clause(family_of(model.name))
        conn.exec_driver_sql(
            driver_sql(conn, f"UPDATE models SET status = ? WHERE workspace_id = ? AND status = ? AND {clause}"),  # noqa: S608
            (RETIRED, workspace_id, LIVE, *params),
        )
    conn.exec_driver_sql(
        driver_sql(
            conn,
            f"INSERT INTO models (workspace_id, {_MODEL_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
        ),
        (
            workspace_id,
            model.id,
            model.name,
            model.version,
            model.fitted_at,
            model.as_of,
            model.customers,
            json.dumps(model.parameters),
            json.dumps(model.holdout, ensure_ascii=False),
            model.status,
            model.why,
        ),
    )


def live_model(conn: Connection, workspace_id: str, family: str = PURCHASE) -> ModelRow | None:
    """The model of a family in use (the purchase models' by default)."""
    clause, params = _family_clause(family)
    sql = f"SELECT {_MODEL_COLS} FROM models WHERE workspace_id = ? AND status = ? AND {clause}"  # noqa: S608
    row = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, LIVE, *params)).first()
    return _model(row) if row else None


def live_models(conn: Connection, workspace_id: str) -> dict[str, ModelRow]:
    """Every family's model in use, by family."""
    sql = f"SELECT {_MODEL_COLS} FROM models WHERE workspace_id = ? AND status = ?"  # noqa: S608 - constant
    rows = [_model(r) for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, LIVE))]
    return {family_of(m.name): m for m in rows}


def model_history(conn: Connection, workspace_id: str, limit: int = 20, family: str | None = None) -> list[ModelRow]:
    """The latest fitted models (of one family, when given), newest first: live, candidates not promoted, retired."""
    clause, params = _family_clause(family) if family is not None else ("1 = 1", ())
    sql = (
        f"SELECT {_MODEL_COLS} FROM models WHERE workspace_id = ? AND {clause} "  # noqa: S608 - constants
        "ORDER BY fitted_at DESC, id LIMIT ?"
    )
    return [_model(r) for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *params, limit))]


def put(conn: Connection, workspace_id: str, rows: Sequence[Anticipation]) -> None:
    """Write anticipations, replacing each customer's earlier one of the same kind."""
    execute_many(
        conn,
        "INSERT INTO anticipations (workspace_id, customer_id, kind, score, horizon_days, computed_at, as_of, "
        "model_id, reasons, facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, customer_id, kind) DO UPDATE SET score = excluded.score, "
        "horizon_days = excluded.horizon_days, computed_at = excluded.computed_at, as_of = excluded.as_of, "
        "model_id = excluded.model_id, reasons = excluded.reasons, facts = excluded.facts",
        [
            (
                workspace_id,
                a.customer_id,
                a.kind,
                a.score,
                a.horizon_days,
                a.computed_at,
                a.as_of,
                a.model_id,
                json.dumps(a.reasons, ensure_ascii=False),
                json.dumps(a.facts),
            )
            for a in rows
        ],
    )


def drop_older(conn: Connection, workspace_id: str, computed_at: int) -> int:
    """Remove anticipations an earlier run made that this run did not renew (the customer is gone, or no longer
    allows the purposes anticipation reads); how many."""
    sql = "DELETE FROM anticipations WHERE workspace_id = ? AND computed_at < ?"
    return int(conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, computed_at)).rowcount)


def of_customer(conn: Connection, workspace_id: str, customer_id: str) -> list[Anticipation]:
    sql = f"SELECT {_COLS} FROM anticipations WHERE workspace_id = ? AND customer_id = ? ORDER BY kind"  # noqa: S608
    rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, customer_id))
    return [_anticipation(r) for r in rows]


def counts(conn: Connection, workspace_id: str) -> dict[str, int]:
    """Customers with an anticipation, by kind."""
    sql = "SELECT kind, count(*) FROM anticipations WHERE workspace_id = ? GROUP BY kind"
    return {r[0]: int(r[1]) for r in conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id,))}


def ranked(
    conn: Connection, workspace_id: str, kind: str, *, lowest: bool, limit: int, offset: int = 0
) -> list[Anticipation]:
    """Anticipations of one kind, lowest (or highest) score first."""
    order = "ASC" if lowest else "DESC"
    sql = (
        f"SELECT {_COLS} FROM anticipations WHERE workspace_id = ? AND kind = ? "  # noqa: S608 - constants
        f"ORDER BY score {order}, customer_id LIMIT ? OFFSET ?"
    )
    rows = conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, kind, limit, offset))
    return [_anticipation(r) for r in rows]


def slipping_away(conn: Connection, workspace_id: str, below: float, limit: int = 50) -> list[Anticipation]:
    """Repeat buyers whose chance of still being a customer fell below `below`, the lowest first."""
    out: list[Anticipation] = []
    offset = 0
    while len(out) < limit:
        page = ranked(conn, workspace_id, "still_active", lowest=True, limit=500, offset=offset)
        out.extend(a for a in page if a.repeat_buyer and a.score < below)
        if len(page) < 500 or (page and page[-1].score >= below):
            break
        offset += 500
    return out[:limit]


def forget(conn: Connection, workspace_id: str, customer_ids: Sequence[str]) -> int:
    """Remove every anticipation of these customers (they withdrew a purpose anticipation reads)."""
    marks = ",".join("?" * len(customer_ids))
    sql = f"DELETE FROM anticipations WHERE workspace_id = ? AND customer_id IN ({marks})"  # noqa: S608
    return int(conn.exec_driver_sql(driver_sql(conn, sql), (workspace_id, *customer_ids)).rowcount)
