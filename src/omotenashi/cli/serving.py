"""`omotenashi serve`: run the app under uvicorn."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from omotenashi.bootstrap import Runtime, build
from omotenashi.cli.common import console
from omotenashi.config.settings import Settings
from omotenashi.core.heap import start_up_frozen
from omotenashi.web.app import create_app


def run_server(
    settings: Settings,
    house_files: list[Path],
    *,
    host: str | None = None,
    port: int | None = None,
    demo_write_key: str | None = None,
) -> None:
    """Build the runtime and serve it until interrupted."""
    runtime = build(settings, house_files)
    runtime.demo_write_key = demo_write_key
    serve_runtime(runtime, host or settings.server.host, port or settings.server.port)


def serve_runtime(runtime: Runtime, host: str, port: int) -> None:
    """Serve an already built runtime."""
    app = create_app(runtime)
    if (scoring := runtime.anticipation.periodic()) is not None:
        runtime.writer.add_periodic(scoring)  # anticipations refreshed when due, off the writer's thread
    runtime.care.start()  # the care outbox is sent as items are made
    console.print(f"serving {', '.join(runtime.houses)} on http://{host}:{port}  (Ctrl-C to stop)")
    with start_up_frozen():
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
