"""Journeys as the rest of the product uses them: the map for staff, baselines refreshed on a schedule and on
demand, and a rebuild from the log after the house file's journeys changed."""

from __future__ import annotations

import functools
import logging
import threading

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.core.clock import Clock, to_epoch_ms, utc_now
from omotenashi.core.errors import NotFound
from omotenashi.journeys import baselines
from omotenashi.journeys.backend import analytics
from omotenashi.journeys.journey_map import JourneyMap, JourneyView, build_map, journey_view
from omotenashi.staff.permissions import Action, require
from omotenashi.store import journeys as repo
from omotenashi.store.engine import Engines
from omotenashi.store.staff import StaffMember
from omotenashi.store.writer import Periodic, Writer

log = logging.getLogger(__name__)


class Journeys:
    """The journey map and transition-time baselines of every workspace."""

    def __init__(self, houses: dict[str, HouseFile], engines: Engines, writer: Writer, clock: Clock = utc_now) -> None:
        self._houses = houses
        self._engines = engines
        self._writer = writer
        self._clock = clock
        self._refreshing = threading.Lock()
        self._thread: threading.Thread | None = None

    def _now(self) -> int:
        return to_epoch_ms(self._clock())

    def refresh(self, workspace_id: str | None = None) -> int:
        """Compute every baseline again (over the whole step history) and store it; the number of baselines."""
        with self._refreshing:
            total = 0
            for wid, house in self._houses.items():
                if workspace_id is not None and wid != workspace_id or house.journeys is None:
                    continue
                section = house.journeys
                now = self._now()
                with analytics(self._engines.url) as con:
                    computed = {jid: baselines.compute(con, section, wid, jid, now) for jid in section.journeys}
                for jid, rows in computed.items():
                    self._writer.call(
                        functools.partial(repo.replace_baselines, workspace_id=wid, journey=jid, rows=rows)
                    )
                    total += len(rows)
            return total

    def refresh_in_background(self) -> bool:
        """Start a refresh unless one is running; False when one was."""
        if self._thread is not None and self._thread.is_alive():
            return False
        self._thread = threading.Thread(target=self._refresh_logged, name="omotenashi-baselines", daemon=True)
        self._thread.start()
        return True

    def _refresh_logged(self) -> None:
        try:
            self.refresh()
        except Exception:
            log.exception("refreshing journey baselines failed; the next scheduled refresh tries again")

    def periodic(self) -> Periodic | None:
        """The writer's scheduled refresh (started off the writer's thread, which it must not hold up)."""
        minutes = [h.journeys.refresh_minutes for h in self._houses.values() if h.journeys and h.journeys.journeys]
        if not minutes:
            return None

        def kick(_: Connection) -> None:
            self.refresh_in_background()

        return Periodic("refresh journey baselines", min(minutes) * 60, kick)

    def close(self) -> None:
        """Wait for a refresh under way to finish."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def map(self, staff: StaffMember, lang: str) -> JourneyMap:
        """The journey map of the staff member's workspace."""
        require(staff, Action.VIEW_CUSTOMER)
        house = self._houses[staff.workspace_id]
        with self._engines.read.connect() as conn, analytics(self._engines.url) as con:
            return build_map(con, conn, house, staff.workspace_id, lang, self._now())

    def journey(self, staff: StaffMember, journey: str, lang: str) -> JourneyView:
        """One journey of the staff member's workspace."""
        require(staff, Action.VIEW_CUSTOMER)
        house = self._houses[staff.workspace_id]
        if house.journeys is None or journey not in house.journeys.journeys:
            raise NotFound(
                f"no journey `{journey}` in this workspace", hint="the house file's `journeys.journeys` lists them"
            )
        with self._engines.read.connect() as conn, analytics(self._engines.url) as con:
            newest = repo.newest_activity(conn, staff.workspace_id)
            as_of = None if newest is None else min(newest, self._now())
            return journey_view(con, conn, house, staff.workspace_id, journey, lang, as_of)

    def rebuild(self, workspace_id: str) -> None:
        """Forget every journey row of the workspace; the follower rebuilds them from the log (then refresh)."""
        self._writer.call(lambda conn: repo.forget(conn, workspace_id))
