"""Debian's Chromium, driven by Playwright, opens the start page of a live server and stays on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The browser proves the page, not the store: SQLite is enough here.
pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def test_start_page_renders_without_third_party_requests(
    page: Any, server: str, third_party_requests: list[str], tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(f"{server}/", wait_until="networkidle")
    assert response is not None and response.ok
    assert errors == []  # nothing failed to load (a page without an icon has the browser ask for /favicon.ico)
    icon = page.evaluate(
        "fetch(document.querySelector('link[rel=icon]').href).then(r => [r.status, r.headers.get('content-type')])"
    )
    assert icon == [200, "image/svg+xml"]
    assert page.title() == "omotenashi"
    assert "Test shop" in page.locator("h1").first.inner_text()
    assert page.evaluate("document.styleSheets[0].cssRules.length") > 0  # /static/ served the stylesheet
    assert third_party_requests == []

    shot = tmp_path / "home.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 1000


def test_requests_leaving_the_machine_are_aborted_and_recorded(
    page: Any, server: str, third_party_requests: list[str]
) -> None:
    page.goto(f"{server}/healthz")
    outcome = page.evaluate("fetch('https://cdn.example.com/htmx.min.js').then(() => 'fetched', () => 'blocked')")
    assert outcome == "blocked"
    assert third_party_requests == ["https://cdn.example.com/htmx.min.js"]
    # Recorded on purpose here; emptied so that the page fixture does not fail this test for it.
    third_party_requests.clear()
