"""A real headless Chromium drives the playground served by a real uvicorn: a marketer hands a lead to Rita,
Rita finds the card in her inbox, clicks Accept and sees the lead accepted."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.demo import seed_demo
from bot.server import build_runtime, create_app
from schedules.registry import run_job_now
from storage.migrate import upgrade

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    import uvicorn

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    settings = Settings(
        DATABASE_URL=url,
        TANDEM_PLAYGROUND="1",
        TANDEM_SCHEDULER="on",  # type: ignore[call-arg]
        TANDEM_SECRET_KEY="browser-test-secret-0123456789",
        _env_file=None,
    )
    runtime = build_runtime(settings, clock=SystemClock())
    seed_demo(runtime)
    # the weekly report a running demo sends on its first pass, sent now: what #managers shows never depends on
    # whether the scheduler fired before the page looked
    firing = asyncio.run(run_job_now(runtime, "report"))
    assert firing.ran and not firing.error, firing
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings, runtime=runtime), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    listener.close()
    runtime.db.dispose()


def test_marketer_hands_off_and_rep_accepts_in_the_browser(server_url: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda error: problems.append(str(error)))

            page.goto(f"{server_url}/?as=maya")
            expect(page.locator(".chat-who")).to_contain_text("Maya Chen")
            page.fill(
                "#command",
                'lead handoff "Playwright Labs" email:pat@playwright.example name:"Pat Wright" '
                'to:@rita note:"Saw the browser demo <b>twice</b>"',
            )
            page.press("#command", "Enter")
            answer = page.locator(".turn-bot .reply").last
            expect(answer).to_contain_text("Handed off")
            match = re.search(r"L-\d+", answer.inner_text())
            assert match
            lead = match.group(0)
            page.screenshot(path=str(SCREENSHOTS / "playground-marketer.png"))

            page.click('a.person[data-person="rita"]')
            expect(page.locator(".chat-who")).to_contain_text("Rita Alvarez")
            card = page.locator(".msg", has_text="Playwright Labs")
            expect(card).to_be_visible()
            expect(card).to_contain_text("Saw the browser demo <b>twice</b>")  # shown as text, not markup
            expect(card.locator(".chip")).to_have_text("Waiting to be accepted")
            expect(card.locator(".msg-state")).to_have_count(0)  # delivered, not "sending…"
            card.locator(f'button[data-command="lead accept {lead}"]').click()

            expect(card.locator(".msg-answer")).to_contain_text("Accepted by @Rita Alvarez")
            expect(card.locator(".r-buttons")).to_be_hidden()
            expect(card.locator(".chip")).to_have_count(0)  # no "Waiting to be accepted" above the outcome
            expect(card).not_to_contain_text("Waiting to be accepted")
            reply = page.locator(".turn-bot .reply").last
            expect(reply.locator('.chip[data-status="accepted"]')).to_have_text("Accepted")

            reply.locator("button", has_text="Log touch").click()  # a button that asks for a note first
            page.fill(".prompt-form input", "Intro call booked for Monday")
            page.press(".prompt-form input", "Enter")
            expect(page.locator(".turn-bot .reply").last).to_contain_text("Touch logged")
            expect(page.locator(".bubble-you").last).to_have_text(f"lead touch {lead} Intro call booked for Monday")
            page.screenshot(path=str(SCREENSHOTS / "playground-rep.png"))

            page.click('a.person[data-person="maya"]')
            told = page.locator(".msg", has_text=f"accepted {lead} Playwright Labs")
            expect(told).to_be_visible()
            assert problems == [], problems
        finally:
            browser.close()


def _fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide in a {width} px window"


def _inside(page, selector: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The element's box, asserted to lie within the window, above the fold."""
    box = page.locator(selector).first.bounding_box()
    view = page.viewport_size
    assert box is not None and view is not None, selector
    assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"] + 0.5, (selector, box)
    assert 0 <= box["y"] < view["height"] and box["height"] > 0, (selector, box)
    return box


def test_the_page_fits_a_phone_a_laptop_and_a_desktop(server_url: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            for width, height in ((390, 844), (1024, 768), (1440, 900)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{server_url}/?as=rita")
                expect(page.locator(".chat-who")).to_contain_text("Rita Alvarez")
                _fits(page, width)
                _inside(page, "#command")
                _inside(page, "#send")
                welcome = page.locator("#welcome").inner_text()
                if width == 390:  # one view at a time: the inbox is a tab, and the page says so
                    assert "on the right" not in welcome and "Inbox tab" in welcome, welcome
                    expect(page.locator("#inbox .msg").first).to_be_hidden()
                    page.click('.view-tab[data-view="inbox"]')
                    expect(page.locator("#command")).to_be_hidden()
                else:  # three columns: the inbox really is on the right, in full view
                    assert "on the right" in welcome and "Inbox tab" not in welcome, welcome
                    chat = _inside(page, ".chat")
                    panel = _inside(page, ".panel")
                    assert panel["x"] >= chat["x"] + chat["width"] - 1, (chat, panel)
                    assert panel["x"] + panel["width"] >= width - 1  # it is the right-hand column
                expect(page.locator("#inbox .msg").first).to_be_visible()
                _inside(page, "#inbox .msg")
                _fits(page, width)
                page.screenshot(path=str(SCREENSHOTS / f"playground-{width}.png"))
                page.close()
        finally:
            browser.close()


def test_phone_views_switch_and_the_managers_channel_holds_the_weekly_report(server_url: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            for width, height in ((390, 844), (1440, 900)):
                page = browser.new_page(viewport={"width": width, "height": height})
                problems: list[str] = []
                page.on("pageerror", lambda error: problems.append(str(error)))  # noqa: B023
                page.goto(f"{server_url}/?as=diana")
                if width == 390:
                    page.click('.view-tab[data-view="channels"]')
                    page.click('.pill[data-channel="#managers"]')
                else:
                    page.click('.channel-link[data-channel="#managers"]')
                expect(page.get_by_text("Weekly report —").first).to_be_visible()  # the empty state: HTTP tests
                _fits(page, width)
                if width == 390:
                    page.click('.view-tab[data-view="chat"]')
                expect(page.locator("#command")).to_be_visible()
                page.fill("#command", "@tandem lead show L-1")  # as the README teaches it
                page.press("#command", "Enter")
                answer = page.locator(".turn-bot .reply").last
                expect(answer).to_contain_text("Northwind Traders")
                expect(answer).not_to_contain_text("I don't know")
                _fits(page, width)
                assert problems == [], problems
                page.close()
        finally:
            browser.close()
