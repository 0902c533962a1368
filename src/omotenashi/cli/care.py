"""`omotenashi care`: evaluate the playbooks and send the outbox now, the outcome report, failed deliveries."""

from __future__ import annotations

import functools
import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from omotenashi.cli.common import ConfigOption, console, friendly_errors, opened_runtime

app = typer.Typer(
    help="Proactive care: playbooks, the care queue's outbox, and whether it helped.", no_args_is_help=True
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _workspace(runtime: Any, workspace: str | None) -> str:
    wid = workspace or next(iter(runtime.houses))
    if wid not in runtime.care.workspaces:
        console.print(f"error: workspace `{wid}` has no `care:` section in its house file (see docs/care.md)")
        raise typer.Exit(1)
    return str(wid)


@app.command()
def run(
    config: ConfigOption = None,
    workspace: Annotated[str | None, typer.Option(help="Workspace id (default: the house file's).")] = None,
    send: Annotated[bool, typer.Option(help="Also send what is due in the outbox.")] = True,
    as_json: Json = False,
) -> None:
    """Follow the log, turn new signals, anticipations, deadlines and schedules into care items, read the outcomes
    whose window passed, and send what is due (`serve` does all this continuously)."""
    with friendly_errors(), opened_runtime(config) as runtime:
        wid = _workspace(runtime, workspace)
        runtime.follower.drain()
        applied = runtime.care.evaluate(wid)
        sent = runtime.care.dispatch() if send else None
    summary: dict[str, Any] = {
        "workspace": wid,
        "created": applied.created,
        "held_out": applied.held_out,
        "updated": applied.updated,
        "closed": applied.closed,
        "actions_queued": applied.actions,
    }
    if sent is not None:
        summary["outbox"] = vars(sent)
    if as_json:
        sys.stdout.write(json.dumps(summary) + "\n")
        return
    console.print(
        f"{wid}: {applied.created} new care items, {applied.held_out} held out for comparison, {applied.updated} "
        f"updated, {applied.closed} closed by themselves; {applied.actions} actions queued"
    )
    if sent is not None:
        console.print(
            f"outbox: {sent.sent} sent, {sent.waiting} waiting (quiet hours or the cap), {sent.cancelled} not sent "
            f"(the customer's choices), {sent.failed} to retry, {sent.dead} dead letters"
        )


@app.command()
def outcomes(
    config: ConfigOption = None,
    workspace: Annotated[str | None, typer.Option(help="Workspace id (default: the house file's).")] = None,
    as_json: Json = False,
) -> None:
    """Did each playbook help? Recovery of treated customers against the random holdout, with a 95 % interval."""
    with friendly_errors(), opened_runtime(config) as runtime:
        wid = _workspace(runtime, workspace)
        report = runtime.care.outcomes(wid)
    if as_json:
        body = [
            {
                "playbook": o.playbook,
                "recovered_when": o.recovered_when,
                "within_days": o.within_days,
                "treated": vars(o.treated) | {"rate": o.treated.rate},
                "holdout": vars(o.holdout) | {"rate": o.holdout.rate},
                "difference": o.difference,
                "interval_95": [o.interval.low, o.interval.high] if o.interval else None,
                "verdict": o.verdict,
            }
            for o in report
        ]
        sys.stdout.write(json.dumps({"workspace": wid, "playbooks": body}) + "\n")
        return
    table = Table("playbook", "treated", "holdout", "difference", "95 % interval", "verdict")
    for o in report:
        t = f"{o.treated.recovered}/{o.treated.read}" + (f" ({o.treated.rate:.0%})" if o.treated.read else "")
        h = f"{o.holdout.recovered}/{o.holdout.read}" + (f" ({o.holdout.rate:.0%})" if o.holdout.read else "")
        d = f"{100 * o.difference:+.1f} pp" if o.difference is not None else "—"
        i = f"{100 * o.interval.low:+.1f} … {100 * o.interval.high:+.1f} pp" if o.interval else "—"
        table.add_row(o.playbook, t, h, d, i, o.verdict)
    console.print(table)


@app.command()
def outbox(
    config: ConfigOption = None,
    workspace: Annotated[str | None, typer.Option(help="Workspace id (default: the house file's).")] = None,
    retry: Annotated[
        list[str] | None, typer.Option(help="Put this dead letter back in the queue (repeatable).")
    ] = None,
    as_json: Json = False,
) -> None:
    """List the dead letters (deliveries that failed every attempt), or put some back in the queue."""
    from omotenashi.core.clock import to_epoch_ms, utc_now
    from omotenashi.store import care_actions

    with friendly_errors(), opened_runtime(config) as runtime:
        wid = _workspace(runtime, workspace)
        for action_id in retry or []:
            again = functools.partial(
                care_actions.requeue, workspace_id=wid, action_id=action_id, now=to_epoch_ms(utc_now())
            )
            if not runtime.writer.call(again):
                console.print(f"error: `{action_id}` is not a dead letter of {wid}")
                raise typer.Exit(1)
        dead = runtime.care.dead_letters(wid)
    rows: list[dict[str, Any]] = [
        {
            "id": a.id,
            "item": a.item_id,
            "kind": a.kind,
            "channel": a.channel,
            "attempts": a.attempts,
            "error": a.last_error,
        }
        for a in dead
    ]
    if as_json:
        sys.stdout.write(json.dumps({"workspace": wid, "dead_letters": rows}) + "\n")
        return
    if retry:
        console.print(f"{len(retry)} back in the queue; `serve` (or `omotenashi care run`) sends them")
    table = Table("action", "item", "kind", "channel", "attempts", "last error")
    for r in rows:
        table.add_row(*(str(r[k] or "") for k in ("id", "item", "kind", "channel", "attempts", "error")))
    console.print(table if rows else "no dead letters")
