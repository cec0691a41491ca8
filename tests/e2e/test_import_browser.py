"""A real headless Chromium imports a spreadsheet of leads in the playground: Maya picks a CSV file, the summary
appears in the chat, and Rita finds one message listing her new leads."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_playground_browser import ARGS, CHROMIUM, server_url

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots/imports")
CSV = (
    "Company Name,E-mail,Name,Lead Source,Notes,Phone\n"
    "Northwind Traders,anna@northwind.example,Anna Berg,trade show,Met at the booth <b>twice</b>,555\n"
    "Contoso,li@contoso.example,Li Wei,trade show,,556\n"
    "Fabrikam,kim@fabrikam.example,Kim Ode,trade show,,557\n"
    "Tailspin Toys,tailspin-at-example,,trade show,,558\n"
)

__all__ = ["server_url"]  # the fixture: a real uvicorn serving the seeded playground


def test_a_marketer_imports_a_csv_and_the_rep_finds_one_message(server_url: str, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    spreadsheet = tmp_path / "booth-scans.csv"
    spreadsheet.write_text(CSV)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(f"{server_url}/?as=maya")
            expect(page.locator("label.attach")).to_contain_text("Import CSV")
            page.set_input_files("#import-file", str(spreadsheet))
            answer = page.locator(".turn-bot .reply").last
            expect(answer).to_contain_text("Imported 3 leads from booth-scans.csv")
            expect(answer).to_contain_text("line 5: the e-mail “tailspin-at-example” is not an e-mail address")
            expect(page.locator(".bubble-you").last).to_have_text("📎 Import booth-scans.csv")
            page.screenshot(path=str(SHOTS / "import-summary.png"))

            page.goto(f"{server_url}/?as=rita")
            expect(page.locator("label.attach")).to_have_count(0)  # reps do not import
            digest = page.locator(".msg", has_text="New leads for you").first
            expect(digest).to_be_visible()
            expect(digest).to_contain_text("Maya Chen handed you 1 new lead from the import of booth-scans.csv")
            page.screenshot(path=str(SHOTS / "import-digest.png"))
            expect(digest).to_contain_text("lead list mine lists all your open leads")

            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(f"{server_url}/?as=maya")
            expect(phone.locator("label.attach")).to_be_visible()
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            phone.screenshot(path=str(SHOTS / "import-phone.png"))
            assert problems == [], problems
        finally:
            browser.close()
