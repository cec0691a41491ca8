"""`stats` figure by figure on a workspace with a known history (SPEC §3 stats and its Definitions), built through
commands with a clock the test moves, on every database backend: in chat, and as the JSON of SPEC §5."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from bot.core.clock import FakeClock
from bot.core.replies import Chart, Reply
from bot.core.runtime import Runtime
from bot.stats.json import figures_json
from bot.stats.periods import parse_period
from bot.stats.scope import Scope
from bot.stats.service import Figures, Providers, SurveyScore, compute
from tests.bot.conftest import text_of
from tests.bot.stats_history import ASKED_AT, NOVEMBER, Office, build_november

SPEC_EXAMPLE: dict[str, Any] = {  # SPEC §5, with T-1's real title
    "period": {"start": "2026-11-01", "end": "2026-12-01"},
    "leads": {"total": 5, "by_source": {"marketing": 3, "event": 1, "sales": 1}},
    "handoffs": 4,
    "acceptance_rate": 0.75,
    "hours_to_accept": {"median": 2.5, "p90": 7.0},
    "hours_to_first_touch": {"median": 20.0, "p90": 30.0},
    "sla_breaches": [{"owner": "Rita Rep", "count": 2}],
    "quality": {
        "by_campaign": [{"campaign": "Alpha", "average": 3.0, "low_share": 0.5, "scored": 2}],
        "by_source": [{"source": "marketing", "average": 3.0, "low_share": 0.5, "scored": 2}],
    },
    "funnel": {"approach": 1, "qualification": 1, "need": 0, "company": 0, "fill": 0, "commitment": 0, "cement": 0},
    "win_rate": 0.333,
    "loss_reasons": [{"reason": "price", "count": 2}],
    "won_amount": {"total": 25000.0, "by_source": {"marketing": 25000.0}, "by_campaign": {"Alpha": 25000.0}},
    "campaigns": [{"name": "Alpha", "target": 4, "delivered": 3, "accepted": 2}],
    "tools": {"most_used": [{"id": "T-1", "title": "Pricing deck", "clicks": 3}], "least_used": []},
    "intel_count": 0,
    "survey": {"quarter": "2026-Q4", "average": 4.0, "responses": 1, "asked": 2},
}


@pytest.fixture
def office(runtime: Runtime, clock: FakeClock) -> Office:
    return build_november(Office(runtime, clock))


def figures(office: Office, form: str = NOVEMBER, providers: Providers | None = None, **scope: Any) -> Figures:
    viewer = office.member("dana").id or 0
    workspace_id = office.workspace_id
    with office.runtime.db.session() as session:
        return _compute(session, workspace_id, form, providers, Scope(viewer_id=viewer, **scope))


def _compute(
    session: Session, workspace_id: int, form: str, providers: Providers | None, scope: Scope, zone: str = "UTC"
) -> Figures:
    period = parse_period(form, today=ASKED_AT.date(), zone=zone)
    return compute(session, workspace_id=workspace_id, period=period, scope=scope, now=ASKED_AT, providers=providers)


def fields_of(reply: Reply) -> dict[str, str]:
    """The answer's ``label: value`` figures (Fields blocks), by label."""
    out: dict[str, str] = {}
    for line in text_of(reply).splitlines():
        for item in line.split(" | "):
            label, sep, value = item.partition(": ")
            if sep:
                out.setdefault(label, value)
    return out


def test_the_json_of_the_known_history_is_spec_example_figure_for_figure(office: Office) -> None:
    asked: list[tuple[datetime, datetime]] = []

    def intel_count(session: Session, workspace_id: int, start: datetime, end: datetime) -> int:
        asked.append((start, end))
        return 0

    def survey(session: Session, workspace_id: int, now: datetime) -> SurveyScore:
        return SurveyScore("2026-Q4", 4.0, 1, 2)

    shown = figures_json(figures(office, providers=Providers(intel_count=intel_count, survey=survey)))
    assert list(shown) == list(SPEC_EXAMPLE)  # exactly SPEC §5's keys, in its order
    for key, expected in SPEC_EXAMPLE.items():
        assert shown[key] == expected, key
    # intel is asked for November and for the 30 days before it, to compare
    assert asked == [
        (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        (datetime(2026, 10, 2, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)),
    ]


def test_without_intel_or_survey_their_figures_are_null_not_zero(office: Office) -> None:
    shown = figures_json(figures(office))
    assert shown["intel_count"] is None and shown["survey"] is None


def test_acceptance_counts_first_decisions_on_hand_offs_only(office: Office) -> None:
    now = figures(office).current
    # L-5 was logged with `lead add`: a lead, never a hand-off, never a decision
    assert (now.leads, now.handoffs) == (5, 4)
    # L-3's first decision was a rejection; its reassignment to Rita is no second decision
    assert (now.acceptance.part, now.acceptance.whole) == (3, 4)
    office.after(hours=1).do("rita", "lead accept L-3")  # decided again in December, by its new owner
    december = figures(office, "2026-12-01..2026-12-01").current
    assert (december.acceptance.part, december.acceptance.whole) == (0, 0)
    assert december.acceptance.value is None  # no first decision fell in December: no rate, never 0%


def test_hours_are_medians_and_p90_from_the_hand_off_of_hand_offs_only(office: Office) -> None:
    now = figures(office).current
    assert now.hours_to_accept.count == 3 and now.hours_to_accept.median == pytest.approx(2.5)
    assert now.hours_to_accept.p90 == pytest.approx(7.0)  # 2.5 + 0.8 × (8.125 − 2.5): interpolated
    # L-5's touch (a `lead add`) is not measured: it was never handed off
    assert now.hours_to_first_touch.count == 3 and now.hours_to_first_touch.median == pytest.approx(20.0)
    assert now.hours_to_first_touch.p90 == pytest.approx(30.0)


def test_medians_of_even_and_odd_counts(runtime: Runtime, clock: FakeClock) -> None:
    office = Office(runtime, clock, team_id="T-MED")
    office.at(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    office.meet("mara", "rita", "dana")
    for number, hours in enumerate((10.0, 1.0, 4.0, 2.0), start=1):  # accepted after 1, 2, 4 and 10 hours
        office.at(datetime(2026, 11, 2 + number, 9, 0, tzinfo=UTC)).do("mara", f"lead handoff Co{number} to:@rita")
        office.after(hours=hours).do("rita", f"lead accept L-{number}")
    even = figures(office, NOVEMBER).current.hours_to_accept
    assert even.count == 4 and even.median == pytest.approx(3.0) and even.p90 == pytest.approx(4 + 0.7 * 6)
    office.at(datetime(2026, 11, 20, 9, 0, tzinfo=UTC)).do("mara", "lead handoff Co5 to:@rita")
    office.after(hours=3).do("rita", "lead accept L-5")
    odd = figures(office, NOVEMBER).current.hours_to_accept
    assert odd.count == 5 and odd.median == pytest.approx(3.0) and odd.p90 == pytest.approx(4 + 0.6 * 6)


def test_win_rate_ignores_open_leads_and_losses_count_recognised_reasons(office: Office) -> None:
    now = figures(office).current
    assert (now.win_rate.part, now.win_rate.whole) == (1, 3)  # L-1 and L-3 are open: not counted
    assert [(c.name, c.count) for c in now.loss_reasons] == [("price", 2)]
    assert (now.won_amount, [(a.name, a.amount) for a in now.won_by_campaign]) == (25000.0, [("Alpha", 25000.0)])


def test_quality_is_the_mean_of_each_leads_score_and_the_funnel_counts_stages_reached(office: Office) -> None:
    now = figures(office).current
    [alpha] = now.quality_by_campaign
    # L-1 scored 5 and 3 (its score: 4), L-2 scored 2: the mean of the leads' scores is 3.0 (of the ratings, 3.33)
    assert (alpha.name, alpha.average, alpha.scored, alpha.low) == ("Alpha", 3.0, 2, 1)
    # L-1 went to qualification and back to approach: it reached qualification
    assert now.funnel == (1, 1, 0, 0, 0, 0, 0)


def test_rejections_and_their_reasons_count_in_the_period_they_were_made(office: Office) -> None:
    now = figures(office).current
    assert now.rejections == 1 and [(c.name, c.count) for c in now.rejection_reasons] == [("wrong-persona", 1)]


def test_the_manager_reads_every_figure_in_chat(office: Office) -> None:
    reply = office.do("dana", f"stats {NOVEMBER}")
    shown = fields_of(reply)
    assert text_of(reply).startswith("📊 Stats — 1 – 30 Nov 2026")
    assert shown["Leads"] == "5 · ▲ 5 from 0"
    assert shown["Hand-offs"] == "4 · ▲ 4 from 0"
    assert shown["Acceptance"] == "75% — 3 of 4 decided · none the period before"
    assert shown["Hours to accept"] == "median 2.5 h · p90 7 h (3 leads)"
    assert shown["Hours to first touch"] == "median 20 h · p90 30 h (3 leads)"
    assert shown["Breaching SLA now"] == "2 — Rita Rep 2"
    assert shown["Win rate"] == "33% — 1 of 3 closed · none the period before"
    assert shown["Won"].startswith("25,000 from 1 deal")
    assert shown["Lead quality"] == "3.0 of 5 · 50% at 2 or below (1 of 2 scored)"
    assert shown["Intel notes"] == "—"
    assert shown["Alpha"] == "3.0 of 5 · 50% at 2 or below (1 of 2 scored)"  # quality by campaign
    assert shown["Lost because"] == "price 2 (of 2 lost leads)"
    assert shown["Rejected because"] == "wrong-persona 1 (of 1 rejection)"
    assert "Share of the 5 leads: marketing 60% · event 20% · sales 20%." in text_of(reply)
    assert "3 of 4 leads (75%) · 2 accepted" in text_of(reply)
    assert shown["Tools opened most"] == "Pricing deck (3)"


def test_the_charts_carry_the_same_figures_as_the_text(office: Office) -> None:
    reply = office.do("dana", f"stats {NOVEMBER}")
    charts = {block.title: block for block in reply.blocks if isinstance(block, Chart)}
    assert list(charts) == ["Leads by source", "Hand-offs per week", "Funnel: leads that reached each stage"]
    [by_source] = charts["Leads by source"].series
    assert by_source.points == (("marketing", 3.0), ("event", 1.0), ("sales", 1.0))
    this, before = charts["Hand-offs per week"].series
    assert sum(v or 0 for _, v in this.points) == 4 and sum(v or 0 for _, v in before.points) == 0
    assert [label for label, _ in this.points] == ["1 Nov", "3 Nov", "10 Nov", "17 Nov", "24 Nov"]
    [funnel] = charts["Funnel: leads that reached each stage"].series
    assert [v for _, v in funnel.points] == [1, 1, 0, 0, 0, 0, 0]


def test_each_figure_is_compared_with_the_period_before(office: Office) -> None:
    office.at(datetime(2026, 12, 3, 9, 0, tzinfo=UTC)).do("mara", "lead handoff Fjord to:@rita")
    office.after(hours=1).do("rita", "lead accept L-6")
    office.after(hours=1).do("mara", "lead handoff Gale to:@sam")
    office.after(hours=2).do("sam", "lead accept L-7")
    office.at(datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    december = fields_of(office.do("dana", "stats 2026-12-01..2026-12-30"))
    # the period before is the 30 days before the 1st: 1 – 30 November (the 31st of October left out)
    assert december["Leads"] == "2 · ▼ 3 from 5"
    assert december["Hand-offs"] == "2 · ▼ 2 from 4"
    assert december["Acceptance"] == "100% — 2 of 2 decided · ▲ 25 pts from 75%"
    assert december["Hours to accept"] == "median 1.5 h · p90 1.9 h (2 leads) · ▼ from 2.5 h"
    assert december["Win rate"] == "— (none closed)"  # no data is a dash, never 0%


def test_period_boundaries_fall_at_midnight_in_the_workspaces_zone(runtime: Runtime, clock: FakeClock) -> None:
    office = Office(runtime, clock, team_id="T-NYC")
    office.at(datetime(2026, 10, 20, 9, 0, tzinfo=UTC))
    office.meet("ivy", "mara", "rita", "dana")
    office.do("ivy", "tandem settings timezone America/New_York")
    # 23:30 on 31 October in New York is already 1 November in UTC; 00:10 on 1 November is
    office.at(datetime(2026, 11, 1, 3, 30, tzinfo=UTC)).do("mara", "lead handoff Halloween to:@rita")
    office.at(datetime(2026, 11, 1, 4, 10, tzinfo=UTC)).do("mara", "lead handoff AllSaints to:@rita")
    # 23:50 on 30 November in New York is 1 December in UTC: still November there
    office.at(datetime(2026, 12, 1, 4, 50, tzinfo=UTC)).do("mara", "lead handoff LastCall to:@rita")
    office.at(datetime(2026, 12, 1, 5, 10, tzinfo=UTC)).do("mara", "lead handoff December to:@rita")
    november = fields_of(office.do("dana", f"stats {NOVEMBER}"))
    assert november["Leads"] == "2 · ▲ 1 from 1"  # AllSaints and LastCall; the 30 days before hold Halloween
    workspace_id = office.workspace_id
    with runtime.db.session() as session:
        period = _compute(session, workspace_id, NOVEMBER, None, Scope(viewer_id=0), "America/New_York").period
    # New York's November ends an hour later than it began, on the clock: summer time ended on its first day
    assert period.current.start == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    assert period.current.stop == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    office.at(datetime(2026, 12, 1, 5, 30, tzinfo=UTC))  # 00:30 on 1 December in New York
    today = office.do("dana", "stats 1d")
    assert fields_of(today)["Leads"] == "1 · same as before"  # December, against LastCall on the 30th
    assert text_of(today).startswith("📊 Stats — Today · 1 Dec 2026")


def test_a_period_with_no_leads_says_so_with_dashes(office: Office) -> None:
    shown = fields_of(office.do("dana", "stats 2026-01-01..2026-01-31"))
    assert shown["Leads"] == "0 · same as before"
    assert shown["Acceptance"] == "— (none decided)"
    assert shown["Hours to accept"] == "—" and shown["Lead quality"] == "— (no lead scored)"
    assert shown["Win rate"] == "— (none closed)" and shown["Won"] == "—"


def test_figures_only_read_their_windows(office: Office) -> None:
    """The comparison period is the same length, right before: 30 days before the 1st of November."""
    period = figures(office).period
    assert (period.previous.first, period.previous.end) == (date(2026, 10, 2), date(2026, 11, 1))
    assert period.current.days == period.previous.days == 30
    assert figures(office).previous.leads == 0
    assert timedelta(days=30) == period.current.stop - period.current.start


def test_many_sources_draw_the_eight_largest_and_the_rest_as_one_bar(runtime: Runtime, clock: FakeClock) -> None:
    office = Office(runtime, clock, team_id="T-SRC")
    office.at(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    office.meet("mara", "rita", "dana")
    for n in range(12):
        office.after(minutes=5).do("mara", f"lead handoff Co{n} to:@rita source:fair{n:02d}")
    office.do("mara", "lead handoff Extra to:@rita source:fair00")
    reply = office.do("dana", f"stats {NOVEMBER}")
    [by_source] = [b for b in reply.blocks if isinstance(b, Chart) and b.title == "Leads by source"]
    labels = [label for label, _ in by_source.series[0].points]
    assert len(labels) == 9 and labels[0] == "fair00" and labels[-1] == "4 other sources"
    assert by_source.series[0].points[-1][1] == 4
