"""The single writer: one thread, one connection, a queue of work committed together.

Concurrent requests hand their work to the queue; the writer runs everything waiting in one transaction
(group commit), then answers each request. On SQLite that means no "database is locked" and one fsync for many
requests; on PostgreSQL it is simply a cheaper way to commit many small requests.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection

from omotenashi.store.engine import Engines

T = TypeVar("T")
log = logging.getLogger(__name__)

Work = Callable[[Connection], Any]


@dataclass
class _Job:
    work: Work
    rows: int
    future: Future[Any] = field(default_factory=Future)


@dataclass
class Periodic:
    """Maintenance the writer runs between transactions, every `seconds`."""

    name: str
    seconds: float
    work: Callable[[Connection], None]
    last: float = 0.0


_STOP = object()
FIRST_ANALYZE_ROWS = 10_000


class Writer:
    """Serialises every write through one connection; commits waiting work together."""

    def __init__(self, engines: Engines, *, max_batch_rows: int = 20_000, checkpoint_every_rows: int = 200_000):
        self._engines = engines
        self._queue: queue.Queue[_Job | object] = queue.Queue()
        self._max_rows = max_batch_rows
        self._checkpoint_every = checkpoint_every_rows
        self._rows_since_checkpoint = 0
        self._rows_written = 0
        self._analyze_at = FIRST_ANALYZE_ROWS
        self._thread: threading.Thread | None = None
        self._periodic: list[Periodic] = []
        self.commits = 0

    def add_periodic(self, task: Periodic) -> None:
        """Run `task` between transactions at most every `task.seconds`."""
        task.last = time.monotonic()
        self._periodic.append(task)

    def start(self) -> None:
        """Start the writer thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="omotenashi-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Finish the work already queued, then stop."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None

    def submit(self, work: Work, rows: int = 1) -> Future[Any]:
        """Queue `work(connection)`; the future holds its result once committed."""
        if self._thread is None:
            raise RuntimeError("the writer is not running")
        job = _Job(work, rows)
        self._queue.put(job)
        return job.future

    async def run(self, work: Callable[[Connection], T], rows: int = 1) -> T:
        """Queue work and wait, without blocking the event loop, until it is committed."""
        result: T = await asyncio.wrap_future(self.submit(work, rows))
        return result

    def call(self, work: Callable[[Connection], T], rows: int = 1) -> T:
        """Queue work and wait until it is committed."""
        result: T = self.submit(work, rows).result()
        return result

    def _loop(self) -> None:
        with self._engines.write.connect() as conn:
            stopping = False
            while not stopping:
                try:
                    first = self._queue.get(timeout=1.0)
                except queue.Empty:
                    self._maintain(conn, idle=True)
                    continue
                if first is _STOP:
                    break
                assert isinstance(first, _Job)
                jobs, stopping = self._drain(first)
                self._commit(conn, jobs)
                self._maintain(conn, idle=False)

    def _drain(self, first: _Job) -> tuple[list[_Job], bool]:
        jobs = [first]
        rows = first.rows
        while rows < self._max_rows:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                break
            if nxt is _STOP:
                return jobs, True
            assert isinstance(nxt, _Job)
            jobs.append(nxt)
            rows += nxt.rows
        return jobs, False

    def _commit(self, conn: Connection, jobs: list[_Job]) -> None:
        results: list[Any] = []
        try:
            with conn.begin():
                for job in jobs:
                    results.append(job.work(conn))
        except Exception as exc:
            # Isolate the failing job, then report the failure to its caller only.
            if len(jobs) > 1:
                for job in jobs:
                    self._commit(conn, [job])
                return
            jobs[0].future.set_exception(exc)
            return
        self.commits += 1
        rows = sum(job.rows for job in jobs)
        self._rows_since_checkpoint += rows
        self._rows_written += rows
        for job, result in zip(jobs, results, strict=True):
            job.future.set_result(result)

    def _maintain(self, conn: Connection, *, idle: bool) -> None:
        now = time.monotonic()
        for task in self._periodic:
            if now - task.last >= task.seconds:
                task.last = now
                try:
                    with conn.begin():
                        task.work(conn)
                except Exception:
                    log.exception("maintenance task %s failed", task.name)
        if self._engines.capabilities.needs_analyze and self._rows_written >= self._analyze_at:
            # PostgreSQL plans from table statistics; a store that grew from empty since they were taken gets plans
            # made for empty tables (a key lookup becomes a scan). Autovacuum refreshes them when it runs; when it
            # is off or behind, the writer does, at 10k, 20k, 40k… rows and then every million.
            self._analyze_at = min(self._analyze_at * 2, self._rows_written + 1_000_000)
            try:
                with conn.begin():
                    conn.exec_driver_sql("ANALYZE")
            except Exception:
                log.exception("refreshing the planner's statistics failed")
        if self._engines.capabilities.needs_checkpoint and (
            self._rows_since_checkpoint >= self._checkpoint_every or (idle and self._rows_since_checkpoint)
        ):
            # Outside any transaction, on the driver's own connection (autocommit), or it cannot complete.
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)" if idle else "PRAGMA wal_checkpoint(PASSIVE)")
            self._rows_since_checkpoint = 0
