"""A real headless Chromium on the playground: a marketer types `campaign announce`, fills the form that opens (a
date in the past is refused above the form, every answer kept), announces; the sales channel shows the post, and
a rep who presses its Why? button sees the explanation in their own conversation — at a laptop's and a phone's
width. Screenshots go to /tmp/shots/campaigns/."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.test_playground_browser import ARGS, CHROMIUM, server_url

pytestmark = pytest.mark.browser
__all__ = ["server_url"]  # the fixture: a seeded demo served by a real uvicorn
SHOTS = Path(os.environ.get("TANDEM_SHOTS", "/tmp/shots/campaigns"))


def _fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide in a {width} px window"


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (390, 844)])
def test_a_marketer_announces_in_the_form_and_a_rep_asks_why(server_url: str, width: int, height: int) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    name = f"Browser Push {width}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda error: problems.append(str(error)))

            page.goto(f"{server_url}/?as=maya")
            page.fill("#command", "campaign announce")
            page.press("#command", "Enter")
            form = page.locator(".turn-bot form.tandem-form").last
            expect(form).to_be_visible()
            expect(form.locator(".tf-title")).to_have_text("Announce a campaign")
            form.locator('input[name="name"]').fill(name)
            form.locator('textarea[name="goal"]').fill("20 qualified leads from the <b>browser</b> crowd")
            form.locator('textarea[name="audience"]').fill("Front-end leads at SaaS companies")
            form.locator('input[name="target"]').fill("20")
            form.locator('input[name="ends"]').fill((date.today() - timedelta(days=3)).isoformat())
            form.locator('textarea[name="talking"]').fill("They compare us with Globex; lead with onboarding time")
            form.locator('button[type="submit"]').click()

            refused = page.locator(".turn-bot form.tandem-form").last
            expect(refused.locator(".tf-problem")).to_contain_text("is in the past")
            expect(refused.locator(".tf-problem")).to_be_in_viewport()  # scrolled to, not below the fold
            expect(refused.locator('input[name="ends"]')).to_be_focused()  # the field to fix
            expect(refused.locator('input[name="name"]')).to_have_value(name)  # every answer kept
            expect(refused.locator('textarea[name="goal"]')).to_have_value(
                "20 qualified leads from the <b>browser</b> crowd"
            )
            _fits(page, width)
            page.screenshot(path=str(SHOTS / f"announce-form-refused-{width}.png"), full_page=True)

            refused.locator('input[name="ends"]').fill((date.today() + timedelta(days=30)).isoformat())
            refused.locator('button[type="submit"]').click()
            answer = page.locator(".turn-bot .reply").last
            expect(answer).to_contain_text("Announced C-")
            expect(answer).to_contain_text("posted it to the sales channel")
            expect(page.locator(".bubble-you").last).to_contain_text(f'campaign announce "{name}"')
            page.screenshot(path=str(SHOTS / f"announce-done-{width}.png"), full_page=True)

            page.goto(f"{server_url}/?as=rita")
            if width < 700:
                page.click('.view-tab[data-view="channels"]')
                page.click('.pill[data-channel="#sales"]')
            else:
                page.click('.channel-link[data-channel="#sales"]')
            post = page.locator(".channel-post", has_text=name)
            expect(post).to_be_visible()
            expect(post).to_contain_text("20 qualified leads from the <b>browser</b> crowd")  # text, not markup
            page.screenshot(path=str(SHOTS / f"sales-channel-{width}.png"), full_page=True)
            post.locator("button", has_text="Why?").click()
            if width < 700:
                page.click('.view-tab[data-view="chat"]')
            why = page.locator(".turn-bot .reply").last
            expect(why).to_contain_text(f"Why {name}?")
            expect(why).to_contain_text("What to do with its leads")
            expect(why).to_contain_text("They compare us with Globex")
            expect(page.locator(".turn-meta").last).to_have_text("Only visible to you")
            expect(post.locator(".msg-answer")).to_have_count(0)  # the channel post stays as everyone sees it
            _fits(page, width)
            page.screenshot(path=str(SHOTS / f"why-{width}.png"), full_page=True)
            assert problems == [], problems
        finally:
            browser.close()
