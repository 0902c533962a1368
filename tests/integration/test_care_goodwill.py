"""Goodwill through the staff pages of live servers, on SQLite and PostgreSQL: grants made at the same moment never
overspend a budget (two servers on one store, twenty requests at once), a team's budget caps its members, a grant
above the threshold waits for a lead who is not its author and holds its value meanwhile, a rejection gives it back;
and an erasure leaves no care row about the person while the ledger keeps the grant, unlinked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.store import care as repo
from omotenashi.store import staff as staff_repo
from omotenashi.store.schema import care_actions, care_items, care_log
from omotenashi.store.staff import StaffMember
from tests.care_support import HOUR, T0, MovingClock, care_runtime, rage, send, who
from tests.integration.test_erasure import everything_mentioning
from tests.portal_support import smtp_server
from tests.staff_support import add_staff, customer_of, rows, signed_in
from tests.support import live_server

OVER_BUDGET = "is more than your goodwill budget has left this period"


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(T0 + HOUR)


def runtime_with(tmp_path: Path, store_url: str, clock: MovingClock, **care: Any) -> Runtime:
    runtime = care_runtime(tmp_path, store_url, clock, **care)
    send(runtime, [who("u1", name="Aiko Quill"), *rage("u1", 1_000)])
    return runtime


def member(runtime: Runtime, email: str) -> StaffMember:
    with runtime.engines.read.connect() as conn:
        found = staff_repo.by_email(conn, "shop", email)
    assert found is not None
    return found


def the_item(runtime: Runtime, user: str = "u1") -> repo.CareItem:
    with runtime.engines.read.connect() as conn:
        [item] = repo.of_customers(conn, "shop", [customer_of(runtime, "user_id", user)])
    return item


def grant(
    client: httpx.Client, csrf: str, item_id: str, value: str, kind: str = "credit", note: str = ""
) -> httpx.Response:
    form = {"csrf": csrf, "kind": kind, "value": value, "reason": "service_failure", "note": note}
    return client.post(f"/staff/care/{item_id}/goodwill", data=form)


def decide(client: httpx.Client, csrf: str, grant_id: str, decision: str, note: str = "") -> httpx.Response:
    return client.post(f"/staff/goodwill/{grant_id}/decide", data={"csrf": csrf, "decision": decision, "note": note})


def committed(runtime: Runtime, scope: str) -> float:
    found = rows(runtime, "SELECT committed FROM goodwill_budgets WHERE scope = :s", s=scope)
    return sum(float(r["committed"]) for r in found)


@pytest.mark.slow
def test_twenty_grants_at_once_on_two_servers_never_overspend_the_budget(
    tmp_path: Path, store_url: str, clock: MovingClock
) -> None:
    first = runtime_with(tmp_path, store_url, clock)
    ann = add_staff(first, "ann@example.com", name="Ann Abe")
    path = tmp_path / "omotenashi.yaml"
    # A second process on the same store: its own engines, its own writer.
    second = build(Settings(house_file=path, store_url=store_url), [path], clock=clock, follow=False)
    item = the_item(first)
    try:
        with live_server(first) as one, live_server(second) as two:
            session, csrf = signed_in(one, "ann@example.com")
            clients = [
                httpx.Client(base_url=(one, two)[n % 2], cookies=session.cookies, follow_redirects=False, timeout=60)
                for n in range(20)
            ]
            start = threading.Barrier(20)

            def attempt(client: httpx.Client) -> httpx.Response:
                start.wait()
                return grant(client, csrf, item.id, "10.00", note="sorry about the export")

            with ThreadPoolExecutor(20) as pool:
                answers = list(pool.map(attempt, clients))
            for c in [session, *clients]:
                c.close()
    finally:
        second.close()
    try:
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [303] * 10 + [409] * 10, [(r.status_code, r.text[:300]) for r in answers]
        for r in answers:
            if r.status_code == 303:
                assert r.headers["location"] == f"/staff/care/{item.id}?done=granted"
            else:
                assert OVER_BUDGET in r.text and 'id="problem"' in r.text
        ledger = first.care.ledger("shop")
        assert len(ledger) == 10 and {g.status for g in ledger} == {"granted"}
        assert sum(g.value for g in ledger) == pytest.approx(100.0)
        assert {(g.staff_id, g.item_id, g.customer_id) for g in ledger} == {(ann.id, item.id, item.customer_id)}
        assert committed(first, f"staff:{ann.id}") == pytest.approx(100.0)
        assert first.care.budget("shop", ann).person_left == 0
        assert [e.what for e in repo_log(first, item.id)].count("goodwill") == 10  # every grant in the item's history
    finally:
        first.close()


def repo_log(runtime: Runtime, item_id: str) -> list[repo.LogEntry]:
    with runtime.engines.read.connect() as conn:
        return repo.log_of(conn, "shop", item_id)


@pytest.fixture
def team_runtime(tmp_path: Path, store_url: str, clock: MovingClock) -> Iterator[Runtime]:
    teams = {
        "support": {
            "members": ["ann@example.com", "ben@example.com"],
            "routing": "round_robin",
            "goodwill_budget": 30,
        }
    }
    runtime = runtime_with(
        tmp_path, store_url, clock, teams=teams, goodwill={"currency": "EUR", "per_person": 100, "approval_above": 50}
    )
    add_staff(runtime, "ann@example.com", name="Ann Abe")
    add_staff(runtime, "ben@example.com", name="Ben Baba")
    try:
        yield runtime
    finally:
        runtime.close()


def test_a_team_budget_smaller_than_the_personal_one_caps_the_whole_team(team_runtime: Runtime) -> None:
    runtime = team_runtime
    item = the_item(runtime)
    with live_server(runtime) as url:
        ann, ann_csrf = signed_in(url, "ann@example.com")
        ben, ben_csrf = signed_in(url, "ben@example.com")
        assert grant(ann, ann_csrf, item.id, "10").status_code == 303
        assert grant(ben, ben_csrf, item.id, "12,50").status_code == 303  # a decimal comma is read too
        refused = grant(ben, ben_csrf, item.id, "10")
        assert refused.status_code == 409
        assert "is more than your team has left this period (7.50)" in refused.text
        assert grant(ann, ann_csrf, item.id, "7.50").status_code == 303  # exactly what is left
        assert grant(ann, ann_csrf, item.id, "0.01").status_code == 409
        page = ann.get(f"/staff/care/{item.id}")
        assert "Your team has 0.00 EUR left." in page.text and "You may grant 82.50 EUR more" in page.text
        bad = grant(ann, ann_csrf, item.id, "ten")
        assert bad.status_code == 400 and "“ten” is not an amount" in bad.text
    a, b = member(runtime, "ann@example.com"), member(runtime, "ben@example.com")
    assert sorted(g.value for g in runtime.care.ledger("shop")) == [7.5, 10.0, 12.5]
    # The refused grants left nothing behind: not in the ledger, not in either personal budget.
    assert runtime.care.budget("shop", b).person_left == pytest.approx(87.5)
    assert runtime.care.budget("shop", a).person_left == pytest.approx(82.5)
    assert committed(runtime, "team:support") == pytest.approx(30.0)


@pytest.mark.slow
def test_a_grant_above_the_threshold_waits_for_a_lead_who_is_not_its_author(
    tmp_path: Path, store_url: str, clock: MovingClock
) -> None:
    runtime = runtime_with(
        tmp_path, store_url, clock, goodwill={"currency": "EUR", "per_person": 200, "approval_above": 50}
    )
    try:
        add_staff(runtime, "ann@example.com", name="Ann Abe")
        lee = add_staff(runtime, "lee@example.com", role="lead", name="Lee Lead")
        kim = add_staff(runtime, "kim@example.com", role="lead", name="木村 恵", language="ja")
        item = the_item(runtime)
        with live_server(runtime) as url:
            lee_c, lee_csrf = signed_in(url, "lee@example.com")
            asked = grant(lee_c, lee_csrf, item.id, "60", kind="gift", note="a lost parcel")
            assert asked.headers["location"] == f"/staff/care/{item.id}?done=pending"
            [pending] = runtime.care.ledger("shop", status="pending")
            assert (pending.value, pending.staff_id, pending.kind) == (60.0, lee.id, "gift")
            assert runtime.care.budget("shop", lee).person_left == 140  # held while it waits

            own = decide(lee_c, lee_csrf, pending.id, "approve")
            assert own.status_code == 403 and "someone other than the person who asked for it" in own.text
            ann_c, ann_csrf = signed_in(url, "ann@example.com")
            assert decide(ann_c, ann_csrf, pending.id, "approve").status_code == 403  # frontline may not approve
            assert [g.status for g in runtime.care.ledger("shop")] == ["pending"]  # nothing changed

            kim_c, kim_csrf = signed_in(url, "kim@example.com")
            waiting = kim_c.get("/staff/goodwill")
            assert "承認待ち" in waiting.text and f'data-grant="{pending.id}"' in waiting.text
            # The item's page says what was granted and where it stands in the reader's language, not as codes.
            on_item = kim_c.get(f"/staff/care/{item.id}").text
            assert f'<li data-grant="{pending.id}">贈り物 60.00 ' in on_item and "· 承認待ち</li>" in on_item
            assert '<option value="fee_waiver">手数料免除</option>' in on_item
            approved = decide(kim_c, kim_csrf, pending.id, "approve", note="ok")
            assert approved.headers["location"] == "/staff/goodwill?done=approved"
            assert decide(kim_c, kim_csrf, pending.id, "reject").status_code == 409  # decided already
            [done] = runtime.care.ledger("shop")
            assert (done.status, done.decided_by, done.decision_note) == ("approved", kim.id, "ok")
            assert runtime.care.budget("shop", lee).person_left == 140  # an approved grant stays counted

            assert grant(lee_c, lee_csrf, item.id, "70").headers["location"].endswith("done=pending")
            assert runtime.care.budget("shop", lee).person_left == 70
            [rejected] = runtime.care.ledger("shop", status="pending")
            assert decide(kim_c, kim_csrf, rejected.id, "reject", note="too much").status_code == 303
            assert runtime.care.budget("shop", lee).person_left == 140  # its value is back
            assert grant(lee_c, lee_csrf, item.id, "140").status_code == 303  # and can be granted again
            assert grant(lee_c, lee_csrf, item.id, "0.01").status_code == 409

            ledger_en = ann_c.get("/staff/goodwill")
            ledger_ja = kim_c.get("/staff/goodwill")
        assert ledger_en.status_code == ledger_ja.status_code == 200
        assert "Ledger" in ledger_en.text and "approved (木村 恵)" in ledger_en.text
        assert "rejected (木村 恵)" in ledger_en.text and "a lost parcel" in ledger_en.text
        assert "台帳" in ledger_ja.text and "Ledger" not in ledger_ja.text
        assert sorted((g.value, g.status) for g in runtime.care.ledger("shop")) == [
            (60.0, "approved"),
            (70.0, "rejected"),
            (140.0, "pending"),
        ]
        decisions = [e.details.get("decision") for e in repo_log(runtime, item.id) if e.what == "goodwill"]
        assert [d for d in decisions if d] == ["approved", "rejected"]
    finally:
        runtime.close()


def test_an_erasure_leaves_no_care_row_and_keeps_the_grant_unlinked(
    tmp_path: Path, store_url: str, clock: MovingClock
) -> None:
    with smtp_server() as inbox:
        channels = {"email": {"type": "smtp", "host": "127.0.0.1", "port": inbox.port, "sender": "care@shop.example"}}
        runtime = care_runtime(tmp_path, store_url, clock, channels=channels)
        try:
            ann = add_staff(runtime, "ann@example.com", name="Ann Abe")
            send(runtime, [who("u1", name="Aiko Quill", email="aiko.quill@example.com"), *rage("u1", 1_000)])
            send(runtime, [who("u2", name="Bo Stone"), *rage("u2", 30_000)])
            item = the_item(runtime, "u1")
            runtime.care.claim(ann, item.id)
            runtime.care.send_message(ann, item.id, "About your export, Aiko Quill", "We fixed it for you.")
            assert runtime.care.dispatch().sent == 1 and len(inbox.wait_for(1)) == 1
            runtime.care.log_call(ann, item.id, "Called Aiko Quill, all good")
            made = runtime.care.grant(
                ann, item_id=item.id, kind="credit", value=10, reason_code="service_failure", note="for Aiko Quill"
            )
            runtime.care.resolve(ann, item.id, "helped", "Aiko Quill is happy")
            left_before = runtime.care.budget("shop", ann).person_left
            members = [
                r["id"]
                for r in rows(runtime, "SELECT id FROM customers WHERE id = :c OR merged_into = :c", c=item.customer_id)
            ]
            needles = ["aiko.quill@example.com", "Aiko Quill", item.id, *members]
            assert {t for t, _, _ in everything_mentioning(runtime, needles)} >= {
                "care_items",
                "care_log",
                "care_actions",
            }

            receipt = runtime.privacy.erase("shop", item.customer_id, via="portal")

            assert everything_mentioning(runtime, needles) == []
            with runtime.engines.read.connect() as conn:
                for table in (care_items, care_log, care_actions):
                    about = sa.select(sa.func.count()).where(table.c.customer_id.in_(members))
                    assert conn.execute(about).scalar() == 0, table.name
            assert receipt["removed"]["goodwill_grants_unlinked"] == 1
            [kept] = runtime.care.ledger("shop")
            assert (kept.id, kept.customer_id, kept.item_id, kept.note) == (made.id, "erased", None, "")
            assert (kept.value, kept.staff_id, kept.status, kept.reason_code) == (
                10.0,
                ann.id,
                "granted",
                "service_failure",
            )
            assert runtime.care.budget("shop", ann).person_left == left_before  # the budget still counts it
            # Someone else's care is untouched.
            other = the_item(runtime, "u2")
            assert other.status in ("open", "claimed") and [e.what for e in repo_log(runtime, other.id)][0] == "created"
            with runtime.engines.read.connect() as conn:
                assert conn.execute(sa.text("SELECT COUNT(*) FROM care_items")).scalar() == 1
        finally:
            runtime.close()
