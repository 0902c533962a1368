"""Erasure leaves no row that references the person, on SQLite and PostgreSQL; it resumes after a crash."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.core.purposes import ConsentMethod
from omotenashi.privacy import erasure
from omotenashi.privacy.service import Identity
from omotenashi.store import rights
from omotenashi.store.schema import metadata
from tests.conftest import write_house
from tests.support import create_key, live_server, track

DATA_MAP: dict[str, Any] = {
    "undeclared": "keep",
    "defaults": {
        "use": "essential.service",
        "legal_basis": "contract",
        "retention_days": 365,
        "description": {"en": "To serve you.", "ja": "サービスのためです。"},
    },
    "events": {
        "Order Completed": {
            "category": "user.behavior.purchase_history",
            "retention_days": 3650,
            "kept_after_erasure": {"en": "Tax law: ten years.", "ja": "税法により10年間保存します。"},
            "properties": {"revenue": {}},
        },
        "Signed In": {"category": "user.authorization"},
    },
    "traits": {"name": {"category": "user.name"}, "email": {"category": "user.contact.email"}},
}


@pytest.fixture
def privacy_house(tmp_path: Path) -> Path:
    return write_house(tmp_path, data_map=DATA_MAP)


def feed(rt: Runtime, *messages: dict[str, Any]) -> None:
    lines = [json.dumps(m).encode() for m in messages]
    report = rt.intake.import_lines(lines, rt.intake.source("shop", "web"))
    assert not report.rejected, report.rejected
    rt.follower.drain()


def person(rt: Runtime, who: str, email: str, name: str) -> None:
    feed(
        rt,
        {"type": "page", "anonymousId": f"anon-{who}", "name": "Home"},
        {"type": "identify", "anonymousId": f"anon-{who}", "userId": who, "traits": {"email": email, "name": name}},
        {"type": "track", "userId": who, "event": "Order Completed", "properties": {"revenue": 42, "note": name}},
        {"type": "track", "userId": who, "event": "Signed In", "context": {"ip": "203.0.113.9"}},
        {"type": "identify", "anonymousId": f"support-{who}", "traits": {"email": email.upper()}},
    )


def everything_mentioning(rt: Runtime, needles: list[str]) -> list[tuple[str, str, str]]:
    """Every (table, column, value) in the whole store holding one of the needles: every table, by introspection."""
    found = []
    with rt.engines.read.connect() as conn:
        inspector = sa.inspect(conn)
        tables = inspector.get_table_names()
        assert set(metadata.tables) <= set(tables)
        for table in tables:
            text_columns = [
                c["name"]
                for c in inspector.get_columns(table)
                if isinstance(c["type"], sa.String | sa.Text) or "CHAR" in str(c["type"]).upper()
            ]
            for col in text_columns:
                for needle in needles:
                    q = sa.text(f'SELECT "{col}" FROM "{table}" WHERE "{col}" LIKE :n')  # noqa: S608
                    for (value,) in conn.execute(q, {"n": f"%{needle}%"}):
                        found.append((table, col, value))
    return found


def test_erasure_leaves_no_row_that_references_the_person(tmp_path: Path, store_url: str, privacy_house: Path):
    rt = build(Settings(house_file=privacy_house, store_url=store_url), follow=False)
    try:
        person(rt, "ann-0001", "ann@example.com", "Ann Quill")
        person(rt, "bob-0002", "bob@example.com", "Bob Stone")
        staff_key = create_key(rt, "web")
        ann = rt.privacy.find("shop", Identity("user_id", "ann-0001"))
        rt.memory.add_note(_staff(rt), ann, "Ann Quill asked about her parcel")
        rt.memory.briefing(_staff(rt), ann, "en")
        rt.privacy.change_consent("shop", ann, "analytics", True, ConsentMethod.PORTAL, "portal")
        with rt.engines.read.connect() as conn:
            members = [
                r[0]
                for r in conn.execute(sa.text("SELECT id FROM customers WHERE id = :a OR merged_into = :a"), {"a": ann})
            ]
        needles = ["ann-0001", "anon-ann-0001", "support-ann-0001", "ann@example.com", "Ann Quill", *members]
        assert everything_mentioning(rt, needles), "the person is in the store before erasure"

        receipt = rt.privacy.erase("shop", ann, via="portal")

        assert everything_mentioning(rt, needles) == []
        assert receipt["removed"]["events"] >= 4 and receipt["removed"]["notes"] == 1
        assert receipt["kept"]["Order Completed"]["count"] == 1
        assert receipt["kept"]["Order Completed"]["why"]["en"] == "Tax law: ten years."
        with rt.engines.read.connect() as conn:
            kept = conn.execute(
                sa.text(
                    "SELECT user_id, anonymous_id, traits, context, properties FROM events "
                    "WHERE event = 'Order Completed' AND user_id LIKE 'erased:%'"
                )
            ).all()
        assert len(kept) == 1 and kept[0][1] is None and kept[0][2] is None and kept[0][3] is None
        assert json.loads(kept[0][4]) == {"revenue": 42}  # the amount the law needs, nothing about the person
        # Bob is untouched.
        bob = rt.privacy.find("shop", Identity("user_id", "bob-0002"))
        assert rt.privacy.knowledge("shop", bob).traits
        # Later events with any of Ann's identifiers are acknowledged and dropped at intake.
        with live_server(rt) as url:
            body = httpx.post(
                f"{url}/v1/batch",
                json={
                    "batch": [track("ann-0001"), {"type": "page", "anonymousId": "anon-ann-0001"}, track("bob-0002")]
                },
                auth=(staff_key, ""),
            ).json()
        assert body["accepted"] == 3
        rt.follower.drain()
        assert everything_mentioning(rt, needles) == []
    finally:
        rt.close()


def _staff(rt: Runtime) -> Any:
    from omotenashi.core.clock import to_epoch_ms, utc_now
    from omotenashi.staff import accounts

    existing = rt.extras.get("staff")
    if existing is None:
        new = accounts.enrol(
            "shop", "lead@example.com", "Lee", "lead", "correct horse battery", now=to_epoch_ms(utc_now())
        )
        existing = rt.writer.call(lambda conn: accounts.add(conn, new))
        rt.extras["staff"] = existing
    return existing


def test_an_erasure_killed_half_way_completes_on_restart(tmp_path: Path, store_url: str, privacy_house: Path):
    settings = Settings(house_file=privacy_house, store_url=store_url)
    rt = build(settings, follow=False)
    person(rt, "cat-0003", "cat@example.com", "Cat Moss")
    ann = rt.privacy.find("shop", Identity("user_id", "cat-0003"))
    memory = rt.follower._consumers["shop"][0]  # the memory consumer
    rid = rt.writer.call(lambda conn: erasure.start(conn, "shop", ann, memory, via="portal", now_ms=1))
    house = rt.house_files["shop"]
    # Two steps commit, then the process "dies".
    for _ in range(2):
        assert rt.writer.call(lambda conn: erasure.run_step(conn, "shop", rid, house, 2))
    with rt.engines.read.connect() as conn:
        half = rights.get(conn, "shop", rid)
    assert half is not None and half.status == "in_progress" and half.progress["step"] == 2
    rt.close()
    again = build(settings, follow=False)  # resumes on start
    try:
        with again.engines.read.connect() as conn:
            done = rights.get(conn, "shop", rid)
        assert done is not None and done.status == "completed" and done.progress is None
        assert everything_mentioning(again, ["cat-0003", "cat@example.com", "Cat Moss", ann]) == []
    finally:
        again.close()


def test_export_holds_everything_as_json_and_csv(tmp_path: Path, store_url: str, privacy_house: Path):
    rt = build(Settings(house_file=privacy_house, store_url=store_url), follow=False)
    try:
        person(rt, "dan-0004", "dan@example.com", "Dan Reed")
        dan = rt.privacy.find("shop", Identity("email", "DAN@example.com"))
        rt.memory.briefing(_staff(rt), dan, "en")
        buf = io.BytesIO()
        counts = rt.privacy.export("shop", dan, buf)
        zf = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
        names = set(zf.namelist())
        assert {"everything.json", "events.jsonl", "events.csv", "traits.csv", "consent.csv", "access_log.csv"} <= names
        everything = json.loads(zf.read("everything.json"))
        assert counts["events"] == 5 and len(zf.read("events.jsonl").splitlines()) == 5
        assert {t["name"] for t in everything["traits"]} >= {"email", "name"}
        assert everything["access_log"][0]["what"] == "briefing"
        assert "Dan Reed" in zf.read("traits.csv").decode()
    finally:
        rt.close()


def test_consent_changed_for_a_person_applies_to_all_their_identifiers(runtime, server):
    pixel = create_key(runtime, "pixel")
    runtime.intake.import_lines(
        [json.dumps({"type": "identify", "anonymousId": "a-7", "userId": "u-7"}).encode()],
        runtime.intake.source("shop", "web"),
    )
    runtime.follower.drain()
    cid = runtime.privacy.find("shop", Identity("user_id", "u-7"))
    receipt = runtime.privacy.change_consent("shop", cid, "analytics", True, ConsentMethod.PORTAL, "portal")
    assert receipt.method == "portal" and receipt.status == "granted"
    assert runtime.privacy.change_consent("shop", cid, "analytics", True, ConsentMethod.PORTAL, "portal") is None
    body = httpx.post(f"{server}/v1/track", json={"anonymousId": "a-7", "event": "Scrolled"}, auth=(pixel, "")).json()
    assert body["accepted"] == 1
    runtime.privacy.change_consent("shop", cid, "analytics", False, ConsentMethod.PORTAL, "portal")
    body = httpx.post(f"{server}/v1/track", json={"userId": "u-7", "event": "Scrolled"}, auth=(pixel, "")).json()
    assert body["refused"] == {"consent_withdrawn": 1}
    view = {c.purpose: c for c in runtime.privacy.consent("shop", cid)}
    assert view["analytics"].status == "withdrawn" and not view["analytics"].effective
    assert view["service"].effective and not view["service"].changeable
    with pytest.raises(Exception, match="needs no consent"):
        runtime.privacy.change_consent("shop", cid, "service", False, ConsentMethod.PORTAL, "portal")


def test_a_batch_erasure_leaves_no_one_behind_and_spares_the_rest(tmp_path: Path, store_url: str, privacy_house: Path):
    rt = build(Settings(house_file=privacy_house, store_url=store_url), follow=False)
    try:
        people = [(f"p{n:03d}-0000", f"p{n:03d}@example.com", f"Person Number{n:03d}") for n in range(7)]
        for who, email, name in people:
            person(rt, who, email, name)
        ids = [rt.privacy.find("shop", Identity("user_id", who)) for who, _, _ in people]
        with pytest.raises(Exception, match="nothing was erased"):
            rt.privacy.erase_many("shop", [*ids[:5], "no-such-customer"], via="cli")
        assert everything_mentioning(rt, ["p000-0000"]), "a refused batch erases nobody"

        receipts = rt.privacy.erase_many("shop", ids[:5], via="cli")

        assert len(receipts) == 5 and len({r["reference"] for r in receipts}) == 5
        assert all(r["removed"]["events"] >= 4 and r["kept"]["Order Completed"]["count"] == 1 for r in receipts)
        gone = [value for who, email, name in people[:5] for value in (who, email, name)]
        assert everything_mentioning(rt, [*gone, *ids[:5]]) == []
        for who, _, _ in people[5:]:
            assert rt.privacy.knowledge("shop", rt.privacy.find("shop", Identity("user_id", who))).traits
    finally:
        rt.close()


def test_events_not_yet_attributed_by_memory_are_erased_too(tmp_path: Path, store_url: str, privacy_house: Path):
    rt = build(Settings(house_file=privacy_house, store_url=store_url), follow=False)
    try:
        person(rt, "gus-0005", "gus@example.com", "Gus Lark")
        gus = rt.privacy.find("shop", Identity("user_id", "gus-0005"))
        memory = rt.follower._consumers["shop"][0]
        rid = rt.writer.call(lambda conn: erasure.start(conn, "shop", gus, memory, via="portal", now_ms=1))
        # An event lands after the plan and before memory has read it.
        late = [track("gus-0005"), {"type": "page", "anonymousId": "anon-gus-0005"}]
        lines = [json.dumps(m).encode() for m in late]
        assert rt.intake.import_lines(lines, rt.intake.source("shop", "web")).accepted == 2
        rt.privacy.finish_erasure("shop", rid)
        with rt.engines.read.connect() as conn:
            left = conn.execute(
                sa.text("SELECT count(*) FROM events WHERE user_id = 'gus-0005' OR anonymous_id = 'anon-gus-0005'")
            ).scalar()
        assert left == 0
    finally:
        rt.close()


def test_events_after_erasing_the_newest_ones_are_still_followed(runtime: Runtime) -> None:
    """Erasing the newest events must not hand their seqs out again: the followers' cursors are past them."""
    source = runtime.intake.source("shop", "web")
    first = [json.dumps(track("newest", messageId=f"n{k}")).encode() for k in range(5)]
    runtime.intake.import_lines(first, source)
    runtime.follower.drain()
    runtime.privacy.erase("shop", runtime.privacy.find("shop", Identity("user_id", "newest")), via="cli")
    later = [json.dumps(track("later", messageId=f"l{k}")).encode() for k in range(3)]
    runtime.intake.import_lines(later, source)
    runtime.follower.drain()
    with runtime.engines.read.connect() as conn:
        seqs = [r[0] for r in conn.execute(sa.text("SELECT seq FROM events WHERE user_id = 'later' ORDER BY seq"))]
        followed = conn.execute(sa.text("SELECT count(*) FROM event_customers")).scalar_one()
    assert len(seqs) == 3 and min(seqs) > 5  # seqs 1–5 were the erased events'
    assert followed == 3  # client memory saw every later event
    receipt = runtime.privacy.erase("shop", runtime.privacy.find("shop", Identity("user_id", "later")), via="cli")
    assert receipt["removed"]["events"] == 3
