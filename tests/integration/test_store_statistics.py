"""PostgreSQL plans from table statistics: the writer refreshes them as a store grows from empty, so a key lookup
is not planned as a scan of an "empty" table that has since grown (autovacuum may be off, or not yet run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from omotenashi.bootstrap import build
from omotenashi.config.settings import Settings
from omotenashi.store.writer import FIRST_ANALYZE_ROWS
from tests.support import track

pytestmark = pytest.mark.postgres


def _analyzed(url: str) -> dict[str, bool]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables"))
            return {r[0]: bool(r[1]) for r in rows}
    finally:
        engine.dispose()


def test_the_writer_refreshes_planner_statistics_as_the_store_grows(house_file: Path, postgres_url: str) -> None:
    rt = build(Settings(house_file=house_file, store_url=postgres_url), follow=False)
    try:
        source = rt.intake.source("shop", "web")
        few = [json.dumps(track(f"u{n}", messageId=f"m{n}")).encode() for n in range(100)]
        rt.intake.import_lines(few, source)
        assert not _analyzed(postgres_url)["events"]  # a hundred rows: nothing to refresh yet
        many = [json.dumps(track(f"u{n}", messageId=f"m{n}")).encode() for n in range(100, FIRST_ANALYZE_ROWS + 100)]
        rt.intake.import_lines(many, source)
        rt.writer.call(lambda _conn: None)  # the maintenance runs after a commit
        analyzed = _analyzed(postgres_url)
        assert analyzed["events"] and analyzed["identities"] and analyzed["recent_ids"]
    finally:
        rt.close()
