"""The quarterly meeting in the playground, in a real headless Chromium: the demo has one booked about ten days
ahead; each person sees its time in their own zone, the agenda opens from its button, and the sales channel holds
the announcement."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e.test_playground_browser import ARGS, CHROMIUM, server_url

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("TANDEM_SHOTS", Path(__file__).parent / "screenshots"))
__all__ = ["server_url"]


def test_the_booked_meeting_shows_in_each_persons_zone_with_its_agenda(server_url: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(f"{server_url}/?as=diana")
            page.fill("#command", "meeting next")
            page.press("#command", "Enter")
            answer = page.locator(".turn-bot .reply").last
            expect(answer).to_contain_text("Next: ")
            expect(answer).to_contain_text("Open items")
            expect(answer.locator("time.r-when").first).to_contain_text("15:00 E")  # New York: EST or EDT
            expect(answer.locator('a[href*="/meetings/"]').first).to_have_attribute(
                "href", re.compile(r"/meetings/[A-Za-z0-9_-]{22,}\.ics$")
            )
            page.screenshot(path=str(SHOTS / "meeting-next-diana.png"))

            answer.locator("button", has_text="Agenda").click()
            agenda = page.locator(".turn-bot .reply").last
            expect(agenda).to_contain_text("1. Open items from last time")
            expect(agenda).to_contain_text("5. Campaigns against their targets")
            page.screenshot(path=str(SHOTS / "meeting-agenda.png"), full_page=True)

            page.click('a.person[data-person="rita"]')
            page.fill("#command", "meeting next")
            page.press("#command", "Enter")
            rita = page.locator(".turn-bot .reply").last
            expect(rita.locator("time.r-when").first).to_contain_text("14:00 C")  # Chicago, an hour behind
            page.click('.channel-link[data-channel="#sales"]')
            post = page.locator(".msg:visible", has_text="The quarterly sales & marketing meeting").first  # the newest
            expect(post).to_be_visible()
            expect(post.locator("time.r-when").first).to_contain_text("14:00 C")
            page.screenshot(path=str(SHOTS / "meeting-sales-channel-rita.png"))
            assert problems == [], problems
        finally:
            browser.close()
