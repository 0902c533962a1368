"""Build the demo workspace through the real intake path.

Orders come from the real CDNOW sample. Web activity (sign-ins, page views, consent choices) is synthetic,
generated from a fixed seed, and every synthetic message says so in `context.synthetic`; so is a made-up software
company's customers (the simulator), which give the journey map its onboarding journey.
"""

from __future__ import annotations

import functools
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import msgspec
from sqlalchemy import select

from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.core.clock import to_epoch_ms, utc_now
from omotenashi.core.ids import hash_write_key, new_write_key
from omotenashi.datasets import cdnow
from omotenashi.demo.accounts import DEMO_PASSWORD, DEMO_STAFF
from omotenashi.intake.service import IntakeReport
from omotenashi.privacy.service import Identity
from omotenashi.simulator import WorldConfig
from omotenashi.simulator import messages as simulated_messages
from omotenashi.staff import accounts
from omotenashi.store import customer_events, workspaces
from omotenashi.store import customers as customers_store
from omotenashi.store import staff as staff_store
from omotenashi.store.schema import notes as notes_table
from omotenashi.store.staff import StaffMember

SEED = 20261123
DEMO_VERSION = "9"  # bump when the demo's content changes: an older demo folder is then rebuilt
WEB_CUSTOMERS = 300
PAGES = ("Home", "New releases", "Jazz", "Rock", "Classical", "Search results", "Cart", "Help: shipping")
NAMES = ("Aiko", "Ben", "Chiara", "Daisuke", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jun", "Kofi", "Lena")
LANGUAGES = ("en", "en", "en", "ja")


@dataclass
class DemoBuild:
    """What building the demo did."""

    house_file: Path
    write_key: str
    orders: IntakeReport
    web: IntakeReport
    staff: dict[str, StaffMember]
    fresh: bool
    app: IntakeReport = field(default_factory=IntakeReport)


def order_messages() -> Iterator[bytes]:
    """Real CDNOW purchases as Segment `Order Completed` messages."""
    for p in cdnow.purchases():
        at = datetime(p.day.year, p.day.month, p.day.day, 12, 0, tzinfo=UTC)
        yield msgspec.json.encode(
            {
                "type": "track",
                "messageId": f"cdnow-{p.line}",
                "userId": f"cdnow-{p.customer_id}",
                "event": "Order Completed",
                "properties": {"cds": p.cds, "revenue": p.dollars, "currency": "USD"},
                "timestamp": at.isoformat(),
                "context": {"dataset": "CDNOW sample (real)"},
            }
        )


def web_messages(seed: int = SEED) -> Iterator[bytes]:
    """Synthetic web activity for some CDNOW customers: identify, page views, consent, and a few bad messages."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not secrets
    by_customer: dict[int, list[cdnow.Purchase]] = {}
    for p in cdnow.purchases():
        by_customer.setdefault(p.customer_id, []).append(p)
    chosen = rng.sample(sorted(by_customer), WEB_CUSTOMERS)
    synthetic = {"synthetic": True, "library": {"name": "omotenashi-demo", "version": "1"}}
    for n, cid in enumerate(chosen):
        first = by_customer[cid][0].day
        start = datetime(first.year, first.month, first.day, 9, tzinfo=UTC) - timedelta(hours=rng.randint(1, 48))
        anon = f"anon-{rng.getrandbits(48):012x}"
        user = f"cdnow-{cid}"
        choice = {"analytics": rng.random() < 0.7, "marketing": rng.random() < 0.3}
        ctx = {**synthetic, "consent": {"categoryPreferences": choice}}
        for k in range(rng.randint(2, 6)):
            yield _msg(
                "page",
                anon,
                None,
                start + timedelta(minutes=3 * k),
                f"demo-{n}-p{k}",
                ctx,
                name=rng.choice(PAGES),
            )
        lang = rng.choice(LANGUAGES)
        traits: dict[str, object] = {
            "name": f"{rng.choice(NAMES)} {chr(65 + n % 26)}.",
            "email": f"customer-{cid}@example.com",
            "language": lang,
            "plan": rng.choice(("free", "member", "member", "premium")),
        }
        if n % 4 == 0:
            traits["preferred_channel"] = rng.choice(("email", "phone", "sms"))
            traits["tone"] = "formal" if lang == "ja" else rng.choice(("casual", "formal"))
        if n % 6 == 0:
            traits["quiet_hours"] = {"start": "21:00", "end": "08:00", "timezone": "America/New_York"}
        if n % 10 == 0:
            traits["do_not_contact_first"] = True
        yield _msg("identify", anon, user, start + timedelta(minutes=30), f"demo-{n}-id", synthetic, traits=traits)
        if n % 25 == 0:
            yield _msg(
                "track",
                anon,
                user,
                start + timedelta(minutes=31),
                f"demo-{n}-cw",
                synthetic,
                event="Consent Withdrawn",
                properties={"purpose": "care"},
            )
    # A retried message (stored once) and three invalid ones, so the demo shows what intake does with them.
    yield _msg("page", "anon-retry", None, datetime(1997, 3, 1, tzinfo=UTC), "demo-0-p0", synthetic, name="Home")
    yield msgspec.json.encode({"type": "track", "messageId": "demo-bad-1", "event": "Cart Viewed"})
    yield msgspec.json.encode({"type": "track", "messageId": "demo-bad-2", "userId": "cdnow-1"})
    yield msgspec.json.encode({"type": "page", "messageId": "demo-bad-3", "userId": ["not", "a", "string"]})


def support_messages(seed: int = SEED) -> Iterator[bytes]:
    """Synthetic support contacts known only by e-mail: memory links them to the shop's customers by that e-mail.

    Also one family laptop used by two accounts: a conflict for staff to see, never a merge.
    """
    rng = random.Random(seed + 1)  # noqa: S311 - synthetic demo data, not secrets
    by_customer: dict[int, list[cdnow.Purchase]] = {}
    for p in cdnow.purchases():
        by_customer.setdefault(p.customer_id, []).append(p)
    chosen = random.Random(seed).sample(sorted(by_customer), WEB_CUSTOMERS)  # noqa: S311 - same people as the web
    synthetic = {"synthetic": True, "library": {"name": "omotenashi-demo", "version": "1"}}
    for n, cid in enumerate(chosen[:40]):
        last = by_customer[cid][-1].day
        at = datetime(last.year, last.month, last.day, 15, tzinfo=UTC) + timedelta(days=rng.randint(1, 20))
        ticket = f"support-{n:03d}"
        yield _msg(
            "identify",
            ticket,
            None,
            at,
            f"demo-s{n}-id",
            synthetic,
            traits={"email": f"Customer-{cid}@Example.com", "phone": f"+1 212 555 {1000 + n}"},
        )
        subject = rng.choice(
            (
                "Where is my order?",
                "The CD arrived scratched",
                "Can I change my address?",
                "I was charged twice",
                "How do I return an item?",
            )
        )
        yield _msg(
            "track",
            ticket,
            None,
            at + timedelta(minutes=2),
            f"demo-s{n}-t",
            synthetic,
            event="Ticket Created",
            properties={"subject": subject, "channel": "email"},
        )
        if n % 3:
            yield _msg(
                "track",
                ticket,
                None,
                at + timedelta(days=1),
                f"demo-s{n}-r",
                synthetic,
                event="Ticket Resolved",
                properties={"subject": subject},
            )
    a, b = chosen[0], chosen[1]
    at = datetime(1997, 6, 1, 19, tzinfo=UTC)
    for k, cid in enumerate((a, b)):
        yield _msg(
            "track",
            "family-laptop",
            f"cdnow-{cid}",
            at + timedelta(hours=k),
            f"demo-shared-{k}",
            synthetic,
            event="Signed In",
        )


# --- journeys and behaviour: a synthetic software company ----------------------------------------------------------
# The shop's own data has no onboarding journey and no subscriptions, so the journey map, churn risk, support-contact
# risk and next step are shown on a made-up software company: the simulator of docs/events.md, a fixed seed and a
# modest size, in arrival order (phones deliver late), through the `app` source. Every message says
# `context.synthetic: true`, and so does everything anticipated from them. 130 days: enough for churn risk to learn
# on earlier weeks and be checked on later ones (a 30-day horizon, 28 days held out); 900 customers: enough for a
# few quiet declines to show (the simulator plants them on about one customer in forty, most too faint to see).
APP_WORLD = WorldConfig(customers=900, days=130, seed=SEED)


def app_messages(world: WorldConfig = APP_WORLD) -> Iterator[bytes]:
    """The synthetic software company's customers: signups, onboarding steps, use, support, renewals."""
    return simulated_messages(world, shuffle=True)


def _load_app(runtime: Runtime, wid: str) -> IntakeReport:
    """Load the software company through the `app` source, follow it, and compute its journey baselines."""
    report = runtime.intake.import_lines(app_messages(), runtime.intake.source(wid, "app"))
    runtime.follower.drain()
    runtime.journeys.refresh(wid)
    return report


def _msg(
    kind: str,
    anon: str,
    user: str | None,
    at: datetime,
    message_id: str,
    context: dict[str, object],
    **fields: object,
) -> bytes:
    body: dict[str, object] = {"type": kind, "messageId": message_id, "anonymousId": anon, "context": context}
    if user is not None:
        body["userId"] = user
    body["timestamp"] = at.isoformat()
    body.update(fields)
    return msgspec.json.encode(body)


def build_demo(folder: Path, settings: Settings) -> tuple[Runtime, DemoBuild]:
    """Write the demo house file, create its store and load it through intake; returns the running runtime."""
    marker = folder / ".demo-version"
    if folder.exists() and (not marker.exists() or marker.read_text().strip() != DEMO_VERSION):
        # Built by another version of the demo: start again rather than mix two demos in one store.
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fresh = not marker.exists()
    house_file = folder / "omotenashi.yaml"
    house_file.write_text((resources.files("omotenashi.demo") / "house.yaml").read_text("utf-8"), encoding="utf-8")
    runtime = build(settings.model_copy(update={"house_file": house_file}), [house_file])
    wid = next(iter(runtime.houses))
    key_file = folder / "write-key.txt"
    if key_file.exists():
        key = key_file.read_text().strip()
    else:
        key = new_write_key()
        with runtime.engines.write.begin() as conn:
            workspaces.add_key(conn, hash_write_key(key), key[:10], wid, "web")
        key_file.write_text(key + "\n")
    orders, web, app = IntakeReport(), IntakeReport(), IntakeReport()
    if fresh:
        orders = runtime.intake.import_lines(order_messages(), runtime.intake.source(wid, "shop"))
        web = runtime.intake.import_lines(web_messages(), runtime.intake.source(wid, "web"))
        web.add_report(runtime.intake.import_lines(support_messages(), runtime.intake.source(wid, "support")))
    runtime.follower.drain()
    staff = _demo_staff(runtime, wid)
    if fresh:
        _demo_notes(runtime, wid, staff)
        # After the notes, which go to the shop's most recently active customers, not the software company's.
        app = _load_app(runtime, wid)
        # Real CDNOW customers, scored by the model that earned it on the paper's 39 weeks held out; and the synthetic
        # software company's customers: churn risk, support-contact risk and next step, each checked on later weeks.
        runtime.anticipation.score(wid)
        # Friction and anticipations become care items with owners; a few are already being worked.
        _demo_care(runtime, wid, staff)
        _demo_rights(runtime, wid, staff)
        marker.write_text(DEMO_VERSION + "\n")
    return runtime, DemoBuild(house_file, key, orders, web, staff, fresh, app)


def _demo_staff(runtime: Runtime, wid: str) -> dict[str, StaffMember]:
    """Demo staff accounts (one per role), created once."""
    out: dict[str, StaffMember] = {}
    now = to_epoch_ms(utc_now())
    for email, name, role, lang in DEMO_STAFF:
        with runtime.engines.read.connect() as conn:
            existing = staff_store.by_email(conn, wid, email)
        if existing is not None:
            out[role] = existing
            continue
        new = accounts.enrol(wid, email, name, role, DEMO_PASSWORD, language=lang, now=now)
        out[role] = runtime.writer.call(functools.partial(accounts.add, new=new))
    return out


def _demo_rights(runtime: Runtime, wid: str, staff: dict[str, StaffMember]) -> None:
    """A request to see what is held, received by e-mail from a shop customer, for the privacy officer to check who
    is asking and answer within the month the law gives."""
    with runtime.engines.read.connect() as conn:
        found = customer_events.search(conn, wid, "customer-", limit=1)
        members = customers_store.members_of(conn, wid, customers_store.root_of(conn, wid, found[0])) if found else []
        ids = customers_store.identities_of(conn, wid, members)
    user = min((i.value for i in ids if i.kind == "user_id"), default=None)
    if user is not None:
        officer = staff["privacy_officer"].id
        runtime.privacy.open_request(wid, "access", Identity("user_id", user), "email", officer)


def _demo_care(runtime: Runtime, wid: str, staff: dict[str, StaffMember]) -> None:
    """Playbooks over the demo's signals and anticipations, and some work under way: a message sent (into the demo's
    outbox folder: nothing leaves the machine) with a goodwill grant that waits for the lead, an item handed back
    and forth, one resolved."""
    care = runtime.care
    care.evaluate(wid)
    frontline, lead = staff["frontline"], staff["lead"]
    people = {frontline.id: frontline, lead.id: lead}
    open_rows = care.queue(lead, "open")

    def owned(playbook: str) -> list[tuple[str, StaffMember]]:
        return [
            (r.item.id, people[r.item.owner_id])
            for r in open_rows
            if r.item.playbook == playbook and r.item.owner_id in people
        ]

    for item_id, owner in owned("stalled_onboarding")[:1]:
        view = care.item(owner, item_id)
        care.claim(owner, item_id)
        if view.draft is not None and view.may_message.blocked is None:
            care.send_message(owner, item_id, view.draft.message.subject, view.draft.message.body)
        care.grant(owner, item_id=item_id, kind="extension", value=60, reason_code="delay", note="Lost a week to it.")
    loops = owned("help_loop")
    for item_id, owner in loops[:1]:
        other = lead if owner.id == frontline.id else frontline
        care.reassign(owner, item_id, other.id, "The customer wrote in Japanese; Haruka speaks it.")
        care.reassign(other, item_id, owner.id, "Checked: they prefer English after all.")
    for item_id, owner in loops[1:2]:
        care.log_call(owner, item_id, "Showed them where the export settings are; it works now.")
        care.resolve(owner, item_id, "helped", "Walked them through it on the phone.")
    care.dispatch()


def _demo_notes(runtime: Runtime, wid: str, staff: dict[str, StaffMember]) -> None:
    """A few notes on the first linked customers, once, and one merge a lead undid (with the reason)."""
    memory = runtime.memory
    people = memory.recent(staff["lead"], limit=200)
    linked = [p for p in people if len(p.members) > 1]
    with runtime.engines.read.connect() as conn:
        any_note = conn.execute(select(notes_table.c.id).limit(1)).first()
    if any_note is not None or not linked:
        return
    lines = (
        "Called about a scratched CD; sent a replacement. Prefers e-mail for follow-ups.",
        "お電話で配送先の変更を承りました。次回の注文から反映されます。",
        "Asked twice about the double charge — refund confirmed by the bank on our side.",
    )
    for person, text in zip(linked[:3], lines, strict=False):
        memory.add_note(staff["frontline"], person.customer_id, text)
    if len(linked) > 3:
        with runtime.engines.read.connect() as conn:
            merge = customers_store.merges_touching(conn, wid, linked[3].members)[0]
        memory.undo_merge(staff["lead"], merge.id, "Support inbox shared by a family: two different people.")
