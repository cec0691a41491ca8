"""The dashboard page (SPEC §3 stats, §5 `GET /dashboard`): the figures are in the first HTML, the same as the
stats JSON the API answers; the filters are a GET form that narrows them; the CSV export holds what is on screen;
a filter the page cannot use is said in place, with the form, as a 400."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.web.dashboard.board import build_board
from adapters.web.dashboard.headline import HEADLINE, SHOWN, pick
from bot.admin.settings import all_settings
from bot.core.clock import FakeClock
from bot.core.runtime import Runtime
from bot.stats.drilldown import Breaches, LowLeads
from bot.stats.json import figures_json
from bot.stats.periods import local_today, parse_period
from bot.stats.scope import Scope
from bot.stats.service import compute
from schedules.registry import run_job_now
from storage.models import Campaign
from tests.adapters.web.conftest import make_team, signed_in
from tests.bot.conftest import Team, text_of

FORMULA = "=SUM(A1) Corp"


@pytest.fixture
def story(acme: Team, runtime: Runtime, clock: FakeClock) -> Team:
    """A month of Acme's work, and one lead in the month before it (for the comparisons)."""
    workspace_id = acme.member("mara").workspace_id
    with runtime.db.session() as session:
        for number, name, target in ((1, "Alpha Webinar", 4), (2, "Beta Launch", 10)):
            session.add(
                Campaign(workspace_id=workspace_id, number=number, name=name, target=target, created_at=clock.now())
            )
    now = clock.now()
    clock.set(now - timedelta(days=40))
    assert acme.say("mara", "lead handoff Oldco source:webinar to:@rita").ok  # L-1, the month before
    assert acme.say("rita", "lead accept L-1").ok
    clock.set(now - timedelta(days=5))
    steps = [
        ("mara", 'lead handoff Initech campaign:"Alpha Webinar" source:webinar to:@rita'),  # L-2
        ("rita", "lead accept L-2"),
        ("rita", "lead touch L-2 intro call"),
        ("rita", "lead stage L-2 qualification"),
        ("rita", "lead won L-2 25000 signed"),
        ("mara", 'lead handoff Umbrella campaign:"Alpha Webinar" source:event to:@sam'),  # L-3
        ("sam", "lead reject L-3 no budget this year"),
        ("sam", "lead feedback L-3 1 no-budget wrong-persona talked to an intern"),
        ("mara", 'lead handoff Hooli campaign:"Beta Launch" source:marketing to:@rita'),  # L-4
        ("rita", "lead accept L-4"),
        ("rita", "lead feedback L-4 2 bad-timing"),
        ("mara", f'lead handoff "{FORMULA}" source:marketing to:@sam'),  # L-5, never accepted
        ("sam", "lead add Stark"),  # L-6, source sales
        ("sam", "lead lost L-6 price"),
    ]
    for who, text in steps:
        assert acme.say(who, text).ok, text
    clock.set(now)
    return acme


def expected(runtime: Runtime, team: Team, form: str = "30d", **filters: Any) -> dict[str, Any]:
    """The stats JSON for the period, as the API answers it: what every card must show."""
    dana = team.member("dana")
    assert dana.id is not None
    with runtime.db.session() as session:
        settings = all_settings(session, dana.workspace_id)
        zone = settings["timezone"]
        period = parse_period(form, today=local_today(runtime.clock.now(), zone), zone=zone)
        figures = compute(
            session,
            workspace_id=dana.workspace_id,
            period=period,
            scope=Scope(dana.id, "workspace", **filters),
            now=runtime.clock.now(),
            settings=settings,
        )
        return figures_json(figures)


def cards_of(html: str) -> dict[str, str]:
    """Each headline card's value as the page shows it, by its key."""
    found: dict[str, str] = {}
    for chunk in html.split('<article class="card" data-key="')[1:]:
        key = chunk.split('"', 1)[0]
        value = chunk.split('class="card-value', 1)[1].split(">", 1)[1].split("<", 1)[0]
        found[key] = value
    return found


def test_the_first_html_holds_every_headline_figure_as_the_api_has_it(
    web: TestClient, story: Team, runtime: Runtime
) -> None:
    page = signed_in(web, story, "dana").get("/dashboard")
    assert page.status_code == 200
    figures = expected(runtime, story)
    assert figures["leads"]["total"] == 5 and figures["handoffs"] == 4
    shown = cards_of(page.text)
    for key, _label, path, _better, kind in HEADLINE:
        assert shown[key] == SHOWN[kind](pick(figures, path)), key
    assert shown["acceptance"] == "67%" and shown["win_rate"] == "50%" and shown["won"] == "25,000"
    assert shown["leads"] == "5" and shown["breaches"] == "3"  # Oldco of the month before counts too: it is now
    assert "▲" in page.text  # 5 leads against 1 the month before
    assert page.text.count('<svg class="r-chart-svg"') >= 4  # charts drawn on the server, not by a script
    for company in ("Hooli", FORMULA):  # the drill-downs name the leads
        assert company in page.text


def test_the_drill_downs_name_the_leads_behind_the_figures(web: TestClient, story: Team) -> None:
    page = signed_in(web, story, "dana").get("/dashboard").text
    breaches = page.split("Leads breaching SLA now</span>", 1)[1].split("</table>", 1)[0]
    assert "L-4" in breaches and "first touch" in breaches and "Hooli" in breaches  # accepted, never touched
    assert "L-5" in breaches and "acceptance" in breaches  # handed off 5 days ago, never accepted
    assert "L-2" not in breaches  # won
    assert breaches.count('<th scope="row"') == int(cards_of(page)["breaches"]) == 3  # the card counts these rows
    low = page.split("Low-quality leads by campaign", 1)[1].split("</table>", 1)[0]
    assert "Umbrella" in low and "no-budget, wrong-persona" in low and "no budget this year" in low
    assert "talked to an intern" in low and "Alpha Webinar" in low
    assert "Hooli" in low and "bad-timing" in low and "Beta Launch" in low
    assert "Initech" not in low


def test_filters_narrow_every_figure_and_stay_in_the_url(web: TestClient, story: Team, runtime: Runtime) -> None:
    client = signed_in(web, story, "dana")
    webinar = client.get("/dashboard?source=webinar")
    assert webinar.status_code == 200
    assert cards_of(webinar.text)["leads"] == "1"
    assert expected(runtime, story, source="webinar")["leads"]["total"] == 1
    assert '<option value="webinar" selected>' in webinar.text
    assert "/dashboard/export.csv?period=30d&amp;source=webinar" in webinar.text

    rita = story.member("rita")
    owned = client.get(f"/dashboard?owner={rita.id}").text
    breaches = owned.split("Leads breaching SLA now</span>", 1)[1].split("</table>", 1)[0]
    assert "L-4" in breaches and "L-5" not in breaches
    assert f'<option value="{rita.id}" selected>' in owned

    alpha = client.get("/dashboard?campaign=alpha").text  # a name, as typed in chat, is found too
    assert cards_of(alpha)["leads"] == "2" and "campaign <strong>Alpha Webinar</strong>" in alpha
    assert '<option value="C-1" selected>' in alpha

    week = client.get("/dashboard?period=custom&from=2026-03-01&to=2026-03-07")
    assert week.status_code == 200 and "1 – 7 Mar 2026" in week.text
    assert cards_of(week.text)["leads"] == "5"
    quarter = client.get("/dashboard?period=2026-01-01..2026-03-31")
    assert quarter.status_code == 200 and '<option value="custom" selected>' in quarter.text


def _csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_export_is_what_is_on_screen(web: TestClient, story: Team) -> None:
    client = signed_in(web, story, "dana")
    page = client.get("/dashboard?source=marketing").text
    export = client.get("/dashboard/export.csv?period=30d&source=marketing")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"].startswith('attachment; filename="tandem-dashboard-30d-')
    rows = _csv(export.text)
    assert rows[0][:3] == ["Tandem dashboard", "T-ACME", "Last 30 days"] and rows[0][4] == "source marketing"
    assert rows[2] == ["section", "label", "value", "detail"]
    headline = {row[1]: row[2] for row in rows if row and row[0] == "Headline"}
    shown = cards_of(page)
    for key, label, *_rest in HEADLINE:
        assert headline[label] == shown[key], label
    start = rows.index(["Leads breaching SLA now"])
    assert rows[start + 1] == ["Lead", "Company", "Owner", "Waiting for", "Late by"]
    drilled = {row[0]: row for row in rows[start + 2 :] if row and row[0].startswith("L-")}
    assert drilled["L-5"][1] == "'" + FORMULA  # a spreadsheet shows it, never runs it
    assert drilled["L-4"][1:4] == ["Hooli", "Rita", "first touch"]
    assert "Umbrella" not in export.text  # an event lead: not on screen with source=marketing


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("period=fortnight", "is not a period I know"),
        ("period=custom&from=2026-03-01", "needs its first and last day"),
        ("period=custom&from=2026-03-09&to=2026-03-01", "ends before it starts"),
        ("period=2026-02-30..2026-03-01", "is not a day in the calendar"),
        ("campaign=Gamma", "no campaign"),
        ("owner=nobody", "not a member of this workspace"),
        ("owner=99999999", "not a member of this workspace"),
        ("source=" + "x" * 61, "at most 60 characters"),
        ("period=%3Cscript%3Ealert(1)%3C/script%3E", "is not a period I know"),
    ],
)
def test_a_filter_the_page_cannot_use_is_said_in_place_with_the_form(
    web: TestClient, story: Team, query: str, says: str
) -> None:
    client = signed_in(web, story, "dana")
    for path in ("/dashboard", "/dashboard/export.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, response.text
        assert says in response.text
        assert '<form class="filters"' in response.text and "<script>alert" not in response.text
        assert 'class="card"' not in response.text


def test_where_there_is_no_data_it_says_so_never_zero_percent(web: TestClient, runtime: Runtime) -> None:
    quiet = make_team(runtime, "T-QUIET", ("quinn", "dora"), "dora")
    page = signed_in(web, quiet, "dora").get("/dashboard").text
    shown = cards_of(page)
    assert shown["acceptance"] == "—" and shown["win_rate"] == "—" and shown["accept_hours"] == "—"
    assert shown["leads"] == "0"
    assert "0%" not in page
    assert "Every open lead is within its service level." in page


def test_the_page_loads_nothing_from_elsewhere(web: TestClient, story: Team) -> None:
    page = signed_in(web, story, "dana").get("/dashboard")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
    for attribute in ('src="http', "src='http", 'href="http', "@import", "<style", "fonts.g"):
        assert attribute not in page.text
    assert "<script>" not in page.text  # the one script is a file of ours, and the page works without it
    for asset in ("dashboard.css", "dashboard.js", "favicon.svg"):
        assert web.get(f"/dashboard/static/{asset}").status_code == 200


def test_the_survey_trend_shows_only_when_the_survey_supplies_it() -> None:
    empty = build_board({}, breaches=Breaches((), 0), low=LowLeads((), 0))
    assert "survey-trend" not in [section.key for section in empty.sections]
    trend = build_board({}, breaches=Breaches((), 0), low=LowLeads((), 0), trend=[("2026-Q1", 3.5), ("2026-Q2", 4.0)])
    [section] = [section for section in trend.sections if section.key == "survey-trend"]
    assert section.panels[0].chart is not None and section.panels[0].chart.categories == ("2026-Q1", "2026-Q2")


async def test_the_pulse_by_quarter_appears_once_a_survey_has_run(
    web: TestClient, story: Team, runtime: Runtime
) -> None:
    page = signed_in(web, story, "dana")
    assert "The pulse by quarter" not in page.get("/dashboard").text  # no survey yet: no empty chart
    firing = await run_job_now(runtime, "survey")
    assert firing.ran and not firing.error, firing
    assert story.say("rita", "tandem survey answer 4").ok
    html = page.get("/dashboard").text
    assert "The pulse by quarter" in html and "Pulse survey average by quarter" in html
    assert "Rita" not in html.split("The pulse by quarter", 1)[1].split("</section>", 1)[0]  # never a name


def test_the_dashboard_says_what_stats_says_in_chat(web: TestClient, story: Team) -> None:
    shown = cards_of(signed_in(web, story, "dana").get("/dashboard").text)
    chat = text_of(story.say("dana", "stats"))
    for label, key in (("Leads", "leads"), ("Hand-offs", "handoffs"), ("Acceptance", "acceptance")):
        assert f"{label}: {shown[key]}" in chat, label
    assert f"Win rate: {shown['win_rate']}" in chat and f"Breaching SLA now: {shown['breaches']}" in chat
