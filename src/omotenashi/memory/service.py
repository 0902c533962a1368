"""Client memory as the staff workspace uses it: each call reads or writes through the right engine, checks the
staff member's role, and writes every view of a customer record to the access log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select

from omotenashi.config.house import HouseFile
from omotenashi.core.clock import Clock, to_epoch_ms, utc_now
from omotenashi.memory import merges, notes, profile
from omotenashi.memory.briefing import BRIEFING_PURPOSES, Briefing, build_briefing
from omotenashi.memory.consumer import MemoryConsumer
from omotenashi.memory.search import Hit, search
from omotenashi.memory.timeline import KINDS, Page, timeline
from omotenashi.staff.permissions import Action, allowed, require
from omotenashi.store import access, customer_events
from omotenashi.store import customers as repo
from omotenashi.store import notes as notes_repo
from omotenashi.store.engine import Engines
from omotenashi.store.schema import customer_stats
from omotenashi.store.staff import StaffMember
from omotenashi.store.writer import Writer


@dataclass
class CustomerPage:
    """Everything the customer page shows."""

    briefing: Briefing
    timeline: Page
    notes: list[tuple[notes_repo.Note, list[notes_repo.NoteVersion]]]
    merges: list[repo.Merge]
    conflicts: list[repo.Conflict]
    access: list[access.Access]
    kinds: set[str]
    event_name: str | None


class Memory:
    """The staff-facing service over client memory."""

    def __init__(
        self,
        houses: dict[str, HouseFile],
        consumers: dict[str, MemoryConsumer],
        engines: Engines,
        writer: Writer,
        clock: Clock = utc_now,
    ) -> None:
        self._houses = houses
        self._consumers = consumers
        self._engines = engines
        self._writer = writer
        self._clock = clock

    def _now(self) -> int:
        return to_epoch_ms(self._clock())

    def _log_view(self, staff: StaffMember, customer_id: str, what: str, purpose: str) -> None:
        entry = access.Access(customer_id, staff.id, what, purpose, self._now())
        self._writer.call(lambda conn: access.record(conn, staff.workspace_id, entry))

    def briefing(self, staff: StaffMember, customer_id: str, lang: str, purpose: str = "service") -> Briefing:
        """The briefing before a contact; the view is written to the customer's access log."""
        require(staff, Action.VIEW_CUSTOMER)
        with self._engines.read.connect() as conn:
            result = build_briefing(conn, staff.workspace_id, customer_id, self._houses[staff.workspace_id], lang)
        self._log_view(staff, result.customer_id, "briefing", purpose)
        return result

    def customer_page(
        self,
        staff: StaffMember,
        customer_id: str,
        lang: str,
        *,
        cursor: str | None = None,
        kinds: set[str] | None = None,
        event_name: str | None = None,
    ) -> CustomerPage:
        """The whole customer page: briefing, a page of the timeline, notes with history, merges, conflicts."""
        require(staff, Action.VIEW_CUSTOMER)
        wid = staff.workspace_id
        wanted = {k for k in (kinds or set(KINDS)) if k in KINDS} or set(KINDS)
        with self._engines.read.connect() as conn:
            brief = build_briefing(conn, wid, customer_id, self._houses[wid], lang)
            members = brief.profile.members
            page = timeline(
                conn,
                wid,
                members,
                lang,
                cursor=cursor,
                kinds=wanted,
                event_name=event_name or None,
                allowed_purposes={"service", "care"},
            )
            note_list = [(n, notes_repo.versions(conn, wid, n.id)) for n in notes_repo.of_customers(conn, wid, members)]
            merge_list = repo.merges_touching(conn, wid, members)
            conflict_list = repo.conflicts_touching(conn, wid, members)
            seen_by = access.of_customers(conn, wid, members, 20) if allowed(staff.role, Action.VIEW_ACCESS_LOG) else []
        self._log_view(staff, brief.customer_id, "customer page", "service")
        return CustomerPage(brief, page, note_list, merge_list, conflict_list, seen_by, wanted, event_name)

    def find(self, staff: StaffMember, query: str) -> list[Hit]:
        """Customers matching a query (names and identifiers shown in the list are not record views)."""
        require(staff, Action.VIEW_CUSTOMER)
        with self._engines.read.connect() as conn:
            return search(conn, staff.workspace_id, query, self._consumers[staff.workspace_id])

    def recent(self, staff: StaffMember, limit: int = 30) -> list[profile.Profile]:
        """The most recently active customers."""
        return self.recent_page(staff, limit)[0]

    def recent_page(
        self, staff: StaffMember, limit: int = 30, after: tuple[int, str] | None = None
    ) -> tuple[list[profile.Profile], tuple[int, str] | None]:
        """The most recently active customers after `after` (the cursor a page before gave), and the cursor of the
        next page (None: there is none)."""
        require(staff, Action.VIEW_CUSTOMER)
        wid = staff.workspace_id
        c = customer_stats.c
        stmt = select(c.customer_id, c.last_ts).where(c.workspace_id == wid)
        if after is not None:
            ts, cid = after
            stmt = stmt.where(or_(c.last_ts < ts, and_(c.last_ts == ts, c.customer_id < cid)))
        stmt = stmt.order_by(c.last_ts.desc(), c.customer_id.desc()).limit(limit * 3)
        with self._engines.read.connect() as conn:
            roots: list[str] = []
            cursor: tuple[int, str] | None = None
            read = 0
            for cid, last_ts in conn.execute(stmt):
                read += 1
                cursor = (int(last_ts), str(cid))
                root = repo.root_of(conn, wid, cid)
                if root not in roots:
                    roots.append(root)
                if len(roots) >= limit:
                    break
            more = len(roots) >= limit or read == limit * 3
            return [profile.load_profile(conn, wid, r, BRIEFING_PURPOSES) for r in roots], cursor if more else None

    def add_note(
        self, staff: StaffMember, customer_id: str, body: str, *, visible_to_customer: bool = True
    ) -> notes_repo.Note:
        """Write a note on a customer."""
        require(staff, Action.WRITE_NOTE)
        limit = self._houses[staff.workspace_id].memory.note_max_chars
        now = self._now()
        return self._writer.call(
            lambda conn: notes.add_note(
                conn,
                staff.workspace_id,
                customer_id,
                staff.id,
                body,
                now,
                max_chars=limit,
                visible_to_customer=visible_to_customer,
            )
        )

    def edit_note(self, staff: StaffMember, note_id: str, body: str) -> int:
        """Change a note (the author, or a lead); earlier text stays in its history."""
        require(staff, Action.WRITE_NOTE)
        limit = self._houses[staff.workspace_id].memory.note_max_chars
        may_edit_others = allowed(staff.role, Action.MERGE)
        now = self._now()
        return self._writer.call(
            lambda conn: notes.edit_note(
                conn, staff.workspace_id, note_id, staff.id, body, now, max_chars=limit, may_edit_others=may_edit_others
            )
        )

    def undo_merge(self, staff: StaffMember, merge_id: int, reason: str) -> repo.Merge:
        """Separate two customers joined by a merge."""
        require(staff, Action.UNDO_MERGE)
        now = self._now()
        return self._writer.call(
            lambda conn: merges.undo_merge(conn, staff.workspace_id, merge_id, staff.id, reason, now)
        )

    def merge(self, staff: StaffMember, survivor: str, absorbed: str, reason: str) -> int:
        """Join two customers staff know are one person (never two different accounts)."""
        require(staff, Action.MERGE)
        now = self._now()
        return self._writer.call(
            lambda conn: merges.merge_by_hand(conn, staff.workspace_id, survivor, absorbed, staff.id, reason, now)
        )

    def resolve_conflict(self, staff: StaffMember, conflict_id: int) -> None:
        """Mark an identity conflict as looked at (the customers stay apart)."""
        require(staff, Action.RESOLVE_CONFLICT)
        now = self._now()
        self._writer.call(lambda conn: repo.resolve_conflict(conn, staff.workspace_id, conflict_id, now))

    def set_preference(self, staff: StaffMember, customer_id: str, name: str, value: Any, reason: str) -> None:
        """Record a preference the customer told staff, with the reason."""
        require(staff, Action.WRITE_NOTE)
        now = self._now()
        self._writer.call(
            lambda conn: profile.set_preference_by_staff(
                conn, staff.workspace_id, customer_id, name, value, staff.id, reason, now
            )
        )

    def count(self, workspace_id: str) -> int:
        """Customers as people (merged records counted once)."""
        with self._engines.read.connect() as conn:
            return customer_events.count_customers(conn, workspace_id)
