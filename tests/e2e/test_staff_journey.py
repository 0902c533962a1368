"""A staff member's day in Debian's Chromium: sign in, find a customer, read the briefing, add a note, undo a merge,
sign out; hostile text a customer sent is shown as text and never runs; the pages in Japanese; and without script."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from omotenashi.bootstrap import Runtime
from tests.staff_support import PASSWORD, add_staff, customer_of, feed

# The browser proves the pages, not the store: SQLite is enough here.
pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
SVG = '"><svg onload="window.__pwned=1">'
HOSTILE_NAME = f"{SCRIPT} {SVG}"


@pytest.fixture
def watched(page: Any) -> Iterator[dict[str, list[str]]]:
    """The page, with what it says in its console and every dialog it tries to open."""
    seen: dict[str, list[str]] = {"console": [], "dialogs": [], "missing": []}
    page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}"))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("response", lambda r: seen["missing"].append(r.url) if r.status == 404 else None)
    yield seen
    violations = [m for m in seen["console"] if "Content Security Policy" in m or "Refused to" in m]
    assert violations == [], violations
    assert seen["dialogs"] == []


def aiko(runtime: Runtime) -> str:
    feed(
        runtime,
        {"type": "page", "anonymousId": "a-browser", "name": "Pricing"},
        {
            "type": "identify",
            "anonymousId": "a-browser",
            "userId": "u1",
            "traits": {
                "name": "Aiko Tanaka",
                "email": "aiko@example.com",
                "language": "ja",
                "preferred_channel": "email",
                "quiet_hours": "22:00-08:00",
                "timezone": "Asia/Tokyo",
            },
        },
        {
            "type": "track",
            "userId": "u1",
            "event": "Order Completed",
            "properties": {"revenue": 3000, "currency": "JPY"},
        },
        {"type": "identify", "anonymousId": "kiosk-7", "traits": {"email": "aiko@example.com", "plan": "gold"}},
        {"type": "track", "anonymousId": "family-tablet", "userId": "u1", "event": "Signed In"},
        {"type": "track", "anonymousId": "family-tablet", "userId": "u2", "event": "Signed In"},
        *[
            {"type": "track", "userId": "u1", "event": "Product Viewed", "properties": {"name": f"Green tea no. {i}"}}
            for i in range(35)
        ],
    )
    return customer_of(runtime, "user_id", "u1")


def sign_in(page: Any, server: str, email: str) -> None:
    page.goto(f"{server}/staff/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"{server}/staff/")


def test_sign_in_find_a_customer_read_the_briefing_add_a_note_undo_a_merge_and_sign_out(
    page: Any, server: str, runtime: Runtime, tmp_path: Path, watched: dict[str, list[str]]
) -> None:
    add_staff(runtime, "lee@example.com", "lead", name="Lee Lead")
    cid = aiko(runtime)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, server, "lee@example.com")

    page.fill("input[name=q]", "aiko@example.com")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/staff/customers\?q="))
    page.screenshot(path=str(tmp_path / "search-en.png"), full_page=True)
    page.click(f"tr[data-customer='{cid}'] a")
    page.wait_for_url(f"{server}/staff/customers/{cid}")

    briefing = page.locator("#briefing")
    expect(briefing.locator("[data-fact=name] .value")).to_have_text("Aiko Tanaka")
    expect(briefing.locator("[data-fact=language] .value")).to_have_text("Japanese (ja)")
    expect(briefing.locator("[data-fact=quiet_hours] .value")).to_have_text("22:00–08:00 (Asia/Tokyo)")
    name_tag = briefing.locator("[data-fact=name] .tag.purpose")
    expect(name_tag).to_have_text("service")
    expect(name_tag).to_have_attribute("title", re.compile("To deliver what you asked for"))
    expect(briefing.locator("#recent-activity li")).to_have_count(8)
    expect(briefing).to_contain_text("Identity conflict")

    # Older timeline items come in place, without leaving the page (htmx).
    expect(page.locator("#timeline-items li.item")).to_have_count(30)
    page.click("#timeline-more a")
    expect(page.locator("#timeline-items li.item")).to_have_count(41)
    expect(page.locator("#timeline-more")).to_have_count(0)
    assert page.url == f"{server}/staff/customers/{cid}"

    # A note, added without a reload: the notes and the briefing's latest notes both show it.
    page.fill("#note-body", "Asked about the tea order; call after 6pm, please.")
    page.click(".note-form button")
    expect(page.locator("#notes .note-body").first).to_have_text("Asked about the tea order; call after 6pm, please.")
    expect(page.locator("#notes .flash")).to_have_text("The note was added.")
    expect(page.locator("#briefing-notes")).to_contain_text("Asked about the tea order")
    expect(page.locator("#note-body")).to_have_value("")

    # A note over the limit: the problem next to the form, and the text still there.
    long_note = "A long story about the tea. " * 200
    page.fill("#note-body", long_note)
    page.click(".note-form button")
    expect(page.locator("#notes p.error")).to_contain_text("the limit is 5000")
    expect(page.locator("#note-body")).to_have_value(long_note)
    page.screenshot(path=str(tmp_path / "customer-en.png"), full_page=True)

    # Undo the merge that joined the kiosk visit to Aiko.
    merge = page.locator("#merges li.merge").first
    merge.locator("input[name=reason]").fill("Someone else used Aiko's email at the kiosk")
    merge.locator("button").click()
    page.wait_for_url(re.compile(r"done=merge_undone"))
    expect(page.locator("#merges .flash")).to_have_text("The merge was undone: these are two customers again.")
    expect(page.locator("#merges li.merge.undone")).to_contain_text("Someone else used Aiko's email at the kiosk")
    assert customer_of(runtime, "anonymous_id", "kiosk-7") != cid

    page.click("nav form[action='/staff/sign-out'] button")
    page.wait_for_url(f"{server}/staff/sign-in")
    page.goto(f"{server}/staff/customers/{cid}")
    assert page.url.startswith(f"{server}/staff/sign-in?next=")
    assert "Aiko" not in page.content()


def test_hostile_text_from_customers_and_staff_is_shown_literally_and_never_runs(
    page: Any, server: str, runtime: Runtime, tmp_path: Path, watched: dict[str, list[str]]
) -> None:
    add_staff(runtime, "lee@example.com", "lead", name="Lee Lead")
    feed(
        runtime,
        {"type": "identify", "userId": "mallory", "traits": {"name": HOSTILE_NAME, "nickname": IMG}},
        {"type": "track", "userId": "mallory", "event": IMG},
        {"type": "page", "userId": "mallory", "name": SVG},
    )
    cid = customer_of(runtime, "user_id", "mallory")
    sign_in(page, server, "lee@example.com")

    def harmless(shown: list[str]) -> None:
        assert page.evaluate("typeof window.__pwned") == "undefined", page.url
        text = page.inner_text("main")
        for value in shown:
            assert value in text, (page.url, value)

    page.goto(f"{server}/staff/customers?q=mallory")
    harmless([HOSTILE_NAME])
    page.goto(f"{server}/staff/customers")
    harmless([HOSTILE_NAME])
    page.goto(f"{server}/staff/customers/{cid}")
    harmless([HOSTILE_NAME, IMG, SVG])
    assert page.locator("#customer-name").inner_text() == HOSTILE_NAME

    note = f"Customer wrote {SCRIPT} and {IMG} and {SVG} in the chat"
    page.fill("#note-body", note)
    page.click(".note-form button")
    expect(page.locator("#notes .note-body").first).to_have_text(note)
    harmless([note])
    page.reload()
    harmless([note, HOSTILE_NAME])

    # The same texts in forms sent back with a problem, in the timeline filter, and in an error page.
    page.fill("#note-body", note + "!" * 5000)
    page.click(".note-form button")
    expect(page.locator("#notes p.error")).to_be_visible()
    harmless([])
    assert page.locator("#note-body").input_value() == note + "!" * 5000
    page.goto(f"{server}/staff/customers/{cid}?kind=event&event={quote(IMG)}")
    harmless([IMG])
    assert page.locator("input[name=event]").input_value() == IMG
    page.click("#merges summary")
    page.fill("input[name=other]", SCRIPT)
    page.fill("#merges input[name=reason]", SVG)
    page.click("#merges details button")
    expect(page.locator("#merges p.error")).to_contain_text(SCRIPT)
    harmless([SCRIPT])
    assert page.locator("#merges input[name=reason]").input_value() == SVG
    page.goto(f"{server}/staff/customers/{quote(IMG, safe='')}")  # (an id with "/" would be another route)
    harmless([IMG])
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)


def test_a_japanese_speaking_member_reads_the_customer_pages_in_japanese(
    page: Any, server: str, runtime: Runtime, tmp_path: Path, watched: dict[str, list[str]]
) -> None:
    add_staff(runtime, "hanako@example.com", "admin", language="ja", name="山田花子")
    cid = aiko(runtime)
    runtime.memory.add_note(
        add_staff(runtime, "ken@example.com", "frontline", name="佐藤健"),
        cid,
        "お茶のご注文について、18時以降にお電話希望。",
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, server, "hanako@example.com")
    page.goto(f"{server}/staff/customers?q=tanaka")
    expect(page.locator("h2")).to_have_text("「tanaka」に一致するお客様")
    page.screenshot(path=str(tmp_path / "search-ja.png"), full_page=True)
    page.goto(f"{server}/staff/customers/{cid}")
    assert page.locator("html").get_attribute("lang") == "ja"
    for label in [
        "対応前の確認事項",
        "最近のご利用",
        "未対応の事項",
        "この情報を閲覧できる理由",
        "タイムライン",
        "メモを追加",
    ]:
        expect(page.locator("main")).to_contain_text(label)
    briefing = page.locator("#briefing")
    expect(briefing.locator("[data-fact=language] dt")).to_have_text("希望の言語")
    expect(briefing.locator("[data-fact=language] .value")).to_have_text("日本語 (ja)")
    expect(briefing.locator("[data-fact=name] .tag.purpose")).to_have_text("サービス提供")
    expect(briefing.locator("#recent-activity li").first).to_contain_text("商品「Green tea no. 34」を閲覧")
    expect(page.locator("#access")).to_contain_text("アクセスログ")
    page.screenshot(path=str(tmp_path / "customer-ja.png"), full_page=True)
    page.goto(f"{server}/staff/customers/c_nobody")
    expect(page.locator("h1")).to_have_text("お客様が見つかりません")
    page.screenshot(path=str(tmp_path / "not-found-ja.png"), full_page=True)


def test_the_customer_page_works_without_javascript(browser: Any, server: str, runtime: Runtime) -> None:
    add_staff(runtime)
    cid = aiko(runtime)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, server, "ann@example.com")
        page.goto(f"{server}/staff/customers/{cid}")
        page.click("#timeline-more a")
        page.wait_for_url(re.compile(r"cursor="))
        expect(page.locator("#timeline-items li.item")).to_have_count(11)
        page.goto(f"{server}/staff/customers/{cid}")
        page.fill("#note-body", "Written without script")
        page.click(".note-form button")
        page.wait_for_url(re.compile(r"done=note_added"))
        expect(page.locator("#notes .note-body").first).to_have_text("Written without script")
    finally:
        context.close()
