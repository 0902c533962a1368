"""Anticipation as a service: score a workspace (also on `serve`'s schedule), and read a customer's anticipations
for the briefing, the customer page and the portal."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Connection

from omotenashi.anticipation.behaviour_scoring import Outcome, enabled
from omotenashi.anticipation.behaviour_service import score_workspace_behaviour
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
    scored: Scored | None  # None: no purchases, and only behaviour is anticipated
    purchases: int
    withdrawn_customers: int
    unattributed_events: int
    removed: int
    seconds: float
    behaviour: list[Outcome] = field(default_factory=list)  # churn, support contact, next step (when turned on)

    def summary(self) -> str:
        """One line for the log: which model scored how many customers, per kind."""
        parts = []
        if self.scored is not None:
            parts.append(f"{self.scored.live.customers} customers with {self.scored.live.name}")
        for o in self.behaviour:
            done = "skipped" if o.live is None else f"{len(o.anticipations)} with {o.live.name}"
            parts.append(f"{o.kind}: {done}")
        return "; ".join(parts)


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
            behaviour = enabled(section)
            # Without purchases, a workspace that anticipates behaviour only scores that (else: say what is missing).
            scored = None
            if history.rows or not behaviour:
                scored = score(history.rows, section, now, sensitive=sorted(sensitive))
            outcomes = score_workspace_behaviour(self._engines, house, workspace_id, now, sorted(sensitive))
            fitted = [m for o in outcomes for m in o.models]
            if scored is not None:
                fitted = [m for m in (scored.rejected, scored.live) if m is not None] + fitted

            def models(conn: Connection) -> None:
                for model in fitted:
                    repo.add_model(conn, workspace_id, model)

            self._writer.call(models)
            rows = (scored.anticipations if scored is not None else []) + [a for o in outcomes for a in o.anticipations]
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
                outcomes,
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
            live = repo.live_models(conn, workspace_id)
        if not live:
            return True
        latest = max(m.fitted_at for m in live.values())
        return to_epoch_ms(self._clock()) - latest >= section.refresh_hours * 3_600_000

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
                    log.info("scored %s: %s", wid, run.summary())
            except Exception:
                log.exception("scoring %s failed; the next scheduled run tries again", wid)

    def close(self) -> None:
        """Wait for a scheduled run under way to finish."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
