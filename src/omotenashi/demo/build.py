"""Build the demo workspace through the real intake path.

Orders come from the real CDNOW sample. Web activity (sign-ins, page views, consent choices) is synthetic,
generated from a fixed seed, and every synthetic message says so in `context.synthetic`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import msgspec

from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.core.ids import hash_write_key, new_write_key
from omotenashi.datasets import cdnow
from omotenashi.intake.service import IntakeReport
from omotenashi.store import workspaces

SEED = 20261123
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
        traits = {
            "name": f"{rng.choice(NAMES)} {chr(65 + n % 26)}.",
            "email": f"customer-{cid}@example.com",
            "language": lang,
            "plan": rng.choice(("free", "member", "member", "premium")),
        }
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
    folder.mkdir(parents=True, exist_ok=True)
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
    orders = runtime.intake.import_lines(order_messages(), runtime.intake.source(wid, "shop"))
    web = runtime.intake.import_lines(web_messages(), runtime.intake.source(wid, "web"))
    return runtime, DemoBuild(house_file, key, orders, web)
