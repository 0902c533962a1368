"""Anticipation as a service: score a workspace (also on `serve`'s schedule), and read a customer's anticipations
for the briefing, the customer page and the portal."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Connection

from omotenashi.anticipation.history import read_history
from omotenashi.anticipation.scoring import Scored, score
from omotenashi.config.house import HouseFile
from omotenashi.core.clock import Clock, to_epoch_ms, utc_now
from omotenashi.core.errors import BadRequest
from omotenashi.pipeline.follower import Follower
from omotenashi.privacy.datamap import DataMap
from omotenashi.store import anticipations as repo
from omotenashi.store import customers as customers_repo
from omotenashi.store.engine import Engines
from omotenashi.store.writer import Periodic, Writer

log = logging.getLogger(__name__)
WRITE_CHUNK = 5_000  # anticipations per transaction: intake goes on between them
CHECK_EVERY_S = 600


@dataclass(frozen=True)
class ScoreRun:
    """What `omotenashi score` reports."""

    workspace_id: str
    scored: Scored
    purchases: int
    withdrawn_customers: int
    unattributed_events: int
    removed: int
    seconds: float


class Anticipations:
    """Scores workspaces and answers what is anticipated for a customer."""

    def __init__(
        self,
        houses: dict[str, HouseFile],
        engines: Engines,
        writer: Writer,
        follower: Follower,
        clock: Clock = utc_now,
    ) -> None:
        self._houses = houses
        self._engines = engines
        self._writer = writer
        self._follower = follower
        self._clock = clock
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def configured(self) -> list[str]:
        """Workspaces whose house file has an `anticipation:` section."""
        return [wid for wid, h in self._houses.items() if h.anticipation is not None]

    def score(self, workspace_id: str) -> ScoreRun:
        """Check the models on the workspace's own history, store the one used (and a candidate that was not
        promoted) and every customer's anticipations."""
        house = self._houses[workspace_id]
        section = house.anticipation
        if section is None:
            raise BadRequest(
                f"workspace `{workspace_id}` has no `anticipation:` section",
                hint="add one to the house file (docs/anticipation.md); `omotenashi init` writes an example",
            )
        with self._lock:
            began = time.perf_counter()
            self._follower.drain()
            with self._engines.read.connect() as conn:
                history = read_history(conn, workspace_id, section)
            sensitive = DataMap(house.data_map).special_names() if house.data_map is not None else set()
            now = to_epoch_ms(self._clock())
            scored = score(history.rows, section, now, sensitive=sorted(sensitive))

            def models(conn: Connection) -> None:
                if scored.rejected is not None:
                    repo.add_model(conn, workspace_id, scored.rejected)
                repo.add_model(conn, workspace_id, scored.live)

            self._writer.call(models)
            rows = scored.anticipations
            for first in range(0, len(rows), WRITE_CHUNK):
                chunk = rows[first : first + WRITE_CHUNK]
                self._writer.call(lambda conn, chunk=chunk: repo.put(conn, workspace_id, chunk))  # type: ignore[misc]
            removed = self._writer.call(lambda conn: repo.drop_older(conn, workspace_id, now))
            return ScoreRun(
                workspace_id,
                scored,
                len(history.rows),
                history.withdrawn_customers,
                history.unattributed_events,
                removed,
                time.perf_counter() - began,
            )

    def of_customer(self, conn: Connection, workspace_id: str, customer_id: str) -> list[repo.Anticipation]:
        """The customer's latest anticipations (kept under the record they were merged into)."""
        root = customers_repo.root_of(conn, workspace_id, customer_id)
        return repo.of_customer(conn, workspace_id, root)

    def due(self, workspace_id: str) -> bool:
        """Whether the workspace's anticipations are older than its `refresh_hours` (or were never made)."""
        section = self._houses[workspace_id].anticipation
        if section is None:
            return False
        with self._engines.read.connect() as conn:
            live = repo.live_model(conn, workspace_id)
        return live is None or to_epoch_ms(self._clock()) - live.fitted_at >= section.refresh_hours * 3_600_000

    def periodic(self) -> Periodic | None:
        """`serve`'s schedule: every few minutes, score in the background the workspaces that are due."""
        if not self.configured():
            return None

        def kick(_: Connection) -> None:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._score_due, name="omotenashi-score", daemon=True)
                self._thread.start()

        return Periodic("score anticipations that are due", CHECK_EVERY_S, kick)

    def _score_due(self) -> None:
        for wid in self.configured():
            try:
                if self.due(wid):
                    run = self.score(wid)
                    log.info("scored %s customers of %s with %s", run.scored.live.customers, wid, run.scored.live.name)
            except Exception:
                log.exception("scoring %s failed; the next scheduled run tries again", wid)

    def close(self) -> None:
        """Wait for a scheduled run under way to finish."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
