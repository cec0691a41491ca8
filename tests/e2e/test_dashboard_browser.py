"""A real headless Chromium on the managers' dashboard, served by a real uvicorn over a workspace with three
years of history: the manager signs in through the link `stats dashboard` gives, changes a filter (with and
without JavaScript), exports the CSV, and the page is photographed at 1440 and 390 px (/tmp/shots/dashboard/)."""

from __future__ import annotations

import csv
import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from bench.stats_data import generate
from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.server import build_runtime, create_app
from storage.migrate import upgrade
from tests.adapters.web.conftest import sign_in_link

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
SHOTS = Path("/tmp/shots/dashboard")
TEAM = "T-NORTHWIND"
LEADS = 6000
COMPANIES = ("Initech", "Globex", "Umbrella Health", "Stark Industries", "Wayne Logistics", "Hooli", "Soylent Foods",
             "Cyberdyne", "Tyrell Robotics", "Massive Dynamic", "Oscorp", "Wonka Brands", "Vandelay Imports",
             "Acme Freight", "Pied Piper", "Dunder Paper", "Gringotts Finance", "Aperture Labs", "Monarch Solutions",
             "Nakatomi Trading", "Vehement Capital", "Blue Sun", "Virtucon", "Gekko & Co")  # fmt: skip
CAMPAIGNS = ("Q1 Pipeline Webinar", "RevOps Summit", "Pricing Page Refresh", "Partner Co-sell", "Churn-Risk Nurture",
             "CFO Roundtable", "Spring Launch", "Analyst Report", "Free Trial Push", "Customer Stories")  # fmt: skip
TOOLS = ("Pricing deck 2026", "ROI calculator", "Battlecard: Globex", "Security one-pager", "Case study: Initech",
         "Onboarding guide", "Demo script", "Objection handling", "Battlecard: Hooli", "Webinar recording")  # fmt: skip
FIRST = ("Rita", "Sam", "Jonas", "Amara", "Leo", "Priya", "Tom", "Nina", "Omar", "Elena")
LAST = ("Alvarez", "Patel", "Berg", "Nwosu")
OLD_DAYS = 75  # an open lead older than this was long since closed at a real company


def _dress(runtime: Runtime) -> None:
    """Give the generated workspace names a board would read (companies, campaigns, people) and a Slack-like
    account for its manager, so she can ask for her link in chat."""
    with runtime.db.engine.begin() as conn:
        conn.execute(text("UPDATE workspace SET name = 'Northwind' WHERE id = 1"))
        conn.execute(text("UPDATE member SET display_name = 'Dana Whitfield' WHERE id = 1"))
        reps = conn.execute(text("SELECT id FROM member WHERE role = 'rep' ORDER BY id")).scalars().all()
        for index, member_id in enumerate(reps):
            name = f"{FIRST[index % len(FIRST)]} {LAST[index // len(FIRST) % len(LAST)]}"
            conn.execute(text("UPDATE member SET display_name = :n WHERE id = :i"), {"n": name, "i": member_id})
        conn.execute(
            text(
                "UPDATE lead SET status = 'lost', outcome_reason = 'no-decision', closed_at = created_at, "
                "nag_due_at = NULL WHERE status IN ('handed_off', 'accepted') AND created_at < :old"
            ),
            {"old": datetime.now(UTC) - timedelta(days=OLD_DAYS)},
        )
        rows = conn.execute(text("SELECT id, number FROM campaign ORDER BY id")).all()
        for campaign_id, number in rows:
            label = f"{CAMPAIGNS[number % len(CAMPAIGNS)]} {2023 + number // 26}"
            conn.execute(text("UPDATE campaign SET name = :n WHERE id = :i"), {"n": label, "i": campaign_id})
        for index, company in enumerate(COMPANIES):
            conn.execute(
                text("UPDATE lead SET company = :c WHERE number % :k = :r"),
                {"c": company, "k": len(COMPANIES), "r": index},
            )
        for index, title in enumerate(TOOLS):
            conn.execute(
                text("UPDATE tool SET title = :t WHERE number % :k = :r"),
                {"t": title, "k": len(TOOLS), "r": (index + 1) % len(TOOLS)},
            )
        conn.execute(
            text("INSERT INTO workspace_account (workspace_id, platform, external_id) VALUES (1, 'playground', :t)"),
            {"t": TEAM},
        )
        conn.execute(
            text(
                "INSERT INTO member_account (workspace_id, member_id, platform, external_id) "
                "VALUES (1, 1, 'playground', 'dana')"
            )
        )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Runtime]]:
    import uvicorn

    url = f"sqlite:///{tmp_path / 'northwind.db'}"
    upgrade(url)
    generate(url, LEADS, now=datetime.now(UTC))
    settings = Settings(
        DATABASE_URL=url,
        TANDEM_SCHEDULER="off",  # type: ignore[call-arg]
        TANDEM_SECRET_KEY="browser-test-secret-0123456789",
        _env_file=None,
    )
    runtime = build_runtime(settings, clock=SystemClock())
    _dress(runtime)
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
    yield f"http://127.0.0.1:{port}", runtime
    server.should_exit = True
    thread.join(10)
    listener.close()
    runtime.db.dispose()


def _link(base: str, runtime: Runtime) -> str:
    asked = Request(person=Person("playground", "dana", "Dana Whitfield"), team_id=TEAM, text="stats dashboard")
    url = sign_in_link(runtime.dispatcher.handle(asked))
    parts = urlsplit(url)
    return f"{base}{parts.path}?{parts.query}"


def test_manager_signs_in_changes_a_filter_and_exports_in_the_browser(served: tuple[str, Runtime]) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    base, runtime = served
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
            page = context.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda error: problems.append(str(error)))

            page.goto(_link(base, runtime))
            expect(page).to_have_url(f"{base}/dashboard")
            expect(page.locator("h1")).to_contain_text("Last 30 days")
            expect(page.locator(".who-me")).to_contain_text("Dana Whitfield")
            leads = page.locator('.headline .card[data-key="leads"] .card-value')
            expect(leads).not_to_have_text("—")
            everyone = int(leads.inner_text().replace(",", ""))
            assert everyone > 50
            expect(page.locator("#follow-up table.data tbody tr").first).to_be_visible()
            assert page.locator("svg.r-chart-svg").count() >= 6
            page.screenshot(path=str(SHOTS / "dashboard-1440.png"), full_page=True)
            page.screenshot(path=str(SHOTS / "dashboard-1440-top.png"))
            for section in ("pipeline", "follow-up", "quality", "win-loss", "campaigns", "enablement"):
                page.locator(f"#{section}").screenshot(path=str(SHOTS / f"dashboard-1440-{section}.png"))

            page.select_option("#f-source", "webinar")  # applies itself (the page's one small script)
            expect(page).to_have_url(re.compile(r"/dashboard\?period=30d&.*source=webinar"))
            expect(page.locator(".sub")).to_contain_text("source webinar")
            webinar = int(leads.inner_text().replace(",", ""))
            assert 0 < webinar < everyone

            with page.expect_download() as download:
                page.click("text=Export CSV")
            exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
            assert download.value.suggested_filename.startswith("tandem-dashboard-30d-")
            assert exported.splitlines()[0].startswith("Tandem dashboard,Northwind,Last 30 days")
            rows = list(csv.reader(io.StringIO(exported)))
            assert ["Headline", "Leads", f"{webinar:,}"] == rows[3][:3]
            assert ["Leads breaching SLA now"] in [row[:1] for row in rows]

            page.emulate_media(media="print")
            expect(page.locator("form.filters")).to_be_hidden()
            page.screenshot(path=str(SHOTS / "dashboard-print.png"), full_page=True)
            page.emulate_media(media="screen")

            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(f"{base}/dashboard")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
            page.screenshot(path=str(SHOTS / "dashboard-390.png"), full_page=True)
            page.screenshot(path=str(SHOTS / "dashboard-390-top.png"))
            for section in ("pipeline", "quality", "campaigns"):
                page.locator(f"#{section}").screenshot(path=str(SHOTS / f"dashboard-390-{section}.png"))
            assert problems == []  # nothing the CSP refused, no script errors
            context.close()

            plain = browser.new_context(viewport={"width": 1440, "height": 900}, java_script_enabled=False)
            bare = plain.new_page()
            bare.goto(_link(base, runtime))
            bare.select_option("#f-period", "7d")
            bare.click("button:has-text('Apply')")  # without JavaScript the form still works
            expect(bare).to_have_url(re.compile(r"/dashboard\?period=7d"))
            expect(bare.locator("h1")).to_contain_text("Last 7 days")
            plain.close()
        finally:
            browser.close()
