"""`omotenashi score`: check the models on the workspace's own history and refresh every customer's anticipations."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from omotenashi.cli.common import ConfigOption, console, friendly_errors, opened_runtime

if TYPE_CHECKING:
    from omotenashi.anticipation.behaviour_scoring import Outcome


def score(
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per workspace.")] = False,
) -> None:
    """Check BG/NBD, Pareto/NBD and the candidate on the most recent history held out, use the model that earned
    it, and store every customer's anticipations with their reasons (`serve` also does this on a schedule); churn
    risk, support-contact risk and next step too, when the house file turns them on."""
    from omotenashi.cli.evaluate import report_table

    with friendly_errors():
        with opened_runtime(config) as runtime:
            workspaces = runtime.anticipation.configured()
            if not workspaces:
                from omotenashi.core.errors import BadRequest

                raise BadRequest(
                    "no workspace has an `anticipation:` section",
                    hint="add one to the house file (docs/anticipation.md)",
                )
            runs = [runtime.anticipation.score(wid) for wid in workspaces]
    for run in runs:
        body: dict[str, Any] = {
            "workspace": run.workspace_id,
            "purchases": run.purchases,
            "left_out": {"withdrew_consent": run.withdrawn_customers, "unattributed_events": run.unattributed_events},
            "removed_stale": run.removed,
            "seconds": round(run.seconds, 2),
        }
        if run.scored is not None:
            live, rejected = run.scored.live, run.scored.rejected
            body |= {
                "customers": live.customers,
                "model": {"id": live.id, "name": live.name, "version": live.version, "why": live.why},
                "not_promoted": None if rejected is None else {"name": rejected.name, "why": rejected.why},
                "holdout": live.holdout,
            }
        body["behaviour"] = [behaviour_json(o) for o in run.behaviour]
        if as_json:
            sys.stdout.write(json.dumps(body, indent=2, default=str) + "\n")
            continue
        if run.scored is not None:
            live, rejected = run.scored.live, run.scored.rejected
            report = dict(live.holdout)
            report["source"] = f"workspace {run.workspace_id}: its own purchases"
            console.print(report_table(report))
            console.print(
                f"{run.workspace_id}: scored {live.customers:,} customers from {run.purchases:,} purchases with "
                f"{live.name} ({live.version}): {live.why}."
            )
            if rejected is not None:
                console.print(f"not promoted: {rejected.name}: {rejected.why}")
            if run.withdrawn_customers:
                console.print(
                    f"left out: {run.withdrawn_customers:,} customers who withdrew consent for these purposes"
                )
        for outcome in run.behaviour:
            print_behaviour(outcome)
        console.print(f"{run.seconds:.1f} s")


def behaviour_json(outcome: Outcome) -> dict[str, Any]:
    """One behaviour kind's outcome as JSON: the model used, the candidate not promoted, or why it was skipped."""
    if outcome.live is None:
        return {"kind": outcome.kind, "skipped": outcome.skipped}
    live, rejected = outcome.live, outcome.rejected
    return {
        "kind": outcome.kind,
        "customers": len(outcome.anticipations),
        "model": {"id": live.id, "name": live.name, "version": live.version, "why": live.why},
        "not_promoted": None if rejected is None else {"name": rejected.name, "why": rejected.why},
        "holdout": outcome.report,
    }


def print_behaviour(outcome: Outcome) -> None:
    """One behaviour kind's outcome, with its holdout table."""
    from omotenashi.cli.evaluate_behaviour import print_report

    if outcome.live is None:
        console.print(f"{outcome.kind}: skipped: {outcome.skipped}")
        return
    if outcome.report is not None:
        print_report(outcome.kind, outcome.report)
    console.print(
        f"{outcome.kind}: anticipated {len(outcome.anticipations):,} customers with {outcome.live.name} "
        f"({outcome.live.version}): {outcome.live.why}."
    )
    if outcome.rejected is not None:
        console.print(f"not promoted: {outcome.rejected.name}: {outcome.rejected.why}")
