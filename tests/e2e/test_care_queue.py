"""A frontline member's care item in Debian's Chromium: open the queue, open the item, edit the suggested message
and send it (the dispatcher runs as under `serve`, the e-mail reaches a real SMTP server), grant a small goodwill,
resolve; then the queue in Japanese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from omotenashi.bootstrap import Runtime
from omotenashi.store import care as repo
from tests.care_support import HOUR, T0, MovingClock, care_runtime, rage, send, who
from tests.portal_support import Inbox, smtp_server
from tests.staff_support import PASSWORD, add_staff, customer_of
from tests.support import live_server

SHOT = Path("/tmp/omotenashi-care-queue-ja.png")


@pytest.fixture
def care_desk(tmp_path: Path) -> Iterator[tuple[Runtime, str, Inbox]]:
    """A care workspace on SQLite (the browser proves the pages, not the store), its outbox sent as under `serve`."""
    with smtp_server() as inbox:
        channels = {"email": {"type": "smtp", "host": "127.0.0.1", "port": inbox.port, "sender": "care@shop.example"}}
        clock = MovingClock(T0 + HOUR)
        runtime = care_runtime(tmp_path, f"sqlite:///{tmp_path / 'store.db'}", clock, channels=channels)
        try:
            add_staff(runtime, "ann@example.com", name="Ann Abe")
            send(runtime, [who("u1", name="Umi Sato"), *rage("u1", 1_000)])
            runtime.care.start()
            with live_server(runtime) as url:
                yield runtime, url, inbox
        finally:
            runtime.close()


@pytest.fixture
def watched(page: Any) -> Iterator[list[str]]:
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"{m.type}: {m.text}"))
    yield seen
    assert [m for m in seen if "Content Security Policy" in m or "Refused to" in m] == []


def test_a_frontline_member_sends_an_edited_message_grants_goodwill_and_resolves_then_reads_japanese(
    page: Any, care_desk: tuple[Runtime, str, Inbox], watched: list[str]
) -> None:
    runtime, server, inbox = care_desk
    with runtime.engines.read.connect() as conn:
        [item] = repo.of_customers(conn, "shop", [customer_of(runtime, "user_id", "u1")])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server}/staff/sign-in")
    page.fill("input[name=email]", "ann@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"{server}/staff/")

    page.click("nav.staff-nav a[href='/staff/care']")
    page.wait_for_url(f"{server}/staff/care")
    row = page.locator(f"tr[data-item='{item.id}']")
    expect(row).to_contain_text("Rage clicks: offer help")
    expect(row).to_contain_text("Umi Sato")
    row.locator("a").click()
    page.wait_for_url(f"{server}/staff/care/{item.id}")

    expect(page.locator("#may-message")).to_have_text("It can go now, to u1@example.com.")
    body = page.locator("#send-form textarea[name=body]")
    expect(body).to_have_value(re.compile(r"^Hello Umi,\nit looked like the button did not answer\. Ann Abe"))
    page.fill("#send-form input[name=subject]", "Your report export, Umi")
    body.fill(body.input_value().strip() + "\nI exported it for you; it is in your account.")
    page.click("#send")
    page.wait_for_url(f"{server}/staff/care/{item.id}?done=sent")
    expect(page.locator("p.flash")).to_have_text("The message is on its way.")
    [mail] = inbox.wait_for(1)
    assert mail["Subject"] == "Your report export, Umi"
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "I exported it for you; it is in your account." in text
    page.reload()
    delivery = page.locator("#deliveries tr[data-status]")
    expect(delivery).to_have_attribute("data-status", "sent")
    expect(delivery).to_contain_text("message: Your report export, Umi")

    goodwill = page.locator("#goodwill-form")
    goodwill.locator("select[name=kind]").select_option("credit")
    goodwill.locator("input[name=value]").fill("5")
    goodwill.locator("select[name=reason]").select_option("delay")
    goodwill.locator("input[name=note]").fill("for the wait")
    goodwill.locator("button").click()
    page.wait_for_url(f"{server}/staff/care/{item.id}?done=granted")
    expect(page.locator("p.flash")).to_have_text("Goodwill granted: it is in the ledger.")
    expect(page.locator("#deliveries li[data-grant]")).to_have_text("credit 5.00 EUR · granted")
    expect(page.locator("#budget")).to_contain_text("You may grant 95.00 EUR more")

    resolve = page.locator("#resolve-form")
    resolve.locator("select[name=outcome]").select_option("helped")
    resolve.locator("input[name=note]").fill("She has her report.")
    resolve.locator("button").click()
    page.wait_for_url(f"{server}/staff/care/{item.id}?done=resolved")
    expect(page.locator("p.flash")).to_have_text("The item is resolved. Thank you.")
    expect(page.locator("#item-status")).to_have_text("resolved")
    expect(page.locator("#act")).to_have_count(0)
    expect(page.locator("#history")).to_contain_text("Resolved · Ann Abe — She has her report.")

    page.goto(f"{server}/staff/care?view=done")
    page.locator("form[action='/staff/language'] select[name=language]").select_option("ja")
    page.locator("form[action='/staff/language'] button").click()
    page.wait_for_url(f"{server}/staff/care?view=done")
    assert page.locator("html").get_attribute("lang") == "ja"
    expect(page.locator("#care-title")).to_have_text("ケア")
    expect(page.locator("nav.filters")).to_contain_text("自分の項目")
    expect(page.locator("nav.filters a[aria-current=page]")).to_have_text("完了")
    done = page.locator(f"tr[data-item='{item.id}']")
    expect(done).to_contain_text("連打：お手伝いを申し出る")
    expect(done).to_contain_text("解決済み")
    page.screenshot(path=str(SHOT), full_page=True)
    assert SHOT.stat().st_size > 10_000
