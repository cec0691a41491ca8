"""The campaign end job (SPEC §4): a campaign past its `ends` date — in its workspace's time zone — is closed and its
report goes to its owner and the managers; one still running on its last day is left; running the job again, or
on several replicas at once, closes nothing twice and sends no report twice. A clock the tests move."""

from __future__ import annotations

import asyncio

from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.core.outbox import reply_of
from bot.server import build_runtime
from schedules.jobs.campaign_end import run_campaign_end
from schedules.registry import find_job, fire
from storage.models import Campaign, Member, Outbox
from tests.schedules.conftest import PEOPLE, SlackTeam, text_of, utc


def announce(team: SlackTeam, name: str, ends: str) -> None:
    reply = team.say("mara", f'campaign announce "{name}" goal:"Meet buyers" target:10 ends:{ends}')
    assert reply.ok, text_of(reply)


def status(team: SlackTeam) -> dict[str, str]:
    with team.runtime.db.session() as session:
        return {
            c.name: c.status for c in session.exec(select(Campaign).where(Campaign.workspace_id == team.workspace_id))
        }


def reports(team: SlackTeam) -> list[Outbox]:
    return team.outbox("campaign_report")


async def test_a_campaign_past_its_end_date_is_closed_and_reported_once(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("managers_channel", "slack:CMGR")
    team.at(utc(2026, 3, 2, 10, 0))
    announce(team, "Spring Expo", "2026-03-09")
    announce(team, "Summer Fair", "2026-03-10")
    announce(team, "Open ended", "2026-12-31")
    assert team.say("rita", "campaign comment Spring Expo booth leads were students").ok

    team.at(utc(2026, 3, 10, 10, 0))  # UTC workspace: the 9th is over, the 10th is not
    first = await team.run("campaign_end")
    assert first.result == "closed 1 campaign past their end date"
    assert status(team) == {"Spring Expo": "closed", "Summer Fair": "active", "Open ended": "active"}
    [to_owner, to_managers] = reports(team)
    assert to_owner.target_member_id == team.member("mara").id and to_managers.target_channel == "slack:CMGR"
    report = text_of(reply_of(to_managers))
    assert report.startswith("📊 C-1 Spring Expo ended on 09 Mar 2026. Its report:")
    assert "Target: 0 of 10 (0%)" in report and "Average quality: — (no lead rated yet)" in report

    team.later(hours=1)
    again = await team.run("campaign_end")
    assert again.result == "closed 0 campaigns past their end date" and len(reports(team)) == 2

    team.at(utc(2026, 3, 11, 0, 30))
    await team.run("campaign_end")
    assert status(team)["Summer Fair"] == "closed" and len(reports(team)) == 4

    await team.run("delivery")
    assert [p for p in team.posts() if p["channel"] == "CMGR"]
    assert [p for p in team.posts() if p["channel"] == "D" + PEOPLE["mara"][0]]


async def test_the_end_date_is_over_in_the_workspace_time_zone(slack_team: SlackTeam) -> None:
    team = slack_team
    team.at(utc(2026, 3, 2, 10, 0))
    announce(team, "Auckland launch", "2026-03-10")
    team.setting("timezone", "Pacific/Auckland")  # UTC+13 in March
    team.at(utc(2026, 3, 10, 10, 30))  # 23:30 on the 10th in Auckland: its last day
    assert (await team.run("campaign_end")).result == "closed 0 campaigns past their end date"
    team.at(utc(2026, 3, 10, 11, 30))  # 00:30 on the 11th there
    assert (await team.run("campaign_end")).result == "closed 1 campaign past their end date"

    west = SlackTeam(team.runtime, team.clock, team.slack, team_id="T2")
    assert west.say("mara", "lead list").ok
    with team.runtime.db.session() as session:
        member = session.exec(select(Member).where(Member.workspace_id == west.workspace_id)).one()
        member.role = "marketer"
        session.add(member)
    west.setting("timezone", "America/Los_Angeles")
    west.at(utc(2026, 3, 10, 12, 0))
    announce(west, "West coast tour", "2026-03-10")
    west.at(utc(2026, 3, 11, 6, 30))  # 23:30 on the 10th in Los Angeles (UTC-7 since the 8th)
    assert (await west.run("campaign_end")).result == "closed 0 campaigns past their end date"
    west.at(utc(2026, 3, 11, 7, 5))
    assert (await west.run("campaign_end")).result == "closed 1 campaign past their end date"
    assert status(west) == {"West coast tour": "closed"}
    assert status(team) == {"Auckland launch": "closed"}


async def test_a_campaign_closed_by_hand_is_not_closed_again(slack_team: SlackTeam) -> None:
    team = slack_team
    team.at(utc(2026, 3, 2, 10, 0))
    announce(team, "Spring Expo", "2026-03-05")
    assert team.say("dana", "campaign close Spring Expo").ok
    before = len(reports(team))
    team.at(utc(2026, 3, 10, 10, 0))
    assert (await team.run("campaign_end")).result == "closed 0 campaigns past their end date"
    assert len(reports(team)) == before


async def test_replicas_running_the_job_together_close_each_campaign_once(slack_team: SlackTeam) -> None:
    team = slack_team
    team.setting("managers_channel", "slack:CMGR")
    team.at(utc(2026, 3, 2, 10, 0))
    for n in range(4):
        announce(team, f"Scheduled {n}", "2026-03-05")
    team.at(utc(2026, 3, 10, 10, 0))
    others = [build_runtime(team.runtime.settings, clock=team.clock) for _ in range(2)]
    try:
        replicas = [team.runtime, *others]
        job = find_job("campaign_end")
        assert job is not None
        firings = await asyncio.gather(*(fire(rt, job, f"replica-{i}") for i, rt in enumerate(replicas)))
        assert sum(f.ran for f in firings) == 1  # the lease: one replica runs the firing
        assert [f.result for f in firings if f.ran] == ["closed 4 campaigns past their end date"]

        team.at(utc(2026, 3, 2, 11, 0))
        for n in range(6):
            announce(team, f"Manual {n}", "2026-03-05")
        team.at(utc(2026, 3, 10, 11, 0))
        # runs of the job itself side by side (a manual run beside a scheduled one): the row lock decides
        results = await asyncio.gather(*(run_campaign_end(rt) for rt in replicas))
    finally:
        for rt in others:
            rt.db.dispose()
    assert sum(r.closed for r in results) == 6
    assert set(status(team).values()) == {"closed"}
    keys = [row.dedupe_key for row in reports(team)]
    assert len(keys) == len(set(keys)) == 10 * 2  # each campaign: one DM to its owner, one managers post


def test_jobs_run_campaign_end_works_from_the_command_line(sqlite_url: str) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": sqlite_url, "TANDEM_SCHEDULER": "off"}
    ran = runner.invoke(app, ["jobs", "run", "campaign_end"], env=env)
    assert ran.exit_code == 0, ran.output
    assert ran.output.startswith("campaign_end: closed 0 campaigns past their end date")
    listed = runner.invoke(app, ["jobs", "list"], env=env)
    assert "campaign_end" in listed.output and "every 60 min" in listed.output
