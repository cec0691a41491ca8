"""The demo's survey in flight, in a real headless Chromium: Jonas finds the pulse-survey card waiting in his DMs,
answers with one click, adds a comment through the button's prompt, and Diana (a manager) reads the results."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_playground_browser import ARGS, CHROMIUM, server_url  # noqa: F401  (the served demo)

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/survey")


def test_a_rep_answers_the_waiting_survey_card_and_a_manager_reads_the_results(server_url: str) -> None:  # noqa: F811
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda error: problems.append(str(error)))

            page.goto(f"{server_url}/?as=jonas")
            expect(page.locator(".chat-who")).to_contain_text("Jonas Berg")
            card = page.locator(".msg", has_text="How much did marketing help you sell this quarter?").first
            expect(card).to_be_visible()
            expect(card).to_contain_text("Pulse survey")
            page.screenshot(path=str(SHOTS / "rep-card-waiting.png"))
            card.locator("button", has_text="4").first.click()
            reply = page.locator(".turn-bot .reply").last
            expect(reply).to_contain_text("Thanks — you answered 4")
            expect(card.locator(".msg-answer")).to_contain_text("you answered 4")

            reply.locator("button", has_text="Add a comment").click()
            page.fill(".prompt-form input", "More <b>case studies</b> for manufacturing, please")
            page.press(".prompt-form input", "Enter")
            expect(page.locator(".turn-bot .reply").last).to_contain_text("Your comment is saved")
            page.screenshot(path=str(SHOTS / "rep-answered.png"))

            page.click('a.person[data-person="diana"]')
            expect(page.locator(".chat-who")).to_contain_text("Diana Okafor")
            page.fill("#command", "tandem survey results")
            page.press("#command", "Enter")
            results = page.locator(".turn-bot .reply").last
            expect(results).to_contain_text("Average")
            expect(results).to_contain_text("3 of 3 reps (100%)")
            expect(results).to_contain_text("More <b>case studies</b> for manufacturing")  # text, not markup
            page.screenshot(path=str(SHOTS / "manager-results.png"), full_page=True)
            page.fill("#command", "tandem survey results last")
            page.press("#command", "Enter")
            expect(page.locator(".turn-bot .reply").last).to_contain_text("Average")
            page.screenshot(path=str(SHOTS / "manager-last-quarter.png"), full_page=True)

            page.click('a.person[data-person="maya"]')
            result = page.locator(".msg", has_text="pulse survey has closed").first
            expect(result).to_be_visible()
            page.screenshot(path=str(SHOTS / "marketer-result.png"))
            assert problems == [], problems
        finally:
            browser.close()
