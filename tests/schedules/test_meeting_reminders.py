"""The meetings job (SPEC §4): both channels are reminded 7 days, 1 day and 1 hour before and get the agenda at the
start, each exactly once however often the job runs and on however many replicas; a reminder whose successor is
already due is skipped; a moved meeting is reminded again, a cancelled one never; a server that was down sends one
reminder when it returns; DST and quarter boundaries; and the weekly nag to book the next meeting."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, update
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.core.replies import When, from_json
from bot.core.stops import stops
from bot.meetings.reminder_round import remind_due_meetings
from bot.server import build_runtime
from schedules.jobs.meetings import run_meetings
from schedules.registry import find_job, fire, run_job_now
from storage.models import Lead, LeadEvent, Meeting, MeetingReminder, Workspace, WorkspaceSetting
from tests.schedules.conftest import SlackTeam, text_of, utc

CHANNELS = {"sales_channel": "slack:CSALES", "marketing_channel": "slack:CMKT"}


@pytest.fixture
def office(slack_team: SlackTeam) -> SlackTeam:
    for key, value in CHANNELS.items():
        slack_team.setting(key, value)
    slack_team.setting("timezone", "Europe/Berlin")
    return slack_team


def book(team: SlackTeam, when: str, title: str = "Q1 review") -> Meeting:
    reply = team.say("dana", f"meeting schedule {when} {title}")
    assert reply.ok, text_of(reply)
    with team.runtime.db.session() as session:
        return session.exec(select(Meeting).order_by(Meeting.id.desc())).first()  # type: ignore[union-attr]


def sent(team: SlackTeam) -> list[tuple[str, str]]:
    """(kind, channel) of every reminder and agenda post written, in order: one row goes to both channels."""
    return [
        (row.dedupe_key.split(":")[3], stop.channel)
        for row in team.outbox()
        if row.kind in ("meeting_reminder", "meeting_agenda")
        for stop in stops(row)
    ]


def kinds(team: SlackTeam) -> list[str]:
    return [kind for kind, channel in sent(team) if channel == "slack:CSALES"]


async def run_at(team: SlackTeam, moment: datetime, times: int = 1) -> None:
    team.at(moment)
    for _ in range(times):
        await team.run("meetings")


async def test_both_channels_hear_7_days_1_day_1_hour_before_and_get_the_agenda_each_once(office: SlackTeam) -> None:
    book(office, "2026-03-20 15:00")  # 14:00 UTC
    await run_at(office, utc(2026, 3, 13, 13, 59), times=2)
    assert sent(office) == []
    await run_at(office, utc(2026, 3, 13, 14, 0), times=2)
    await run_at(office, utc(2026, 3, 15, 9, 0))  # nothing new between reminders
    await run_at(office, utc(2026, 3, 19, 14, 1), times=3)
    await run_at(office, utc(2026, 3, 20, 13, 0))
    await run_at(office, utc(2026, 3, 20, 14, 0), times=2)
    await run_at(office, utc(2026, 3, 21, 9, 0))
    assert sent(office) == [
        (kind, channel) for kind in ("week", "day", "hour", "start") for channel in ("slack:CSALES", "slack:CMKT")
    ]
    with office.runtime.db.session() as session:
        claims = session.exec(select(MeetingReminder.kind, MeetingReminder.sequence)).all()
        assert sorted(claims) == [("day", 0), ("hour", 0), ("start", 0), ("week", 0)]
        assert session.exec(select(Meeting)).one().next_due_at is None


async def test_the_posts_reach_slack_with_the_time_in_each_readers_zone(office: SlackTeam) -> None:
    book(office, "2026-03-20 15:00")
    await run_at(office, utc(2026, 3, 19, 14, 0))
    await office.run("delivery")
    posts = [post for post in office.posts() if "starts in 1 day" in post["text"]]
    assert sorted(post["channel"] for post in posts) == ["CMKT", "CSALES"]
    blocks = json.dumps(posts[0]["blocks"])
    epoch = int(utc(2026, 3, 20, 14, 0).timestamp())
    assert f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|Fri 20 Mar 2026, 15:00 CET>" in blocks
    assert "/meetings/" in blocks and ".ics" in blocks
    assert "Fri 20 Mar 2026, 15:00 CET" in posts[0]["text"]  # the notification's words


async def test_the_agenda_is_posted_at_the_start(office: SlackTeam) -> None:
    book(office, "2026-03-20 15:00")
    await run_at(office, utc(2026, 3, 20, 14, 0))
    [agenda] = [row for row in office.outbox("meeting_agenda") if row.target_channel == "slack:CSALES"]
    reply = from_json(agenda.payload)
    assert reply.visibility == "in_channel"
    assert "Agenda: Q1 review" in text_of(reply) and "2. Lead quality" in text_of(reply)


async def test_a_meeting_booked_40_minutes_ahead_gets_only_the_1_hour_reminder(office: SlackTeam) -> None:
    office.at(utc(2026, 3, 20, 13, 20))
    reply = office.say("dana", "meeting schedule 2026-03-20 15:00 Stand-in")
    assert "one reminder now and the agenda at the start" in text_of(reply)
    await run_at(office, utc(2026, 3, 20, 13, 21), times=2)
    assert kinds(office) == ["hour"]
    [hour] = [row for row in office.outbox("meeting_reminder") if row.target_channel == "slack:CSALES"]
    assert "starts in 39 minutes" in from_json(hour.payload).summary
    await run_at(office, utc(2026, 3, 20, 14, 0))
    assert kinds(office) == ["hour", "start"]


async def test_a_server_down_over_two_reminders_sends_only_the_latest_when_it_returns(office: SlackTeam) -> None:
    book(office, "2026-03-20 15:00")
    await run_at(office, utc(2026, 3, 19, 18, 0))  # down from before the 7-day reminder until after the 1-day one
    firing = await run_job_now(office.runtime, "meetings")
    assert kinds(office) == ["day"]
    assert firing.result is not None and "reminded 0" in firing.result  # the second run sends nothing new
    last = (await run_job_now(office.runtime, "meetings")).result
    assert last is not None and "reminded 0" in last


async def test_the_first_firing_after_the_outage_counts_what_it_skipped(office: SlackTeam) -> None:
    book(office, "2026-03-20 15:00")
    office.at(utc(2026, 3, 20, 14, 30))
    firing = await office.run("meetings")
    assert firing.result == (
        "reminded 0, posted 1 agenda, skipped 3 overtaken, 0 too late; asked 0 managers to book the next meeting"
    )


async def test_nothing_is_sent_once_the_meeting_is_two_hours_old(office: SlackTeam) -> None:
    book(office, "2026-03-20 15:00")  # 14:00 UTC; the server is down from before the first reminder until 16:00
    office.at(utc(2026, 3, 20, 16, 0))
    firing = await office.run("meetings")
    assert (
        sent(office) == []
        and firing.result is not None
        and "0 agendas, skipped 0 overtaken, 1 too late" in firing.result
    )
    with office.runtime.db.session() as session:
        assert session.exec(select(Meeting)).one().next_due_at is None  # never looked at again


async def test_a_moved_meeting_is_reminded_again_from_its_new_time(office: SlackTeam) -> None:
    book(office, "2026-03-20 15:00")
    await run_at(office, utc(2026, 3, 13, 14, 0))
    assert kinds(office) == ["week"]
    office.at(utc(2026, 3, 14, 9, 0))
    assert office.say("dana", "meeting move 2026-03-27 15:00").ok
    await run_at(office, utc(2026, 3, 19, 14, 0))  # the old 1-day reminder's time: nothing
    assert kinds(office) == ["week"]
    await run_at(office, utc(2026, 3, 20, 14, 0), times=2)
    await run_at(office, utc(2026, 3, 26, 14, 0))
    assert kinds(office) == ["week", "week", "day"]
    with office.runtime.db.session() as session:
        assert sorted(session.exec(select(MeetingReminder.kind, MeetingReminder.sequence)).all()) == [
            ("day", 1),
            ("week", 0),
            ("week", 1),
        ]


async def test_a_cancelled_meeting_sends_no_reminder(office: SlackTeam) -> None:
    book(office, "2026-03-20 15:00")
    assert office.say("dana", "meeting cancel").ok
    for moment in (utc(2026, 3, 13, 14, 0), utc(2026, 3, 19, 14, 0), utc(2026, 3, 20, 14, 0)):
        await run_at(office, moment)
    assert sent(office) == [] and len(office.outbox("meeting_cancelled")) == 2


async def test_days_before_keep_the_wall_time_across_a_dst_change(office: SlackTeam) -> None:
    book(office, "2026-04-02 10:00")  # CEST (UTC+2) since 29 March: 08:00 UTC
    await run_at(office, utc(2026, 3, 26, 8, 59))  # 7 days × 24 h before, 09:59 CET: not yet
    assert kinds(office) == []
    await run_at(office, utc(2026, 3, 26, 9, 0))  # 10:00 CET, seven days before on the wall clock
    assert kinds(office) == ["week"]
    await run_at(office, utc(2026, 4, 1, 8, 0))  # one day before, 10:00 CEST
    await run_at(office, utc(2026, 4, 2, 7, 0))  # one hour before
    assert kinds(office) == ["week", "day", "hour"]
    [reminder] = [r for r in office.outbox("meeting_reminder") if r.target_channel == "slack:CSALES"][:1]
    [moment] = [
        s for block in from_json(reminder.payload).blocks for s in getattr(block, "text", ()) if isinstance(s, When)
    ]
    assert moment.text == "Thu 2 Apr 2026, 10:00 CEST"


async def test_a_meeting_early_in_a_quarter_reviews_the_quarter_before(office: SlackTeam) -> None:
    book(office, "2026-04-02 10:00", "Early April")
    book(office, "2026-03-31 16:00", "End of March")
    await run_at(office, utc(2026, 3, 31, 14, 0))
    await run_at(office, utc(2026, 4, 2, 8, 0))
    agendas = [from_json(r.payload) for r in office.outbox("meeting_agenda") if r.target_channel == "slack:CSALES"]
    assert [("Early April" in text_of(a), "Reviewing Q1 2026" in text_of(a)) for a in agendas] == [
        (False, True),
        (True, True),
    ]


async def test_replaying_a_stale_read_cannot_send_a_reminder_twice(office: SlackTeam) -> None:
    """What a second replica holding an old copy of the row would do: the claim on (meeting, kind, sequence) stops
    it, so only the first round writes posts."""
    meeting = book(office, "2026-03-20 15:00")
    office.at(utc(2026, 3, 19, 14, 0))
    for _ in range(2):
        with office.runtime.db.session() as session:
            session.execute(update(Meeting).where(Meeting.id == meeting.id).values(next_due_at=utc(2026, 3, 13)))  # type: ignore[arg-type]
            remind_due_meetings(session, office.clock, office.clock.now(), base_url="https://t.test")
    assert kinds(office) == ["day"]


async def test_two_schedulers_send_every_reminder_once(office: SlackTeam) -> None:
    """Two replicas with their own connections fire the job at once, on the same slot and as manual runs, over
    many meetings due together."""
    for day in range(20, 30):
        for hour in (9, 11, 14, 16):
            book(office, f"2026-04-{day:02d} {hour}:00", f"M{day}-{hour}")
    other = build_runtime(office.runtime.settings, clock=office.clock)
    job = find_job("meetings")
    assert job is not None
    try:
        for moment in (utc(2026, 4, 14, 6, 0), utc(2026, 4, 20, 15, 0), utc(2026, 4, 29, 15, 0)):
            office.at(moment + timedelta(seconds=30))  # the slot is the minute; each manual run its own moment
            firings = await asyncio.gather(
                fire(office.runtime, job, "replica-a"),
                fire(other, job, "replica-b"),
                run_job_now(office.runtime, "meetings", "replica-a"),
                run_job_now(other, "meetings", "replica-b"),
            )
            assert all(f.error is None for f in firings), firings
            assert sum(f.ran for f in firings[:2]) == 1 and all(f.ran for f in firings[2:])  # one takes the slot
    finally:
        other.db.dispose()
    posts = [row for row in office.outbox() if row.kind in ("meeting_reminder", "meeting_agenda")]
    keys = [row.dedupe_key for row in posts]
    assert len(keys) == len(set(keys))
    assert all([stop.channel for stop in stops(row)] == ["slack:CSALES", "slack:CMKT"] for row in posts)
    with office.runtime.db.session() as session:
        claims = session.exec(select(MeetingReminder.meeting_id, MeetingReminder.kind)).all()
    assert len(claims) == len(set(claims)) and len(keys) == len(claims) and len(claims) >= 30


async def test_managers_are_asked_weekly_to_book_the_next_meeting_outside_quiet_hours(office: SlackTeam) -> None:
    book(office, "2026-03-20 15:00")
    office.at(utc(2026, 3, 20, 15, 0))
    assert office.say("dana", "meeting done TODO: share the list").ok
    [asked] = office.outbox("meeting_book_next")
    assert asked.target_member_id == office.member("dana").id
    await run_at(office, utc(2026, 3, 27, 14, 59))  # not yet a week
    assert office.outbox("meeting_booking") == []
    await run_at(office, utc(2026, 3, 27, 15, 0))  # a week later, 16:00 in Berlin
    await run_at(office, utc(2026, 3, 27, 15, 1), times=2)
    [nag] = office.outbox("meeting_booking")
    assert nag.target_member_id == office.member("dana").id  # the manager; the admin hears only without one
    assert "No sales & marketing meeting is booked for Q2 2026 yet." in from_json(nag.payload).summary
    await run_at(office, utc(2026, 4, 3, 19, 0))  # Friday 21:00 in Berlin: quiet
    assert len(office.outbox("meeting_booking")) == 1
    await run_at(office, utc(2026, 4, 6, 7, 0))  # Monday 09:00 CEST: a new week, told once
    await run_at(office, utc(2026, 4, 6, 7, 30))
    assert len(office.outbox("meeting_booking")) == 2
    assert office.say("dana", "meeting schedule 2026-06-11 15:00 Q2 review").ok
    await run_at(office, utc(2026, 4, 13, 8, 0))
    await run_at(office, utc(2026, 4, 20, 8, 0))
    assert len(office.outbox("meeting_booking")) == 2


async def test_a_cancelled_booking_brings_the_weekly_nag_back(office: SlackTeam) -> None:
    book(office, "2026-03-20 15:00")
    office.at(utc(2026, 3, 20, 15, 0))
    office.say("dana", "meeting done")
    office.say("dana", "meeting schedule 2026-06-11 15:00 Q2 review")
    office.at(utc(2026, 3, 27, 15, 0))
    firing = await office.run("meetings")
    assert "asked 0 managers" in (firing.result or "") and office.outbox("meeting_booking") == []  # Q2 is booked
    office.say("dana", "meeting cancel")
    await run_at(office, utc(2026, 4, 3, 14, 59))
    assert office.outbox("meeting_booking") == []  # looked at again a week later, not sooner
    await run_at(office, utc(2026, 4, 3, 15, 0))
    assert len(office.outbox("meeting_booking")) == 1


def test_the_job_is_listed_and_fires_every_minute(office: SlackTeam) -> None:
    job = find_job("meetings")
    assert job is not None and job.every is not None and "remind" in job.summary
    assert job.schedule(office.runtime.settings) == "every 60 s"


def test_jobs_run_meetings_works_from_the_command_line(sqlite_url: str) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": sqlite_url, "TANDEM_SCHEDULER": "off"}
    ran = runner.invoke(app, ["jobs", "run", "meetings"], env=env)
    assert ran.exit_code == 0, ran.output
    assert ran.output.startswith("meetings: reminded 0, posted 0 agendas, skipped 0 overtaken, 0 too late")
    listed = runner.invoke(app, ["jobs", "list"], env=env)
    assert "meetings" in listed.output and "every 60 s" in listed.output


def _workspaces_meeting_at(team: SlackTeam, count: int, starts_at: datetime, tag: str) -> None:
    """``count`` more workspaces, each with its channels, a rejected lead and a meeting starting at ``starts_at``."""
    with team.runtime.db.session() as session:
        for n in range(count):
            workspace = Workspace(name=f"{tag} {n}", created_at=starts_at - timedelta(days=30))
            session.add(workspace)
            session.flush()
            assert workspace.id is not None
            for key, value in {**CHANNELS, "timezone": "Europe/Berlin"}.items():
                session.add(WorkspaceSetting(workspace_id=workspace.id, key=key, value=value))
            lead = Lead(
                workspace_id=workspace.id,
                number=1,
                company=f"Company {n}",
                status="rejected",
                created_at=starts_at - timedelta(days=6),
            )
            session.add(lead)
            session.flush()
            session.add(
                LeadEvent(
                    workspace_id=workspace.id,
                    lead_id=lead.id,  # type: ignore[arg-type]
                    kind="reject",
                    detail=f"no budget at {tag} {n}",
                    created_at=starts_at - timedelta(days=5),
                )
            )
            session.add(
                Meeting(
                    workspace_id=workspace.id,
                    title=f"{tag} {n} review",
                    starts_at=starts_at,
                    timezone="Europe/Berlin",
                    ics_token=f"{tag}-{n}".ljust(24, "x"),
                    next_due_at=starts_at,
                    created_at=starts_at - timedelta(days=30),
                )
            )


async def test_a_firing_posting_30_agendas_costs_as_many_statements_as_one_posting_3(office: SlackTeam) -> None:
    """The agendas due together are gathered together: each part is one statement for all their workspaces, so
    more agendas cost no more round trips, and each agenda still holds its own workspace's figures."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _many):  # type: ignore[no-untyped-def]
        statements.append(statement)

    async def firing_at(moment: datetime) -> tuple[str | None, int]:
        office.at(moment)
        statements.clear()
        event.listen(office.runtime.db.engine, "before_cursor_execute", count)
        try:
            done = await office.run("meetings")
        finally:
            event.remove(office.runtime.db.engine, "before_cursor_execute", count)
        return done.result, len(statements)

    _workspaces_meeting_at(office, 3, utc(2026, 3, 20, 14, 0), "Three")
    _workspaces_meeting_at(office, 30, utc(2026, 3, 27, 14, 0), "Thirty")
    three, three_statements = await firing_at(utc(2026, 3, 20, 14, 0))
    thirty, thirty_statements = await firing_at(utc(2026, 3, 27, 14, 0))
    assert three is not None and "posted 3 agendas" in three
    assert thirty is not None and "posted 30 agendas" in thirty
    assert abs(thirty_statements - three_statements) <= 2, (three_statements, thirty_statements)
    posted = office.outbox("meeting_agenda")
    assert all(len(stops(row)) == 2 for row in posted)  # one row for both channels
    agendas = [text_of(from_json(row.payload)) for row in posted]
    assert len(agendas) == 33
    for text in agendas:
        [title] = [line for line in text.splitlines() if "Agenda:" in line]
        tag = title.split("Agenda: ", 1)[1].removesuffix(" review")
        assert "Rejections: 1 rejected" in text and f"no budget at {tag}" in text, text


async def test_a_firing_in_small_batches_posts_every_due_agenda_once(office: SlackTeam) -> None:
    """Batches of 3 over 11 meetings: on PostgreSQL two lanes take batches side by side, each its own meetings."""
    _workspaces_meeting_at(office, 11, utc(2026, 3, 20, 14, 0), "Many")
    office.at(utc(2026, 3, 20, 14, 0))
    done = await run_meetings(office.runtime, batch=3)
    assert (done.reminders.agendas, done.reminders.seen) == (11, 11)
    posted = office.outbox("meeting_agenda")
    assert len(posted) == 11 and len({row.workspace_id for row in posted}) == 11
    again = await run_meetings(office.runtime, batch=3)
    assert again.reminders.agendas == 0 and len(office.outbox("meeting_agenda")) == 11
