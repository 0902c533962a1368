"""`omotenashi bench privacy`: export and erasure of a customer with 100,000 events, erasure of 10,000 customers in
one batch, and intake while such a batch runs as a ratio to intake alone, on SQLite and on PostgreSQL.

All messages are synthetic (see benchmarks/synthetic.py and the history generator of benchmarks/memory.py).
"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from omotenashi.benchmarks.memory import history, template_house
from omotenashi.benchmarks.synthetic import Synthetic
from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.store.sql import driver_sql

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PER_CUSTOMER = 20  # messages per customer in the batch populations


class _Stop:
    """Messages until told to stop, counting what was handed out."""

    def __init__(self, source: Iterator[bytes]) -> None:
        self.source = source
        self.stop = threading.Event()
        self.count = 0

    def __iter__(self) -> Iterator[bytes]:
        for line in self.source:
            if self.stop.is_set():
                return
            self.count += 1
            yield line


def _population(rt: Runtime, prefix: str, customers: int) -> list[str]:
    """Import `customers` synthetic customers; their customer ids once client memory has caught up."""
    synthetic = Synthetic(seed=zlib.crc32(prefix.encode()), customers=customers, prefix=prefix)
    lines = synthetic.messages(customers * PER_CUSTOMER)
    rt.intake.import_lines(lines, rt.intake.source("bench", "web"))
    rt.follower.drain()
    with rt.engines.read.connect() as conn:
        rows = conn.exec_driver_sql(
            driver_sql(
                conn,
                "SELECT DISTINCT c.id FROM identities i JOIN customers c ON c.workspace_id = i.workspace_id "
                "AND c.id = i.customer_id WHERE i.workspace_id = ? AND i.kind = 'anonymous_id' AND i.value LIKE ? "
                "AND c.merged_into IS NULL",
            ),
            ("bench", f"{prefix}-a-%"),
        )
        return sorted(r[0] for r in rows)


def _intake_rate(rt: Runtime, prefix: str, until: Callable[[], None] | None, count: int) -> tuple[float, int]:
    """Events/s of `import` of fresh customers: `count` messages, or while `until` runs."""
    stream = _Stop(Synthetic(seed=7, customers=50_000, prefix=prefix).messages(10**9 if until else count))
    outcome: dict[str, float] = {}

    def load() -> None:
        start = time.perf_counter()
        rt.intake.import_lines(stream, rt.intake.source("bench", "web"))
        outcome["seconds"] = time.perf_counter() - start

    if until is None:
        load()
    else:
        worker = threading.Thread(target=load, name="bench-intake")
        worker.start()
        try:
            until()
        finally:
            stream.stop.set()
            worker.join()
    return stream.count / outcome["seconds"], stream.count


def _measure(settings: Settings, events: int, customers: int, say: Callable[..., Any]) -> dict[str, Any]:
    rt = build(settings, follow=False)
    try:
        say(f"  a customer with {events:,} events")
        rt.intake.import_lines(history("big", events), rt.intake.source("bench", "web"))
        rt.follower.drain()
        from omotenashi.privacy.service import Identity

        big = rt.privacy.find("bench", Identity("user_id", "big"))
        with tempfile.TemporaryFile() as fh:
            start = time.perf_counter()
            contents = rt.privacy.export("bench", big, fh)
            export_s = time.perf_counter() - start
            zip_mb = fh.tell() / 1e6
        start = time.perf_counter()
        receipt = rt.privacy.erase("bench", big, via="cli")
        erase_s = time.perf_counter() - start

        say(f"  two populations of {customers:,} customers ({PER_CUSTOMER} messages each)")
        first = _population(rt, "erase-a", customers)
        second = _population(rt, "erase-b", customers)
        say("  intake alone")
        alone, alone_n = _intake_rate(rt, "intake-a", None, customers * PER_CUSTOMER)
        rt.follower.drain()
        say(f"  erasure of {len(first):,} customers in one batch")
        start = time.perf_counter()
        batch = rt.privacy.erase_many("bench", first, via="cli")
        batch_s = time.perf_counter() - start
        say(f"  intake while a batch of {len(second):,} is erased")
        timing: dict[str, float] = {}

        def erase_second() -> None:
            begin = time.perf_counter()
            rt.privacy.erase_many("bench", second, via="cli")
            timing["seconds"] = time.perf_counter() - begin

        during, during_n = _intake_rate(rt, "intake-b", erase_second, 0)
    finally:
        rt.close()
    return {
        "customer_events": events,
        "export": {"seconds": round(export_s, 3), "zip_mb": round(zip_mb, 1), "rows": contents},
        "erase_one": {"seconds": round(erase_s, 3), "removed": receipt["removed"]},
        "batch": {
            "customers": len(batch),
            "seconds": round(batch_s, 2),
            "customers_per_s": round(len(batch) / batch_s),
            "events_removed": sum(r["removed"].get("events", 0) for r in batch),
        },
        "intake_alone": {"events_per_s": round(alone), "events": alone_n},
        "intake_during_batch": {
            "events_per_s": round(during),
            "events": during_n,
            "batch_seconds": round(timing["seconds"], 2),
            "ratio": round(during / alone, 3),
        },
    }


def _postgres_database(admin_url: str) -> str | None:
    """A fresh database on the server, or None when none answers."""
    import sqlalchemy as sa

    name = f"omotenashi_bench_{uuid.uuid4().hex[:10]}"
    try:
        engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        engine.dispose()
    except sa.exc.OperationalError:
        return None
    return str(sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False))


def _drop(admin_url: str, url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {sa.engine.make_url(url).database} WITH (FORCE)")
    engine.dispose()


def run(
    events: int = 100_000,
    customers: int = 10_000,
    postgres_url: str | None = POSTGRES,
    progress: Callable[..., Any] | None = None,
) -> dict[str, Any]:
    """Measure on SQLite and (when a server answers at `postgres_url`) on PostgreSQL."""
    say = progress or (lambda *_: None)
    out: dict[str, Any] = {"customer_events": events, "batch_customers": customers}
    with tempfile.TemporaryDirectory(prefix="omotenashi-bench-privacy-") as tmp:
        root = Path(tmp)
        say("SQLite")
        (root / "sqlite").mkdir()
        out["sqlite"] = _measure(Settings(house_file=template_house(root / "sqlite")), events, customers, say)
        if postgres_url is None:
            out["postgresql"] = {"skipped": "--no-postgres"}
            return out
        url = _postgres_database(postgres_url)
        if url is None:
            out["postgresql"] = {"skipped": f"no PostgreSQL server answers at {postgres_url}"}
            return out
        say("PostgreSQL")
        (root / "pg").mkdir()
        try:
            out["postgresql"] = _measure(
                Settings(house_file=template_house(root / "pg"), store_url=url), events, customers, say
            )
        finally:
            _drop(postgres_url, url)
    return out
