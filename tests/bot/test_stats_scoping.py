"""Who sees which figures (SPEC §2, §3): managers the workspace, marketers the leads they handed off and those of
their campaigns, reps their own leads — never another rep's name — and nobody another workspace's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.clock import FakeClock
from bot.core.replies import Chart, Reply
from bot.core.runtime import Runtime
from tests.bot.conftest import text_of
from tests.bot.stats_history import NOVEMBER, Office, build_november
from tests.bot.test_stats_figures import fields_of


@pytest.fixture
def office(runtime: Runtime, clock: FakeClock) -> Office:
    office = build_november(Office(runtime, clock))
    office.at(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    office.meet("leo")
    office.promote("leo", "marketer")
    office.campaign("Beta", target=10, owner="leo")
    office.do("leo", "lead handoff Fjordline to:@sam campaign:Beta source:event")  # L-6, Leo's
    office.do("rita", "lead add Gullwing campaign:Alpha")  # L-7: Rita's own lead in Mara's campaign
    office.at(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    return office


def everything_said(reply: Reply) -> str:
    """Text and chart labels: where a name could appear."""
    charts = [
        f"{c.title} {s.name} {p}" for c in reply.blocks if isinstance(c, Chart) for s in c.series for p in s.points
    ]
    return text_of(reply) + "\n" + "\n".join(charts)


def test_a_rep_sees_only_their_own_leads_and_no_one_elses_name(office: Office) -> None:
    reply = office.do("rita", f"stats {NOVEMBER}")
    shown = fields_of(reply)
    assert "Your own leads only." in text_of(reply)
    assert shown["Leads"].startswith("5 ·")  # L-1, L-2, L-3 (now hers), L-4 and her own L-7; not Sam's
    assert shown["Hand-offs"].startswith("4 ·")
    assert shown["Acceptance"].startswith("100% — 3 of 3 decided")  # her decisions; L-3's rejection was Sam's
    assert shown["Breaching SLA now"] == "3 leads of yours"  # L-1 stale, L-3 not accepted, L-7 never touched
    said = everything_said(reply)
    for other in ("Sam", "Mara", "Dana", "Leo"):
        assert other not in said
    assert "Campaign targets" not in said  # a campaign's progress is everyone's leads: `campaign why` shows it


def test_a_rep_never_sees_who_else_breaches_the_sla(office: Office) -> None:
    reply = office.do("sam", f"stats {NOVEMBER}")
    shown = fields_of(reply)
    assert shown["Breaching SLA now"] == "1 lead of yours"  # L-6; Rita's three are not Sam's business
    assert "Rita" not in everything_said(reply)
    assert shown["Leads"].startswith("2 ·")  # his own L-5 and L-6 from Leo; L-3 went to Rita
    assert shown["Acceptance"].startswith("0% — 0 of 1 decided")  # he rejected L-3: a 0% with data is a 0%


def test_a_rep_asking_for_someone_elses_figures_is_told_why_not(office: Office) -> None:
    refused = office.say("sam", "stats owner:@rita")
    assert not refused.ok
    assert "Reps see the figures of their own leads" in text_of(refused) and "Rita Rep" in text_of(refused)
    assert office.say("sam", "stats owner:@sam").ok


def test_a_marketer_sees_their_hand_offs_and_their_campaigns_leads(office: Office) -> None:
    reply = office.do("mara", f"stats {NOVEMBER}")
    shown = fields_of(reply)
    assert "The leads you handed off and the leads of your campaigns." in text_of(reply)
    # L-1 … L-4 she handed off, L-7 logged by Rita in her Alpha; not Sam's L-5 nor Leo's L-6
    assert shown["Leads"].startswith("5 ·") and shown["Hand-offs"].startswith("4 ·")
    assert "Alpha" in text_of(reply) and "Beta" not in text_of(reply)
    leo = fields_of(office.do("leo", f"stats {NOVEMBER}"))
    assert leo["Leads"].startswith("1 ·") and "Beta" in office.text("leo", f"stats {NOVEMBER}")


def test_a_manager_sees_the_workspace_and_can_narrow_it(office: Office) -> None:
    assert fields_of(office.do("dana", f"stats {NOVEMBER}"))["Leads"].startswith("7 ·")
    ritas = office.do("dana", f"stats {NOVEMBER} owner:@rita")
    assert fields_of(ritas)["Leads"].startswith("5 ·") and "Only Rita Rep's leads." in text_of(ritas)
    alpha = office.do("dana", f"stats {NOVEMBER} campaign:alpha")
    assert fields_of(alpha)["Leads"].startswith("4 ·") and "Only campaign Alpha." in text_of(alpha)
    events = fields_of(office.do("dana", f"stats {NOVEMBER} source:Event"))
    assert events["Leads"].startswith("2 ·")  # L-4 and L-6
    both = fields_of(office.do("dana", f"stats {NOVEMBER} source:event owner:@sam"))
    assert both["Leads"].startswith("1 ·")


def test_the_period_buttons_keep_the_filters(office: Office) -> None:
    from tests.bot.conftest import buttons_of

    reply = office.do("dana", 'stats 7d campaign:"Alpha" owner:@rita')
    assert buttons_of(reply)["30 days"] == "stats 30d campaign:Alpha owner:@rita"
    assert "7 days" not in buttons_of(reply)


def test_another_workspaces_figures_are_unreachable(office: Office, runtime: Runtime, clock: FakeClock) -> None:
    other = Office(runtime, clock, team_id="T-OTHER")
    other.meet("dana")
    mine = fields_of(other.do("dana", f"stats {NOVEMBER}"))
    assert mine["Leads"] == "0 · same as before" and mine["Breaching SLA now"] == "none"
    refused = other.say("dana", "stats campaign:Alpha")
    assert not refused.ok and "There is no campaign called `Alpha`" in text_of(refused)
    unknown = other.say("dana", "stats owner:rita@t-nov.test")
    assert not unknown.ok and "Nobody called" in text_of(unknown)
