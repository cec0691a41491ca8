"""`stats` in the playground, in a real headless Chromium at 1024 px: the demo team's last 30 days with the
charts drawn as SVG beside their figures, inside the window."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_playground_browser import ARGS, CHROMIUM, SCREENSHOTS, server_url

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/stats")
__all__ = ["server_url"]  # the fixture, served here too


def test_a_manager_reads_stats_with_charts_in_the_playground(server_url: str) -> None:  # noqa: F811
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(f"{server_url}/?as=diana")
            expect(page.locator(".chat-who")).to_contain_text("Diana Okafor")
            page.fill("#command", "stats")
            page.press("#command", "Enter")
            answer = page.locator(".turn-bot .reply").last
            expect(answer).to_contain_text("Stats — Last 30 days")
            expect(answer).to_contain_text("Acceptance")
            charts = answer.locator("figure.r-chart")
            expect(charts).to_have_count(3)
            expect(charts.nth(0).locator("svg.r-chart-svg")).to_be_visible()
            expect(charts.nth(1)).to_have_attribute("data-shape", "line")
            for n in range(3):
                box = charts.nth(n).bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1024, box
            assert page.evaluate("document.documentElement.scrollWidth") <= 1024
            # the transcript scrolls on its own: look at the answer a screen at a time, from its top
            answer.evaluate("element => element.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(SHOTS / "stats-1024-top.png"))
            page.screenshot(path=str(SCREENSHOTS / "stats-1024.png"))
            for n in range(3):
                charts.nth(n).evaluate("element => element.scrollIntoView({block: 'start'})")
                page.screenshot(path=str(SHOTS / f"stats-1024-chart{n + 1}.png"))
            answer.locator("button", has_text="7 days").click()
            expect(page.locator(".turn-bot .reply").last).to_contain_text("Stats — Last 7 days")
            assert problems == [], problems
        finally:
            browser.close()
