"""The friction inbox and a customer's signals in Debian's Chromium: filters, explanations, links to the evidence in
the timeline, Japanese; hostile text a tracker sent (button texts, search queries, page names) is shown as text and
never runs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from omotenashi.bootstrap import Runtime
from omotenashi.core.clock import iso
from tests.staff_support import PASSWORD, add_staff, customer_of

pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)

T0 = 1_780_000_000_000
IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"


@pytest.fixture
def watched(page: Any) -> Iterator[dict[str, list[str]]]:
    seen: dict[str, list[str]] = {"console": [], "dialogs": []}
    page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}"))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    yield seen
    violations = [m for m in seen["console"] if "Content Security Policy" in m or "Refused to" in m]
    assert violations == [], violations
    assert seen["dialogs"] == []


def send(runtime: Runtime, *messages: dict[str, Any]) -> None:
    lines = []
    for m in messages:
        body = {k: v for k, v in m.items() if k != "ms"}
        body["messageId"] = uuid.uuid4().hex
        body["timestamp"] = iso(T0 + m["ms"])
        lines.append(json.dumps(body).encode())
    report = runtime.intake.import_lines(lines, runtime.intake.source("shop", "web"))
    assert not report.rejected, report.rejected
    runtime.follower.drain()
    runtime.friction.tick(flush=True)


def hostile_customer(runtime: Runtime) -> str:
    """A customer whose button, page and searches carry markup: a rage burst and a search loop."""
    web = {"userId": "u-hostile", "anonymousId": "a-hostile"}
    clicks = [
        {
            "type": "track",
            "event": "Element Clicked",
            "properties": {"selector": "button.x", "text": IMG, "x": 10, "y": 10, "page": SCRIPT},
            "ms": 1_000 + 200 * k,
            **web,
        }
        for k in range(4)
    ]
    left = {"type": "page", "name": SCRIPT, "properties": {"path": "/app"}, "ms": 3_000, **web}  # gave up
    searches = [
        {"type": "track", "event": "Help Searched", "properties": {"query": f"{SCRIPT} {k}", "results": 0},
         "ms": 60_000 + 20_000 * k, **web}
        for k in range(3)
    ]  # fmt: skip
    send(runtime, *clicks, left, *searches)
    return customer_of(runtime, "user_id", "u-hostile")


def sign_in(page: Any, server: str, email: str) -> None:
    page.goto(f"{server}/staff/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"{server}/staff/")


def test_the_inbox_lists_signals_explained_filters_them_and_leads_to_the_customers_evidence(
    page: Any, server: str, runtime: Runtime, tmp_path: Path, watched: dict[str, list[str]]
) -> None:
    add_staff(runtime, "ann@example.com")
    cid = hostile_customer(runtime)
    sign_in(page, server, "ann@example.com")
    page.click("nav.staff-nav a[href='/staff/friction']")
    page.wait_for_url(f"{server}/staff/friction")
    items = page.locator("#signals li.signal")
    expect(items).to_have_count(2)
    rage = page.locator("li.signal[data-kind=rage_click] .explanation")
    expect(rage).to_contain_text(f"Clicked “{IMG}” on {SCRIPT} 4 times")
    loop = page.locator("li.signal[data-kind=help_loop] .explanation")
    expect(loop).to_contain_text(f"last search: “{SCRIPT} 2”")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img[src=x]").count() == 0

    page.select_option("select[name=kind]", "help_loop")
    page.click("form.filters button[type=submit]")
    expect(items).to_have_count(1)
    expect(page.locator("li.signal")).to_have_attribute("data-kind", "help_loop")
    page.select_option("select[name=severity]", "3")
    page.click("form.filters button[type=submit]")
    expect(page.locator("p.empty")).to_be_visible()

    page.goto(f"{server}/staff/friction")
    page.locator("li.signal[data-kind=rage_click] a.customer-link").click()
    page.wait_for_url(f"{server}/staff/customers/{cid}#signals")
    section = page.locator("#signals")
    expect(section.locator("li.signal")).to_have_count(2)
    expect(section.locator("li.signal[data-kind=rage_click] .explanation")).to_contain_text(IMG)
    expect(page.locator("#timeline li.kind-signal")).to_have_count(2)  # the timeline says them too
    evidence = section.locator("li.signal[data-kind=rage_click] .evidence a")
    expect(evidence).to_have_count(4)
    evidence.first.click()
    first_seq = page.url.rsplit("#ev-", 1)[1]
    expect(page.locator(f"#ev-{first_seq}")).to_be_visible()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.screenshot(path=str(tmp_path / "friction.png"), full_page=True)


def test_a_japanese_speaking_member_reads_the_inbox_in_japanese(
    page: Any, server: str, runtime: Runtime, tmp_path: Path, watched: dict[str, list[str]]
) -> None:
    add_staff(runtime, "ken@example.com", language="ja", name="Ken")
    hostile_customer(runtime)
    sign_in(page, server, "ken@example.com")
    page.goto(f"{server}/staff/friction")
    expect(page.locator("h1")).to_have_text("つまずき")
    expect(page.locator("li.signal[data-kind=rage_click] .signal-title")).to_have_text("連続クリック")
    expect(page.locator("li.signal[data-kind=rage_click] .explanation")).to_contain_text("回クリックしました")
    page.screenshot(path=str(tmp_path / "friction-ja.png"), full_page=True)
