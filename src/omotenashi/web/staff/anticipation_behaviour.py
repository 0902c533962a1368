"""The behaviour half of the anticipation page: who is at risk of not renewing, who is about to need help, and what
customers are likely to do next — each with the model in use, its holdout report beside its baseline, and the
candidate that was not promoted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from omotenashi.anticipation.next_step import step_title
from omotenashi.anticipation.words import describe
from omotenashi.i18n import N_, translator
from omotenashi.store import anticipations as repo
from omotenashi.web.staff.customer_view import customer_path

LISTED = 15
SECTIONS = (
    (
        "churn",
        "churn_risk",
        N_("At risk of not renewing"),
        N_(
            "Subscribers most likely to end their subscription within %(days)s days, the most likely first; at or "
            "above %(p)s they are marked at risk of not renewing."
        ),
    ),
    (
        "support_contact",
        "support_contact_risk",
        N_("About to need help"),
        N_(
            "Customers most likely to contact support within %(days)s days, the most likely first; at or above %(p)s "
            "they are marked about to need help: reach out before they have to ask."
        ),
    ),
)
MEASURES = (
    ("auc", N_("AUC"), False),
    ("brier", N_("Brier score"), True),
    ("precision_at_top", N_("Precision in the top 10%"), False),
    ("recall_at_top", N_("Recall in the top 10%"), False),
)


def _measures(report: Mapping[str, Any], lang: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Column titles (baseline first) and, per measure, each model's figure and whether it is the better one."""
    _ = translator(lang)
    models = report.get("models", [])
    titles = [
        _("Baseline: %(feature)s") % {"feature": m["parameters"].get("features", "")}
        if m["model"] == "baseline"
        else _("Boosted")
        for m in models
    ]
    rows = []
    for key, label, lower in MEASURES:
        values = [m.get(key) for m in models]
        finite = [v for v in values if isinstance(v, int | float)]
        best = (min(finite) if lower else max(finite)) if finite else None
        rows.append({"measure": key, "label": _(label), "lower": lower, "cells": [(v, v == best) for v in values]})
    return titles, rows


def behaviour_sections(
    conn: Connection, workspace_id: str, lang: str, watch: Mapping[str, float]
) -> list[dict[str, Any]]:
    """One section per behaviour family with a model in use (none when the workspace anticipates no behaviour)."""
    _ = translator(lang)
    out: list[dict[str, Any]] = []
    for family, kind, heading, lead in SECTIONS:
        live = repo.live_model(conn, workspace_id, family)
        if live is None:
            continue
        history = repo.model_history(conn, workspace_id, limit=5, family=family)
        rejected = next((m for m in history if m.status == repo.CANDIDATE and m.fitted_at == live.fitted_at), None)
        level = watch.get(kind, 1.0)
        top = repo.ranked(conn, workspace_id, kind, lowest=False, limit=LISTED)
        titles, rows = _measures(live.holdout, lang)
        out.append(
            {
                "family": family,
                "kind": kind,
                "heading": _(heading),
                "lead": _(lead) % {"days": live.holdout.get("horizon_days", ""), "p": f"{level:.0%}"},
                "live": live,
                "rejected": rejected,
                "report": live.holdout,
                "titles": titles,
                "rows": rows,
                "people": [
                    {
                        "path": customer_path(a.customer_id),
                        "id": a.customer_id,
                        "shown": describe([a], lang, 0.5, watch)[0],
                    }
                    for a in top
                ],
                "synthetic": bool(live.holdout.get("synthetic")),
            }
        )
    live = repo.live_model(conn, workspace_id, "next_step")
    if live is not None:
        history = repo.model_history(conn, workspace_id, limit=5, family="next_step")
        rejected = next((m for m in history if m.status == repo.CANDIDATE and m.fitted_at == live.fitted_at), None)
        stored = repo.ranked(conn, workspace_id, "next_step", lowest=False, limit=5_000)
        likeliest = Counter(str(a.facts["steps"][0][0]) for a in stored if a.facts.get("steps"))
        out.append(
            {
                "family": "next_step",
                "kind": "next_step",
                "heading": _("Likely next steps"),
                "live": live,
                "rejected": rejected,
                "report": live.holdout,
                "likeliest": [(step_title(step, lang), n) for step, n in likeliest.most_common(8)],
                "synthetic": bool(live.holdout.get("synthetic")),
            }
        )
    return out
