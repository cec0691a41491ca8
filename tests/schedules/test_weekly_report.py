"""The weekly report (SPEC §4): at `weekly_report` (`mon 09:00`, the workspace's time zone) the managers channel,
or each manager by DM, gets the last 7 days against the week before, what needs attention and the dashboard
link — once a week per workspace however often the job runs, on however many replicas. A clock the tests move."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.core.outbox import reply_of
from bot.core.replies import Chart
from bot.core.runtime import Runtime
from bot.server import build_runtime
from bot.stats.report import weekly_moment
from schedules.registry import find_job, fire, run_job_now
from storage.models import Outbox
from tests.schedules.conftest import SlackTeam, text_of, utc

MANAGERS = "slack:CMANAGERS"


async def scheduled(team: SlackTeam) -> str:
    """One scheduled firing of the report job (what APScheduler runs every five minutes)."""
    job = find_job("report")
    assert job is not None
    firing = await fire(team.runtime, job, "replica-a")
    assert firing.ran and not firing.error, firing
    return firing.result or ""


def reports(team: SlackTeam) -> list[Outbox]:
    return team.outbox("weekly_report")


def a_week_of_work(team: SlackTeam) -> None:
    """Monday 2 – Sunday 8 November 2026 in Berlin, and a little of the week before."""
    team.at(utc(2026, 10, 28, 10, 0))
    team.handoff("Earlier")  # L-1, the week before
    team.at(utc(2026, 11, 3, 10, 0))
    team.handoff("Acme")  # L-2
    team.later(hours=1)
    assert team.say("rita", "lead accept L-2").ok
    team.handoff("Beta", to="sam")  # L-3
    team.later(hours=2)
    assert team.say("sam", "lead reject L-3 wrong-persona, a student").ok
    team.at(utc(2026, 11, 8, 22, 30))  # Sunday 23:30 in Berlin: still last week
    team.handoff("Late")  # L-4, never accepted: breaching by Monday
    team.at(utc(2026, 11, 8, 23, 30))  # Monday 00:30 in Berlin: this week, not in the report
    team.handoff("Early")  # L-5


async def test_managers_channel_gets_the_report_at_monday_0900_in_the_workspaces_zone(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("managers_channel", MANAGERS)
    team.setting("timezone", "Europe/Berlin")
    a_week_of_work(team)

    team.at(utc(2026, 11, 9, 7, 55))  # 08:55 in Berlin
    assert await scheduled(team) == "sent the weekly report of 0 workspaces (0 messages)"
    team.at(utc(2026, 11, 9, 8, 0))  # 09:00
    assert await scheduled(team) == "sent the weekly report of 1 workspace (1 messages)"
    [row] = reports(team)
    assert row.target_channel == MANAGERS
    report = reply_of(row)
    text = text_of(report)
    assert text.startswith("📈 Weekly report — 2 – 8 Nov 2026")
    assert "compared with the week before (26 Oct – 1 Nov 2026)" in text
    assert "Leads: 3 · ▲ 2 from 1" in text  # Acme, Beta, Late; not Monday's Early
    assert "Acceptance: 50% — 1 of 2 decided" in text
    # Earlier and Late never accepted, Acme never touched, Monday's Early waiting 7.5 hours: all Rita's
    assert "🚨 4 open leads breaching the SLA now — Rita 4" in text
    assert "📉 No campaign lead was scored this week." in text
    assert "↩️ Top rejection reason: wrong-persona — 1 of 1 rejection" in text
    assert "type stats dashboard for a sign-in link" in text
    assert any(isinstance(b, Chart) and b.title == "Hand-offs per day" for b in report.blocks)

    # later firings that week, and a manual run, send nothing new
    for moment in (utc(2026, 11, 9, 8, 5), utc(2026, 11, 12, 15, 0), utc(2026, 11, 15, 22, 0)):
        team.at(moment)
        assert await scheduled(team) == "sent the weekly report of 0 workspaces (0 messages)"
    again = await run_job_now(team.runtime, "report")
    assert again.result == "sent the weekly report of 0 workspaces (0 messages)"
    assert len(reports(team)) == 1

    await team.run("delivery")
    [post] = [p for p in team.posts() if p["channel"] == "CMANAGERS"]
    kinds = [block["type"] for block in post["blocks"]]
    assert 1 <= kinds.count("data_visualization") <= 2

    team.at(utc(2026, 11, 16, 8, 0))  # the next Monday: next week's report
    assert await scheduled(team) == "sent the weekly report of 1 workspace (1 messages)"
    assert text_of(reply_of(reports(team)[-1])).startswith("📈 Weekly report — 9 – 15 Nov 2026")


async def test_without_a_managers_channel_each_manager_gets_a_dm(slack_team: SlackTeam) -> None:
    team = slack_team
    a_week_of_work(team)
    team.at(utc(2026, 11, 9, 9, 0))  # 09:00 UTC: the default time zone
    await scheduled(team)
    assert [row.target_member_id for row in reports(team)] == [team.member("dana").id]


async def test_in_the_week_summer_time_ends_the_report_keeps_0900_local(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("managers_channel", MANAGERS)
    team.setting("timezone", "Europe/Berlin")
    assert weekly_moment("mon 09:00", "Europe/Berlin", utc(2026, 10, 21, 12, 0)) == utc(2026, 10, 19, 7, 0)  # CEST
    assert weekly_moment("mon 09:00", "Europe/Berlin", utc(2026, 10, 28, 12, 0)) == utc(2026, 10, 26, 8, 0)  # CET
    team.at(utc(2026, 10, 25, 22, 30))  # Sunday 23:30 CET, the 25-hour Sunday: still the week of 19 October
    team.handoff("LastHour")
    team.at(utc(2026, 10, 26, 7, 0))  # 08:00 in Berlin now that summer time is over: not yet
    assert await scheduled(team) == "sent the weekly report of 0 workspaces (0 messages)"
    team.at(utc(2026, 10, 26, 8, 0))
    assert await scheduled(team) == "sent the weekly report of 1 workspace (1 messages)"
    text = text_of(reply_of(reports(team)[0]))
    assert text.startswith("📈 Weekly report — 19 – 25 Oct 2026") and "Leads: 1 · ▲ 1 from 0" in text


async def test_weekly_report_off_sends_nothing_and_a_new_time_is_followed(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("weekly_report", "off")
    team.at(utc(2026, 11, 9, 9, 0))
    assert await scheduled(team) == "sent the weekly report of 0 workspaces (0 messages)"
    manual = await run_job_now(team.runtime, "report")
    assert manual.result == "sent the weekly report of 0 workspaces (0 messages)"
    team.setting("weekly_report", "fri 17:30")
    team.at(utc(2026, 11, 13, 17, 29))
    assert await scheduled(team) == "sent the weekly report of 0 workspaces (0 messages)"
    team.at(utc(2026, 11, 13, 17, 30))
    assert await scheduled(team) == "sent the weekly report of 1 workspace (1 messages)"
    assert text_of(reply_of(reports(team)[0])).startswith("📈 Weekly report — 6 – 12 Nov 2026")


async def test_jobs_run_report_posts_it_now_and_twice_sends_nothing_new(slack_team: SlackTeam) -> None:
    team = slack_team
    a_week_of_work(team)
    team.at(utc(2026, 11, 11, 14, 0))  # a Wednesday
    first = await run_job_now(team.runtime, "report")
    assert first.result == "sent the weekly report of 1 workspace (1 messages)"
    text = text_of(reply_of(reports(team)[0]))
    assert text.startswith("📈 Weekly report — 2 – 8 Nov 2026")  # the week's report: its Monday had come
    second = await run_job_now(team.runtime, "report")
    assert second.result == "sent the weekly report of 0 workspaces (0 messages)" and len(reports(team)) == 1


async def test_two_replicas_send_one_report(slack_team: SlackTeam, database_url: str) -> None:
    """Two replicas on one PostgreSQL both run the report at once (a scheduled firing has one lease for every
    replica; `jobs run` on two machines has one each): the workspace's week is claimed once."""
    if not database_url.startswith("postgres"):
        pytest.skip("replicas share PostgreSQL")
    team = slack_team
    team.setting("managers_channel", MANAGERS)
    a_week_of_work(team)
    team.at(utc(2026, 11, 9, 9, 0))
    other: Runtime = build_runtime(team.runtime.settings, clock=team.clock)
    job = find_job("report")
    assert job is not None
    try:
        both = await asyncio.gather(
            fire(team.runtime, job, "replica-a", manual=True), fire(other, job, "replica-b", manual=True)
        )
        team.later(minutes=5)  # the next scheduled firing
        scheduled_both = await asyncio.gather(fire(team.runtime, job, "replica-a"), fire(other, job, "replica-b"))
    finally:
        other.db.dispose()
    assert sorted(f.result or "" for f in both) == [
        "sent the weekly report of 0 workspaces (0 messages)",
        "sent the weekly report of 1 workspace (1 messages)",
    ]
    assert [f.ran for f in scheduled_both].count(True) == 1  # one lease per scheduled firing
    with team.runtime.db.session() as session:
        count = session.exec(select(func.count()).select_from(Outbox).where(Outbox.kind == "weekly_report")).one()
    assert count == 1
