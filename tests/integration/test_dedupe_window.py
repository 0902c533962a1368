"""The in-memory dedupe window of a SQLite store (store/recent_ids.py), on a real SQLite file.

SQLite keeps the window as an append-only log held in memory; these prove it still dedupes across processes
writing the same file, after a restart, after a rolled-back transaction, and forgets what falls out of the window.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.core.ids import id_fingerprint
from tests.conftest import write_house
from tests.support import track


def _lines(*ids: str) -> list[bytes]:
    return [json.dumps(track("u1", messageId=mid)).encode() for mid in ids]


def _import(rt: Runtime, *ids: str) -> tuple[int, int]:
    report = rt.intake.import_lines(_lines(*ids), rt.intake.source(next(iter(rt.houses)), "web"))
    return report.accepted, report.duplicates


def _stored(rt: Runtime) -> list[str]:
    with rt.engines.read.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT message_id FROM events ORDER BY seq"))]


def _runtime(house: Path) -> Runtime:
    return build(Settings(house_file=house), follow=False)


def test_two_runtimes_on_one_file_never_store_a_message_twice(tmp_path: Path) -> None:
    house = write_house(tmp_path)
    first, second = _runtime(house), _runtime(house)
    try:
        assert _import(first, "a", "b") == (2, 0)
        # The second process never saw these in memory: it reads what the first appended before it claims.
        assert _import(second, "b", "c") == (1, 1)
        assert _import(first, "c", "d", "a") == (1, 2)
        assert _stored(first) == ["a", "b", "c", "d"]
    finally:
        first.close()
        second.close()


def test_a_separate_import_process_beside_a_running_one_is_deduplicated(tmp_path: Path) -> None:
    house = write_house(tmp_path)
    rt = _runtime(house)
    try:
        assert _import(rt, "x1", "x2") == (2, 0)
        file = tmp_path / "again.jsonl"
        file.write_bytes(b"\n".join(_lines("x2", "x3")) + b"\n")
        out = subprocess.run(
            [
                str(Path(sys.executable).parent / "omotenashi"),
                "import",
                str(file),
                "--source",
                "web",
                "--json",
                "-c",
                str(house),
            ],
            capture_output=True,
            check=True,
        )
        summary = json.loads(out.stdout)
        assert (summary["accepted"], summary["duplicates"]) == (1, 1)
        # And this process learns what the other one stored.
        assert _import(rt, "x3", "x4") == (1, 1)
        assert _stored(rt) == ["x1", "x2", "x3", "x4"]
    finally:
        rt.close()


def test_a_restart_remembers_the_window(tmp_path: Path) -> None:
    house = write_house(tmp_path)
    rt = _runtime(house)
    assert _import(rt, "r1", "r2") == (2, 0)
    rt.close()
    rt = _runtime(house)
    try:
        assert _import(rt, "r2", "r3", "r1") == (1, 2)
    finally:
        rt.close()


def test_a_rolled_back_transaction_leaves_no_claim_behind(tmp_path: Path) -> None:
    house = write_house(tmp_path)
    rt = _runtime(house)
    try:
        recent = rt.intake._recent  # noqa: SLF001 - the window under test
        assert recent is not None
        assert _import(rt, "before") == (1, 0)
        fp = id_fingerprint("lost")

        def claim_then_fail(conn: sa.Connection) -> None:
            assert recent.claim(conn, "shop", [fp], 1) == {fp}
            raise RuntimeError("something after the claim failed")

        try:
            rt.writer.call(claim_then_fail)
        except RuntimeError:
            pass
        # The claim was rolled back with its transaction: the message is new, not a duplicate.
        assert _import(rt, "lost", "before") == (1, 1)
        assert _stored(rt) == ["before", "lost"]
    finally:
        rt.close()


def test_ids_older_than_the_window_are_forgotten_in_the_log_and_in_memory(tmp_path: Path) -> None:
    house = write_house(tmp_path)
    rt = _runtime(house)
    try:
        assert _import(rt, "old1", "old2") == (2, 0)
        recent = rt.intake._recent  # noqa: SLF001
        assert recent is not None and recent.size("shop") == 0  # claimed, not yet known to have committed
        assert _import(rt, "new1") == (1, 0)
        assert recent.size("shop") == 2
        far_future = 10**15
        rt.writer.call(lambda conn: rt.intake.forget_old_ids(conn, far_future))
        assert recent.size("shop") == 0
        with rt.engines.read.connect() as conn:
            left = conn.execute(sa.text("SELECT count(*) FROM recent_id_log")).scalar_one()
        assert left == 0
        # Outside the window a resend is stored again, as the house file's dedupe window says.
        assert _import(rt, "old1") == (1, 0)
    finally:
        rt.close()


def test_a_store_from_before_the_log_keeps_its_window_across_the_upgrade(tmp_path: Path) -> None:
    from alembic import command

    from omotenashi.store import migrate
    from omotenashi.store.engine import open_engines

    house = write_house(tmp_path)
    db = tmp_path / "var" / "omotenashi.db"
    engines = open_engines(f"sqlite:///{db}")
    cfg = migrate.alembic_config()
    with engines.write.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
        conn.exec_driver_sql(
            "INSERT INTO recent_ids (workspace_id, id_hash, seen_at) VALUES (?, ?, ?)",
            ("shop", id_fingerprint("kept-from-before"), 10**13),
        )
    engines.dispose()
    rt = _runtime(house)
    try:
        with rt.engines.read.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM recent_ids").scalar_one() == 0
        assert _import(rt, "kept-from-before", "fresh") == (1, 1)
    finally:
        rt.close()
