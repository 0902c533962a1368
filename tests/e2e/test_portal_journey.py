"""A customer in Debian's Chromium: sign in by an e-mailed link, see what is known, withdraw consent, download
everything, erase it and find nothing left; hostile text is shown as text and never runs; the portal in Japanese."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import expect

from omotenashi.bootstrap import Runtime
from tests.integration.test_erasure import everything_mentioning
from tests.portal_support import IMG, SCRIPT, aiko, portal_house, signed_path, smtp_server, use_mail

# The browser proves the pages, not the store: SQLite is enough here.
pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


@pytest.fixture
def house_file(tmp_path: Path) -> Path:
    return portal_house(tmp_path)


@pytest.fixture
def watched(page: Any) -> Iterator[dict[str, list[str]]]:
    """What the page says in its console and every dialog it tries to open; no CSP violation is allowed."""
    seen: dict[str, list[str]] = {"console": [], "dialogs": []}
    page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}"))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    yield seen
    violations = [m for m in seen["console"] if "Content Security Policy" in m or "Refused to" in m]
    assert violations == [], violations
    assert seen["dialogs"] == []


def test_sign_in_by_link_see_withdraw_download_erase_and_nothing_is_left(
    page: Any, server: str, runtime: Runtime, tmp_path: Path, watched: dict[str, list[str]]
) -> None:
    cid = aiko(runtime)
    page.set_viewport_size({"width": 1280, "height": 900})
    with smtp_server() as inbox:
        use_mail(runtime, inbox, base_url=server)
        page.goto(f"{server}/portal/")
        page.screenshot(path=str(tmp_path / "sign-in-en.png"), full_page=True)
        page.fill("#email", "aiko@example.com")
        page.click("form.sign-in button[type=submit]")
        page.wait_for_url(f"{server}/portal/?sent=1")
        expect(page.locator("[data-sent]")).to_contain_text("If we know this address, a link to sign in is on its way.")
        [mail] = inbox.wait_for(1)
    page.goto(server + inbox.link_in(mail))
    expect(page.locator("h1")).to_have_text("Continue to your privacy center")
    page.click("#continue")
    page.wait_for_url(f"{server}/portal/me")

    # What we know, with where it came from, why and for how long.
    expect(page.locator("h1")).to_have_text("Hello, Aiko Tanaka.")
    name = page.locator("li.held[data-trait=name]")
    expect(name.locator(".held-value")).to_have_text("Aiko Tanaka")
    expect(name.locator(".what-for")).to_have_text("To address you by name.")
    expect(name.locator(".kept")).to_have_text("Kept for 1 year")
    expect(page.locator("li.held[data-event='Order Completed'] .count")).to_have_text("2 times")
    expect(page.locator("#access table")).to_contain_text("Lee Lead")
    page.screenshot(path=str(tmp_path / "me-en.png"), full_page=True)

    # Withdraw care: one click, as easy as granting it.
    care = page.locator("#purpose-care")
    expect(care).to_have_attribute("data-on", "yes")
    care.locator("button").click()
    page.wait_for_url(re.compile(r"done=consent_withdrawn"))
    expect(page.locator("p.flash")).to_contain_text("“Proactive care” is now off.")
    expect(page.locator("#purpose-care")).to_have_attribute("data-on", "no")
    expect(page.locator("#purpose-care .last-choice")).to_contain_text("You said no in this privacy center")

    # Download everything.
    with page.expect_download() as info:
        page.click("#export")
    saved = tmp_path / "export.zip"
    info.value.save_as(saved)
    with zipfile.ZipFile(saved) as zf:
        assert "everything.json" in zf.namelist() and "Aiko Tanaka" in zf.read("traits.csv").decode()

    # Erase: what goes, what stays and why, then the receipt.
    page.click("#erase")
    page.wait_for_url(f"{server}/portal/erase")
    expect(page.locator("#to-keep")).to_contain_text("Order Completed: Tax law: ten years.")
    page.screenshot(path=str(tmp_path / "erase-en.png"), full_page=True)
    page.click("#erase-now")
    expect(page.locator("h1")).to_have_text("Your data is erased")
    expect(page.locator("#kept")).to_contain_text("Tax law: ten years.")
    expect(page.locator("#reference")).to_have_text(re.compile(r"^r_[0-9a-f]{16}$"))
    expect(page.locator("#sign-out")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "erased-en.png"), full_page=True)

    assert everything_mentioning(runtime, ["u-aiko", "a-aiko", "aiko@example.com", "Aiko Tanaka", cid]) == []
    page.goto(f"{server}/portal/me")
    assert page.url.startswith(f"{server}/portal/?signed_out=1")
    assert "Aiko" not in page.content()


def test_hostile_text_is_shown_literally_and_never_runs(
    page: Any, server: str, runtime: Runtime, tmp_path: Path, watched: dict[str, list[str]]
) -> None:
    aiko(runtime, hostile=True)
    page.goto(server + signed_path(runtime, "u-aiko"))
    page.wait_for_url(f"{server}/portal/me")

    def harmless(shown: list[str]) -> None:
        assert page.evaluate("typeof window.__pwned") == "undefined", page.url
        text = page.inner_text("main")
        for value in shown:
            assert value in text, (page.url, value)

    harmless([f"Aiko {SCRIPT}", IMG, f"Note {SCRIPT} {IMG}"])
    expect(page.locator("li.held[data-event] .held-label", has_text=IMG)).to_have_count(1)
    assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0

    # A correction carrying markup is kept and shown as the text it is.
    trait = page.locator("li.held[data-trait=plan]")
    trait.locator("summary").click()
    trait.locator("input[name=value]").fill(f"{SCRIPT}{IMG}")
    trait.locator("button").click()
    page.wait_for_url(re.compile(r"done=corrected"))
    harmless([f"{SCRIPT}{IMG}"])
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)

    page.goto(f"{server}/portal/link/{quote(SCRIPT, safe='')}")
    harmless([])
    expect(page.locator("h1")).to_have_text("This link does not work")
    page.goto(f"{server}/portal/enter?" + urlencode({"w": "shop", "u": IMG, "exp": "1", "sig": SCRIPT}))
    harmless([])
    assert IMG not in page.content() and SCRIPT not in page.content()
    page.goto(f"{server}/portal/{quote(IMG)}")
    harmless([])
    expect(page.locator("h1")).to_have_text("We could not find that")


def test_the_portal_in_japanese(
    page: Any, server: str, runtime: Runtime, tmp_path: Path, watched: dict[str, list[str]]
) -> None:
    aiko(runtime, language="ja")
    page.set_extra_http_headers({"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"})
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server}/portal/")
    assert page.locator("html").get_attribute("lang") == "ja"
    expect(page.locator("h1")).to_have_text("当社が保存しているお客様の情報を確認する")
    page.screenshot(path=str(tmp_path / "sign-in-ja.png"), full_page=True)

    page.goto(server + signed_path(runtime, "u-aiko"))
    page.wait_for_url(f"{server}/portal/me")
    expect(page.locator("h1")).to_have_text("Aiko Tanaka様、こんにちは。")
    for label in (
        "お客様の選択",
        "お客様について",
        "ご利用の記録",
        "お客様の記録を閲覧したスタッフ",
        "ダウンロード・削除",
    ):
        expect(page.locator("main")).to_contain_text(label)
    expect(page.locator("li.held[data-trait=name] .kept")).to_have_text("1年保存")
    expect(page.locator("#purpose-service .state")).to_have_text("サービスに必要")
    expect(page.locator("#purpose-marketing button")).to_contain_text("オンにする")
    page.screenshot(path=str(tmp_path / "me-ja.png"), full_page=True)

    page.goto(f"{server}/portal/notice")
    expect(page.locator("h1")).to_have_text("プライバシーに関するお知らせ")
    page.screenshot(path=str(tmp_path / "notice-ja.png"), full_page=True)

    # The switch: the same page in English, remembered for the next page.
    page.click("a[data-lang=en]")
    expect(page.locator("h1")).to_have_text("Privacy notice")
    page.goto(f"{server}/portal/me")
    expect(page.locator("h1")).to_have_text("Hello, Aiko Tanaka.")
