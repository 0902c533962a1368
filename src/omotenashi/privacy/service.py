"""The privacy center as a service: the notice, what we know, consent, correction, export, erasure and rights
requests — for the portal, the staff pages and the command line alike."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection

from omotenashi.care.channels import mail_folders
from omotenashi.config.house import HouseFile
from omotenashi.core.clock import Clock, from_epoch_ms, to_epoch_ms, utc_now
from omotenashi.core.errors import BadRequest, NotFound
from omotenashi.core.purposes import ConsentMethod
from omotenashi.memory.consumer import MemoryConsumer
from omotenashi.memory.profile import correct_trait, resolve_customer
from omotenashi.pipeline.follower import Follower
from omotenashi.privacy import consent as consent_mod
from omotenashi.privacy import erasure, export, knowledge, notice
from omotenashi.store import anticipations, rights
from omotenashi.store import care as care_items
from omotenashi.store import customers as repo
from omotenashi.store.engine import Engines
from omotenashi.store.writer import Writer

REQUEST_KINDS = ("access", "export", "correct", "erase")
ERASE_CHUNK = 200  # people per transaction in a batch erasure
VIA = ("portal", "email", "phone", "letter", "cli", "staff")


def one_month_after(ms: int) -> int:
    """The legal deadline: the same day of the next month (or the month's last day)."""
    start = from_epoch_ms(ms)
    month = start.month % 12 + 1
    year = start.year + (start.month == 12)
    for day in (start.day, 30, 29, 28):
        try:
            return to_epoch_ms(start.replace(year=year, month=month, day=day))
        except ValueError:
            continue
    return ms + int(timedelta(days=30).total_seconds() * 1000)


@dataclass(frozen=True)
class Identity:
    kind: str
    value: str

    @classmethod
    def parse(cls, text: str) -> Identity:
        kind, sep, value = text.partition(":")
        if not sep or not kind or not value:
            raise BadRequest(
                f"`{text}` is not KIND:VALUE", hint="e.g. user_id:42, email:ann@example.com or anonymous_id:a-1"
            )
        return cls(kind.strip(), value.strip())


def _start_all(
    conn: Connection,
    *,
    workspace_id: str,
    customer_ids: Sequence[str],
    memory: MemoryConsumer,
    via: str,
    now_ms: int,
    staff_id: str | None,
) -> list[str]:
    return [
        erasure.start(conn, workspace_id, c, memory, via=via, now_ms=now_ms, staff_id=staff_id) for c in customer_ids
    ]


class Privacy:
    """Everything a customer (or staff, for them) can do about their data."""

    def __init__(
        self,
        houses: dict[str, HouseFile],
        consumers: dict[str, MemoryConsumer],
        engines: Engines,
        writer: Writer,
        follower: Follower,
        clock: Clock = utc_now,
        folders: Mapping[str, Path] | None = None,
    ) -> None:
        """`folders`: where each workspace's house file lives (its folder channels write there)."""
        self._houses = houses
        self._mail_folders = {
            wid: mail_folders(house, folders[wid]) for wid, house in houses.items() if folders and wid in folders
        }
        self._consumers = consumers
        self._engines = engines
        self._writer = writer
        self._follower = follower
        self._clock = clock

    def _now(self) -> int:
        return to_epoch_ms(self._clock())

    def house(self, workspace_id: str) -> HouseFile:
        return self._houses[workspace_id]

    def hashed_kinds(self, workspace_id: str) -> set[str]:
        ids = self._consumers[workspace_id].identifiers
        return {k for k, s in ids.items() if s.store_as == "keyed_hash"}

    def notice(self, workspace_id: str, lang: str) -> str:
        """The privacy notice, generated from the data map."""
        return notice.markdown(self._houses[workspace_id], lang)

    def find(self, workspace_id: str, identity: Identity) -> str:
        """The customer an identifier belongs to (keyed-hash kinds are matched by their hash)."""
        memory = self._consumers[workspace_id]
        value = (
            memory.identifier_value(identity.kind, identity.value)
            if identity.kind in memory.identifiers
            else identity.value
        )
        self._follower.drain()
        with self._engines.read.connect() as conn:
            found = repo.find_identities(conn, workspace_id, [(identity.kind, value)]).get((identity.kind, value))
            if found is None:
                raise NotFound(
                    f"nobody is known by {identity.kind}:{identity.value}",
                    hint="identifier kinds: user_id, anonymous_id, " + ", ".join(memory.identifiers),
                )
            return repo.root_of(conn, workspace_id, found)

    def knowledge(self, workspace_id: str, customer_id: str) -> knowledge.Knowledge:
        """What we know about the person, and why."""
        with self._engines.read.connect() as conn:
            return knowledge.gather(
                conn, workspace_id, customer_id, self._houses[workspace_id], self.hashed_kinds(workspace_id)
            )

    def consent(self, workspace_id: str, customer_id: str) -> list[consent_mod.PurposeConsent]:
        with self._engines.read.connect() as conn:
            return consent_mod.view(conn, workspace_id, customer_id, self._houses[workspace_id])

    def change_consent(
        self, workspace_id: str, customer_id: str, purpose: str, granted: bool, method: ConsentMethod, place: str
    ) -> Any:
        """Grant or withdraw a purpose; a receipt is written."""
        house = self._houses[workspace_id]
        now = self._now()
        forget = not granted and house.anticipation is not None and purpose in house.anticipation.purposes
        playbooks = house.care.playbooks.values() if house.care is not None else []
        stop_care = not granted and any(p.then.purpose == purpose for p in playbooks)

        def change(conn: Connection) -> Any:
            receipt = consent_mod.change(conn, workspace_id, customer_id, house, purpose, granted, method, place, now)
            if forget or stop_care:
                _, members = resolve_customer(conn, workspace_id, customer_id)
                if forget:
                    # Estimates made from what the customer no longer allows go at once, not at the next scoring.
                    anticipations.forget(conn, workspace_id, members)
                if stop_care:
                    # Care they no longer want leaves the queue at once (messages still queued are cancelled when due).
                    care_items.forget_customers(conn, workspace_id, members)
            return receipt

        return self._writer.call(change)

    def correct(
        self,
        workspace_id: str,
        customer_id: str,
        name: str,
        value: Any,
        *,
        by_staff: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Correct a trait (history kept)."""
        now = self._now()
        origin = "staff" if by_staff else "customer"
        self._writer.call(
            lambda conn: correct_trait(
                conn,
                workspace_id,
                customer_id,
                name,
                value,
                origin=origin,
                now_ms=now,
                staff_id=by_staff,
                reason=reason,
            )
        )

    def export(self, workspace_id: str, customer_id: str, target: IO[bytes]) -> dict[str, int]:
        """Write everything about the person as a zip of JSON and CSV."""
        self._follower.drain()
        with self._engines.read.connect() as conn:
            return export.write_zip(conn, workspace_id, customer_id, self.hashed_kinds(workspace_id), target)

    def erase(
        self,
        workspace_id: str,
        customer_id: str,
        *,
        via: str,
        staff_id: str | None = None,
        request_id: str | None = None,
    ) -> dict[str, Any]:
        """Erase the person; returns the receipt."""
        self._follower.drain()
        memory = self._consumers[workspace_id]
        now = self._now()
        rid = self._writer.call(
            lambda conn: erasure.start(
                conn, workspace_id, customer_id, memory, via=via, now_ms=now, staff_id=staff_id, request_id=request_id
            )
        )
        return self.finish_erasure(workspace_id, rid)

    def erase_many(
        self, workspace_id: str, customer_ids: Sequence[str], *, via: str, staff_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Erase many people in one batch; one receipt per person, in order.

        People are taken `ERASE_CHUNK` at a time, each step of a chunk in one transaction, so the writer is never
        held long enough to stall intake, and a stop anywhere resumes on restart like a single erasure.
        """
        self._follower.drain()
        memory = self._consumers[workspace_id]
        house = self._houses[workspace_id]
        with self._engines.read.connect() as conn:
            unknown = [c for c in customer_ids if not repo.exists(conn, workspace_id, c)]
            if unknown:
                raise NotFound(
                    f"{len(unknown)} of the {len(customer_ids)} customers are not in this workspace "
                    f"(first: {unknown[0]}); nothing was erased",
                    hint="they may already be erased; leave them out and run the batch again",
                )
            # People merged together are erased once, as the record they were merged into.
            roots = list(dict.fromkeys(repo.root_of(conn, workspace_id, c) for c in customer_ids))
        receipts: list[dict[str, Any]] = []
        for first in range(0, len(roots), ERASE_CHUNK):
            chunk = roots[first : first + ERASE_CHUNK]
            rids = self._writer.call(
                partial(
                    _start_all,
                    workspace_id=workspace_id,
                    customer_ids=chunk,
                    memory=memory,
                    via=via,
                    now_ms=self._now(),
                    staff_id=staff_id,
                )
            )
            folders = self._mail_folders.get(workspace_id)
            erasure.finish(self._writer.call, workspace_id, rids, house, self._now, folders)
            receipts.extend(self._receipts(workspace_id, rids))
        return receipts

    def finish_erasure(self, workspace_id: str, request_id: str) -> dict[str, Any]:
        """Run an erasure's remaining steps (also after a restart)."""
        house = self._houses[workspace_id]
        erasure.finish(
            self._writer.call, workspace_id, [request_id], house, self._now, self._mail_folders.get(workspace_id)
        )
        return self._receipts(workspace_id, [request_id])[0]

    def _receipts(self, workspace_id: str, request_ids: Sequence[str]) -> list[dict[str, Any]]:
        with self._engines.read.connect() as conn:
            found = [rights.get(conn, workspace_id, r) for r in request_ids]
        receipts = [req.receipt for req in found if req is not None and req.receipt is not None]
        assert len(receipts) == len(request_ids), "every finished erasure has a receipt"
        return receipts

    def resume_erasures(self) -> list[str]:
        """Complete every erasure a stopped process left half-done; their request ids."""
        with self._engines.read.connect() as conn:
            pending = [(w, r) for w, r in rights.in_progress(conn) if w in self._houses]
        for workspace_id, req in pending:
            self.finish_erasure(workspace_id, req.id)
        return [r.id for _, r in pending]

    # --- rights requests entered by staff (received by e-mail, phone, letter) ------------------------------------

    def open_request(
        self, workspace_id: str, kind: str, identity: Identity | None, via: str, staff_id: str | None
    ) -> rights.RightsRequest:
        """Record a rights request with its legal deadline (one month)."""
        if kind not in REQUEST_KINDS:
            raise BadRequest(f"unknown request kind `{kind}`", hint=f"one of: {', '.join(REQUEST_KINDS)}")
        if via not in VIA:
            raise BadRequest(f"unknown channel `{via}`", hint=f"one of: {', '.join(VIA)}")
        customer = self.find(workspace_id, identity) if identity else None
        now = self._now()
        req = rights.RightsRequest(
            id="r_" + secrets.token_hex(8),
            kind=kind,
            customer_id=customer,
            identity=self._identity_key(workspace_id, identity) if identity else None,
            via=via,
            received_at=now,
            due_at=one_month_after(now),
            verification="unverified",
            status="open",
            progress=None,
            outcome=None,
            receipt=None,
            staff_id=staff_id,
            completed_at=None,
        )
        self._writer.call(lambda conn: rights.add(conn, workspace_id, req))
        return req

    def _identity_key(self, workspace_id: str, identity: Identity) -> str:
        memory = self._consumers[workspace_id]
        if identity.kind in memory.identifiers:
            return f"{identity.kind}:{memory.identifier_value(identity.kind, identity.value)}"
        from omotenashi.core.ids import keyed_hash

        return f"{identity.kind}:{keyed_hash(memory.secret, identity.kind, identity.value)}"

    def requests(self, workspace_id: str, status: str | None = None) -> list[rights.RightsRequest]:
        with self._engines.read.connect() as conn:
            return rights.listing(conn, workspace_id, status)

    def set_verification(self, workspace_id: str, request_id: str, state: str, staff_id: str) -> None:
        if state not in ("verified", "failed", "unverified"):
            raise BadRequest(f"unknown verification state `{state}`", hint="verified, failed or unverified")
        self._writer.call(
            lambda conn: rights.change(conn, workspace_id, request_id, verification=state, staff_id=staff_id)
        )

    def complete_request(
        self, workspace_id: str, request_id: str, staff_id: str, target: IO[bytes] | None = None
    ) -> dict[str, Any]:
        """Carry out a verified request with the same machinery as the portal; the receipt."""
        with self._engines.read.connect() as conn:
            req = rights.get(conn, workspace_id, request_id)
        if req is None:
            raise NotFound(f"no request `{request_id}`")
        if req.verification != "verified":
            raise BadRequest(
                "verify the requester's identity first", hint="mark the request as verified, then complete it"
            )
        if req.customer_id is None:
            raise BadRequest("the request names nobody we know")
        if req.kind == "erase":
            return self.erase(workspace_id, req.customer_id, via=req.via, staff_id=staff_id, request_id=request_id)
        receipt: dict[str, Any] = {"request": request_id, "kind": req.kind}
        if req.kind in ("export", "access") and target is not None:
            receipt["contents"] = self.export(workspace_id, req.customer_id, target)
        now = self._now()
        self._writer.call(
            lambda conn: rights.change(
                conn,
                workspace_id,
                request_id,
                status="completed",
                completed_at=now,
                receipt=receipt,
                outcome=req.kind,
                staff_id=staff_id,
            )
        )
        return receipt
