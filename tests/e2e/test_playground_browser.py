"""A real headless Chromium drives the playground served by a real uvicorn: a marketer hands a lead to Rita,
Rita finds the card in her inbox, clicks Accept and sees the lead accepted."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.config import Settings
from bot.demo import seed_demo
from bot.server import build_runtime, create_app
from storage.migrate import upgrade

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    import uvicorn

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    settings = Settings(DATABASE_URL=url, TANDEM_PLAYGROUND="1", TANDEM_SCHEDULER="on",  # type: ignore[call-arg]
                        TANDEM_SECRET_KEY="browser-test-secret-0123456789", _env_file=None)
    runtime = build_runtime(settings, clock=SystemClock())
    seed_demo(runtime)
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
            page.fill("#command", 'lead handoff "Playwright Labs" email:pat@playwright.example name:"Pat Wright" '
                                  'to:@rita note:"Saw the browser demo <b>twice</b>"')
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
