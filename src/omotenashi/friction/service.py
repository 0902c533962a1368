"""Friction as the rest of the product uses it: the followers per workspace, timers without new events, rescans,
and the signals for staff (the inbox, a customer's signals, the JSON API)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.core.clock import Clock, utc_now
from omotenashi.friction.consumer import FrictionConsumer
from omotenashi.store.engine import Engines
from omotenashi.store.writer import Periodic, Writer

TICK_SECONDS = 60


class Friction:
    """The friction capability of a running omotenashi."""

    def __init__(self, houses: dict[str, HouseFile], engines: Engines, writer: Writer, clock: Clock = utc_now) -> None:
        self.houses = houses
        self.engines = engines
        self.writer = writer
        self.clock = clock
        self.consumers = {wid: FrictionConsumer(house, clock) for wid, house in houses.items()}

    def followers(self) -> dict[str, FrictionConsumer]:
        """The `friction` log follower of each workspace with detectors on."""
        return {wid: c for wid, c in self.consumers.items() if c.active}

    def tick(self, workspace_id: str | None = None, *, flush: bool = False) -> int:
        """Judge what is due without new events (held events once settled, timers, customers to look at again); with
        `flush`, judge every held event now, as at the end of an import. The number of looks at a customer."""
        ids = [workspace_id] if workspace_id is not None else list(self.followers())

        def work(conn: Connection) -> int:
            consumers = [(wid, self.consumers[wid]) for wid in ids if self.consumers[wid].active]
            return sum(c.tick(conn, wid, flush=flush).looks for wid, c in consumers)

        looks: int = self.writer.call(work)
        return looks

    def periodic(self) -> Periodic | None:
        """The writer's periodic tick (needed for what happens without events: new stall baselines)."""
        if not self.followers():
            return None

        def work(conn: Connection) -> None:
            for wid, consumer in self.followers().items():
                consumer.tick(conn, wid)

        return Periodic("friction: timers and customers to look at again", TICK_SECONDS, work)

    def rescan(self, workspace_id: str, progress: Callable[[int], None] | None = None) -> dict[str, int]:
        """Forget every signal and detector memory of the workspace and judge its whole history again."""
        from omotenashi.friction.rescan import rescan

        return rescan(self.engines, self.writer, self.consumers[workspace_id], workspace_id, progress=progress)
