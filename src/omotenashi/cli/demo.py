"""`omotenashi demo`: build the demo workspace and serve it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from omotenashi.cli.common import console, friendly_errors, settings_with


def demo(
    folder: Annotated[Path, typer.Option("--dir", help="Where the demo workspace lives.")] = Path("var/demo"),
    serve: Annotated[bool, typer.Option(help="Serve it when built.")] = True,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Build the demo workspace (real CDNOW orders, synthetic web activity) and serve it."""
    from omotenashi.cli.serving import serve_runtime
    from omotenashi.demo.accounts import DEMO_PASSWORD
    from omotenashi.demo.build import build_demo

    with friendly_errors():
        settings = settings_with(None)
        runtime, built = build_demo(folder, settings)
        host = host or settings.server.host
        port = port or settings.server.port
        if built.fresh:
            console.print(
                f"demo workspace built in {folder}: {built.orders.accepted} real CDNOW orders, "
                f"{built.web.accepted} synthetic web and support events ({built.web.duplicates} retried, "
                f"{sum(built.web.rejected_by_reason.values())} rejected on purpose), and {built.app.accepted} "
                "events of a synthetic software company (its onboarding journey is on the journey map)"
            )
        else:
            console.print(f"demo workspace in {folder} is already built; delete the folder to build it afresh")
        base = f"http://{host}:{port}"
        console.print(f"\nopen {base}/  (the workspace), {base}/docs (the API)", markup=False)
        console.print(
            f"staff workspace: {base}/staff/sign-in  as lead@demo.example, frontline@demo.example, "
            f"privacy@demo.example or admin@demo.example, password {DEMO_PASSWORD}",
            markup=False,
        )
        console.print("send an event:", markup=False)
        console.print(
            f"  curl -u '{built.write_key}:' {base}/v1/track -H 'Content-Type: application/json' "
            """-d '{"userId": "cdnow-1", "event": "Order Completed", "properties": {"revenue": 12.5}}'""",
            markup=False,
            soft_wrap=True,
        )
        if not serve:
            runtime.close()
            return
        runtime.demo_write_key = built.write_key
        serve_runtime(runtime, host, port)
