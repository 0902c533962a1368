"""Friction end to end on real SQLite and PostgreSQL: events through intake and the follower become signals, which
update, resolve, respect consent, do not depend on arrival order, and agree with a batch rescan."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.core.clock import iso
from omotenashi.core.purposes import ConsentMethod
from omotenashi.simulator import WorldConfig, generate
from omotenashi.store import detector_state
from omotenashi.store import signals as repo
from tests.staff_support import PASSWORD, add_staff, customer_of, rows

T0 = 1_780_000_000_000  # 2026-05-28
SEED = 7_302  # tests' own simulator seed (the benchmark's is BENCH_SEED)


def send(runtime: Runtime, *messages: dict[str, Any], source: str = "web") -> None:
    """Messages through intake (each with its own `ms` offset from T0), then every follower, then what settles."""
    lines = []
    for m in messages:
        body = {k: v for k, v in m.items() if k != "ms"}
        body.setdefault("messageId", uuid.uuid4().hex)
        body["timestamp"] = iso(T0 + m["ms"])
        lines.append(json.dumps(body).encode())
    report = runtime.intake.import_lines(lines, runtime.intake.source("shop", source))
    assert not report.rejected, report.rejected
    settle(runtime)


def settle(runtime: Runtime) -> None:
    """Follow the log, then judge what is held as the service does once newer events (or the settle time) come."""
    runtime.follower.drain()
    runtime.friction.tick(flush=True)


def click(user: str, ms: int, selector: str = "button.export-report", text: str = "Export", **extra: Any) -> dict:
    props = {"selector": selector, "text": text, "x": 1250, "y": 96, "page": "/app/reports", **extra}
    return {"type": "track", "userId": user, "anonymousId": f"{user}-web", "event": "Element Clicked",
            "properties": props, "ms": ms}  # fmt: skip


def track(user: str, ms: int, event: str, **props: Any) -> dict[str, Any]:
    return {
        "type": "track",
        "userId": user,
        "anonymousId": f"{user}-web",
        "event": event,
        "properties": props,
        "ms": ms,
    }


def signals_of(runtime: Runtime, user: str) -> list[repo.Signal]:
    cid = customer_of(runtime, "user_id", user)
    with runtime.engines.read.connect() as conn:
        return repo.of_customers(conn, "shop", [cid])


def test_a_signal_appears_grows_instead_of_duplicating_and_resolves_when_the_friction_ends(runtime: Runtime) -> None:
    send(runtime, *(click("u1", 1_000 + 250 * k) for k in range(3)))
    [s] = signals_of(runtime, "u1")
    assert (s.kind, s.status, s.details["clicks"], s.severity) == ("rage_click", "open", 3, 2)
    assert s.first_seen == T0 + 1_500 and len(s.evidence) == 3
    send(runtime, *(click("u1", 1_750 + 250 * k) for k in range(3)))  # the same burst goes on
    [grown] = signals_of(runtime, "u1")
    assert grown.id == s.id and grown.details["clicks"] == 6 and grown.severity == 3 and grown.status == "open"
    send(runtime, track("u1", 3_600, "Report Exported", format="csv"))  # it answers in the end
    [done] = signals_of(runtime, "u1")
    assert done.id == s.id and done.status == "resolved" and done.resolved_at == T0 + 3_600
    assert rows(runtime, "SELECT COUNT(*) AS n FROM signals")[0]["n"] == 1


def test_a_click_followed_by_nothing_is_seen_once_the_workspace_time_has_passed(runtime: Runtime) -> None:
    send(runtime, click("u2", 0, "a.invoice-download", "Download invoice"))
    assert signals_of(runtime, "u2") == []  # nothing else happened since: not known yet
    send(runtime, track("someone-else", 120_000, "Task Created"))  # time goes on in the workspace
    [s] = signals_of(runtime, "u2")
    assert s.kind == "dead_click" and s.first_seen == T0 + 5_000
    send(runtime, track("u2", 1_000, "Invoice Downloaded"))  # a late answer: it was never dead
    assert signals_of(runtime, "u2") == []


def test_a_customer_who_withdrew_care_gets_no_signals(runtime: Runtime) -> None:
    withdrawn = {"consent": {"categoryPreferences": {"care": False}}}
    burst = [{**click("u3", 1_000 + 200 * k), "context": withdrawn} for k in range(4)]
    send(runtime, *burst)
    assert signals_of(runtime, "u3") == []
    assert rows(runtime, "SELECT purposes FROM events WHERE user_id = 'u3' LIMIT 1")[0]["purposes"] == "service"


def test_withdrawing_care_later_hides_the_signals_at_once_and_forgets_them_at_the_next_event(runtime: Runtime) -> None:
    send(runtime, *(click("u4", 1_000 + 200 * k) for k in range(3)))
    assert len(signals_of(runtime, "u4")) == 1
    cid = customer_of(runtime, "user_id", "u4")
    runtime.privacy.change_consent("shop", cid, "care", False, ConsentMethod.PORTAL, "portal")
    member = add_staff(runtime)
    from omotenashi.friction import inbox

    with runtime.engines.read.connect() as conn:
        house = runtime.house_files["shop"]
        assert inbox.of_customer(conn, "shop", house, [cid], "en") == []
        assert [r.customer_id for r in inbox.inbox(conn, "shop", house, "en").rows] == []
    del member
    send(runtime, track("u4", 60_000, "Task Created"))
    assert rows(runtime, "SELECT COUNT(*) AS n FROM signals WHERE customer_id = :c", c=cid)[0]["n"] == 0
    assert rows(runtime, "SELECT COUNT(*) AS n FROM detector_state WHERE customer_id = :c", c=cid)[0]["n"] == 0


def test_what_detectors_keep_is_remembered_as_stored_and_each_look_gets_its_own_copy(runtime: Runtime) -> None:
    send(runtime, *(click("u9", 1_000 + 250 * k) for k in range(2)))  # two clicks: kept, not yet a burst
    assert signals_of(runtime, "u9") == []
    cid = customer_of(runtime, "user_id", "u9")
    sql = "SELECT state FROM detector_state WHERE customer_id = :c AND detector = 'rage_click'"
    [stored] = rows(runtime, sql, c=cid)
    cache = runtime.friction.consumers["shop"].runner.cache
    with runtime.engines.read.connect() as conn:
        first = detector_state.decode_state(cache.load(conn, "shop", ["rage_click"], [cid])[cid]["rage_click"])
        assert first is not None and first == json.loads(stored["state"]) and len(first["r"]) == 2
        first["r"].clear()  # what one look does to its copy is not what the next look reads
        again = detector_state.decode_state(cache.load(conn, "shop", ["rage_click"], [cid])[cid]["rage_click"])
    assert again == json.loads(stored["state"])
    send(runtime, click("u9", 1_500))  # the third click is judged with the two kept ones
    [s] = signals_of(runtime, "u9")
    assert s.kind == "rage_click" and len(s.evidence) == 3 and s.first_seen == T0 + 1_500
    [kept] = rows(runtime, sql, c=cid)
    with runtime.engines.read.connect() as conn:
        assert json.loads(cache.load(conn, "shop", ["rage_click"], [cid])[cid]["rage_click"]) == json.loads(
            kept["state"]
        )


def test_the_signals_api_explains_each_signal_in_the_members_language(runtime: Runtime, server: str) -> None:
    send(runtime, *(click("u5", 1_000 + 200 * k, text="<b>Export</b>") for k in range(3)))
    add_staff(runtime, "ken@example.com", language="ja")
    with httpx.Client(base_url=server, timeout=10) as c:
        assert c.get("/api/signals").status_code == 401
        page = c.get("/staff/sign-in")
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        c.post("/staff/sign-in", data={"csrf": csrf, "email": "ken@example.com", "password": PASSWORD})
        body = c.get("/api/signals").json()
        [s] = body["signals"]
        assert body["lang"] == "ja" and s["kind"] == "rage_click" and s["title"] == "連続クリック"
        assert "「<b>Export</b>」" in s["explanation"] and s["customer_url"].startswith("/staff/customers/")
        english = c.get("/api/signals", params={"lang": "en", "customer": s["customer_id"]}).json()
        assert english["signals"][0]["explanation"].startswith("Clicked “<b>Export</b>” on /app/reports 3 times")
        assert c.get("/api/signals", params={"status": "resolved"}).json()["signals"] == []


# --- order, and rescans ------------------------------------------------------------------------------------------


def _world() -> tuple[list[bytes], list[bytes]]:
    config = WorldConfig(customers=150, days=60, seed=SEED)
    return generate(config).messages, generate(config, shuffle=True).messages


def _signals(runtime: Runtime) -> set[tuple[Any, ...]]:
    """Every signal as what it says: whose, what kind, which events (by messageId), since when, and if it ended."""
    from omotenashi.benchmarks.friction import signals_as_messages

    return {
        (s["user"], s["kind"], tuple(sorted(s["evidence"])), s["status"], s["first_seen"], s["resolved_at"])
        for s in signals_as_messages(runtime, "shop")
    }


def signals_of_import(house_file: Path, db: Path, lines: list[bytes]) -> set[tuple[Any, ...]]:
    """The signals of `lines` imported into a store of their own (a SQLite file) by one process."""
    other = build(Settings(house_file=house_file, store_url=f"sqlite:///{db}"), follow=False)
    try:
        _import(other, lines)
        return _signals(other)
    finally:
        other.close()


def _import(runtime: Runtime, lines: list[bytes]) -> None:
    source = runtime.intake.source("shop", "web")
    for start in range(0, len(lines), 3_000):  # as a busy service would get them: in many batches
        runtime.intake.import_lines(iter(lines[start : start + 3_000]), source)
        runtime.follower.drain()
    runtime.journeys.refresh("shop")
    settle(runtime)


@pytest.mark.slow
def test_shuffled_input_gives_the_signals_ordered_input_gives_and_a_rescan_agrees(
    runtime: Runtime, house_file: Path, tmp_path: Path
) -> None:
    ordered, shuffled = _world()
    from_shuffled = signals_of_import(house_file, tmp_path / "shuffled.db", shuffled)
    runtime.follower.stop()  # this test drives the follower itself, batch by batch
    _import(runtime, ordered)
    streamed = _signals(runtime)
    kinds = {s[1] for s in streamed}
    assert len(streamed) > 20 and {"rage_click", "dead_click", "help_loop", "form_abandonment"} <= kinds
    assert from_shuffled == streamed
    report = runtime.friction.rescan("shop")
    runtime.journeys.refresh("shop")
    settle(runtime)
    assert report["events"] == len(ordered)
    assert _signals(runtime) == streamed


def test_the_rescan_command_judges_the_history_again(
    runtime: Runtime, house_file: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from omotenashi.cli.main import app

    send(runtime, *(click("u6", 1_000 + 200 * k) for k in range(3)))
    before = signals_of(runtime, "u6")
    runtime.follower.stop()
    monkeypatch.setenv("OMOTENASHI__STORE_URL", store_url)
    result = CliRunner().invoke(app, ["friction", "rescan", "-c", str(house_file), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["workspace"] == "shop" and summary["events"] == 3 and summary["signals"] == 1
    assert [s.id for s in signals_of(runtime, "u6")] == [s.id for s in before]
