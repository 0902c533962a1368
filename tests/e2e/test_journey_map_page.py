"""The journey map in Debian's Chromium: the charts render (canvas drawn by the vendored Chart.js), the first moment
of friction stands out, nothing is loaded from another site and nothing breaks the Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omotenashi.bootstrap import Runtime
from tests.journey_support import onboarding_with_a_leak
from tests.staff_support import PASSWORD, add_staff

# The browser proves the page, not the store: SQLite is enough here.
pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def sign_in(page: Any, server: str, email: str) -> None:
    page.goto(f"{server}/staff/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/staff/")


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_journey_map_draws_its_charts_and_highlights_the_first_friction(
    runtime: Runtime, server: str, page: Any, third_party_requests: list[str], tmp_path: Path, language: str
) -> None:
    onboarding_with_a_leak(runtime)
    add_staff(runtime, "lead@example.com", "lead", language=language)
    said: list[str] = []
    page.on("console", lambda m: said.append(f"{m.type}: {m.text}"))
    sign_in(page, server, "lead@example.com")
    page.click("nav a[href='/staff/journeys']")
    page.wait_for_url(f"{server}/staff/journeys")
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length === 4")
    # Chart.js drew on each canvas: it has a size and pixels that are not blank.
    drawn = page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas[data-chart]')).map(c => {
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let ink = 0;
            for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { ink += 1; } }
            return [c.width, c.height, ink];
        })"""
    )
    assert len(drawn) == 4 and all(w > 100 and h > 100 and ink > 500 for w, h, ink in drawn), drawn
    friction = page.locator(".friction")
    assert friction.get_attribute("data-friction-step") == "1"
    assert "Profile Completed" in friction.inner_text()
    assert page.locator("figure.step.friction-step").count() == 1
    assert page.locator("tr.friction-step th").inner_text().startswith("2. Profile Completed")
    heading = page.locator("h1").inner_text()
    assert heading == ("ジャーニーマップ" if language == "ja" else "Journey map")
    page.screenshot(path=str(tmp_path / f"journeys-{language}.png"), full_page=True)
    assert [m for m in said if "Content Security Policy" in m or "Refused" in m or m.startswith("error")] == []
    assert third_party_requests == []


@pytest.mark.slow
def test_the_journey_map_reads_without_javascript(runtime: Runtime, server: str, browser: Any) -> None:
    onboarding_with_a_leak(runtime)
    add_staff(runtime, "lead@example.com", "lead")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, server, "lead@example.com")
        page.goto(f"{server}/staff/journeys")
        rows = page.locator("table.funnel tbody tr")
        assert rows.count() == 4
        assert rows.nth(1).locator("td").nth(4).inner_text() == "18"  # left at Profile Completed
        assert page.locator(".friction .findings li").count() == 1
    finally:
        context.close()
