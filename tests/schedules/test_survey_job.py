"""The pulse-survey job (SPEC §4) on a clock the tests move: the question at 09:00 on the quarter's first working
day in the workspace's zone (a quarter starting on a Saturday waits for Monday; DST moves 09:00 in UTC), one
reminder on the third working day to reps who have not answered — also when the server was down over it — and the
closed quarter's result to marketing, once. Two schedulers against one database send every message once."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from adapters.slack.clients import TokenBook
from adapters.slack.sender import SlackSender
from bot.admin.settings import set_setting
from bot.cli import app
from bot.core.clock import FakeClock
from bot.core.outbox import reply_of
from bot.core.people import find_workspace
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.server import build_runtime
from schedules.registry import JOBS, Firing, fire, run_job_now
from storage.models import Member, Outbox, SurveyAsk, WorkspaceSetting
from tests.adapters.slack.fake_slack import FakeSlack
from tests.schedules.conftest import buttons_of, text_of, utc

CAST = {  # who: (Slack user id, role)
    "maya": ("UMAYA", "marketer"),
    "rita": ("URITA", "rep"),
    "sam": ("USAM", "rep"),
    "jo": ("UJO", "rep"),
    "dana": ("UDANA", "manager"),
}
JOB = next(job for job in JOBS if job.name == "survey")


@dataclass
class Office:
    """A Slack workspace in one time zone: a marketer, three reps and a manager."""

    runtime: Runtime
    clock: FakeClock

    def say(self, who: str, text: str, *, card: int | None = None) -> str:
        user = CAST[who][0] if who in CAST else who
        reply = self.runtime.dispatcher.handle(
            Request(person=Person("slack", user, who.capitalize()), team_id="T1", text=text, source_message=card)
        )
        return text_of(reply)

    @property
    def workspace_id(self) -> int:
        with self.runtime.db.session() as s:
            ws = find_workspace(s, "slack", "T1")
            assert ws is not None and ws.id is not None
            return ws.id

    def set(self, key: str, value: str) -> None:
        workspace = self.workspace_id
        with self.runtime.db.session() as s:
            if key.endswith("_channel"):
                s.merge(WorkspaceSetting(workspace_id=workspace, key=key, value=value))
            else:
                set_setting(s, workspace, key, value)

    def outbox(self, kind: str) -> list[Outbox]:
        with self.runtime.db.session() as s:
            return list(s.exec(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id)).all())  # type: ignore[arg-type]

    def to(self, kind: str) -> list[str]:
        """Who got a message of ``kind``, by name, in order."""
        with self.runtime.db.session() as s:
            names = {m.id: m.display_name.lower() for m in s.exec(select(Member)).all()}
        return [names.get(row.target_member_id or 0, row.target_channel or "?") for row in self.outbox(kind)]

    async def hour(self, moment: datetime) -> Firing:
        """The scheduled firing of the hour ``moment`` is in, as the scheduler fires it."""
        self.clock.set(moment)
        return await fire(self.runtime, JOB, "replica-test")

    async def every_hour(self, start: datetime, end: datetime) -> list[str]:
        """Every hourly firing from ``start`` to ``end``; the results of those that did something."""
        done = []
        moment = start
        while moment <= end:
            firing = await self.hour(moment)
            assert firing.ran and not firing.error, firing
            if firing.result and not firing.result.startswith("asked 0 reps, reminded 0, sent 0"):
                done.append(f"{moment:%a %d %H:%M}: {firing.result}")
            moment += timedelta(hours=1)
        return done


def office_in(runtime: Runtime, clock: FakeClock, zone: str) -> Office:
    office = Office(runtime, clock)
    for who in CAST:
        office.say(who, "lead list mine")
    with runtime.db.session() as s:
        for member in s.exec(select(Member)).all():
            member.role = CAST[member.display_name.lower()][1]
            s.add(member)
    office.set("timezone", zone)
    return office


@pytest.fixture
def office(runtime: Runtime, clock: FakeClock) -> Office:
    return office_in(runtime, clock, "America/New_York")


async def test_reps_are_asked_at_nine_on_the_first_working_day_in_the_workspaces_zone(office: Office) -> None:
    # Q3 2026 starts on Wednesday 1 July; 09:00 in New York (EDT, UTC-4) is 13:00 UTC.
    done = await office.every_hour(utc(2026, 7, 1, 4, 0), utc(2026, 7, 1, 16, 0))  # from midnight there
    assert done == ["Wed 01 13:00: asked 3 reps, reminded 0, sent 0 results (1 workspace with the survey on)"]
    assert office.to("survey_question") == ["rita", "sam", "jo"]
    card = reply_of(office.outbox("survey_question")[0])
    assert "Pulse survey · Q3 2026" in text_of(card)
    assert buttons_of(card)["4"] == "tandem survey answer 4 quarter:2026-Q3"
    assert await office.every_hour(utc(2026, 7, 1, 17, 0), utc(2026, 7, 2, 23, 0)) == []  # asked once


async def test_a_quarter_starting_on_a_saturday_asks_on_monday_and_reminds_on_wednesday(office: Office) -> None:
    # 1 January 2028 is a Saturday: working days 1–3 are Mon 3, Tue 4 and Wed 5 January (EST, UTC-5).
    done = await office.every_hour(utc(2028, 1, 1, 5, 0), utc(2028, 1, 5, 23, 0))
    assert done == [
        "Mon 03 14:00: asked 3 reps, reminded 0, sent 0 results (1 workspace with the survey on)",
        "Wed 05 14:00: asked 0 reps, reminded 3, sent 0 results (1 workspace with the survey on)",
    ]


async def test_nine_oclock_follows_daylight_saving_time(runtime: Runtime, clock: FakeClock) -> None:
    office = office_in(runtime, clock, "Europe/Berlin")
    # 1 April 2026 (Wednesday): Berlin is on summer time (UTC+2), so 09:00 there is 07:00 UTC, not 08:00.
    assert await office.every_hour(utc(2026, 4, 1, 5, 0), utc(2026, 4, 1, 7, 59)) == [
        "Wed 01 07:00: asked 3 reps, reminded 0, sent 0 results (1 workspace with the survey on)"
    ]
    # 1 October 2026 is still summer time; 1 January 2027 (Friday) is winter time, UTC+1: 08:00 UTC.
    assert (await office.hour(utc(2027, 1, 1, 7, 0))).result == (
        "asked 0 reps, reminded 0, sent 0 results (1 workspace with the survey on)"
    )
    assert (await office.hour(utc(2027, 1, 1, 8, 0))).result == (
        "asked 3 reps, reminded 0, sent 0 results (1 workspace with the survey on)"
    )


async def test_the_reminder_on_the_third_working_day_goes_once_to_reps_who_have_not_answered(office: Office) -> None:
    await office.hour(utc(2026, 7, 1, 13, 0))  # Wed 1 July, 09:00 New York: asked
    office.clock.set(utc(2026, 7, 2, 15, 0))
    assert "you answered 4" in office.say("rita", "tandem survey answer 4")
    office.say("jo", "tandem survey comment quarter:2026-Q3 Leads from the webinar were great")  # no score yet
    done = await office.every_hour(utc(2026, 7, 2, 16, 0), utc(2026, 7, 3, 14, 0))
    # Working day 3 is Friday 3 July: 09:00 EDT = 13:00 UTC. Jo left a comment but no score: reminded.
    assert done == ["Fri 03 13:00: asked 0 reps, reminded 2, sent 0 results (1 workspace with the survey on)"]
    office.say("newbie", "lead list")  # a rep who joins after the reminder: asked at the next firing, not reminded
    done = await office.every_hour(utc(2026, 7, 3, 15, 0), utc(2026, 7, 8, 20, 0))
    assert done == ["Fri 03 15:00: asked 1 rep, reminded 0, sent 0 results (1 workspace with the survey on)"]
    assert office.to("survey_reminder") == ["sam", "jo"]
    reminder = reply_of(office.outbox("survey_reminder")[0])
    assert text_of(reminder).startswith("⏰ A reminder — the Q3 2026 pulse survey is still open.")
    assert set(buttons_of(reminder)) == {"1", "2", "3", "4", "5", "Add a comment"}


async def test_a_server_down_over_the_reminder_sends_it_once_when_it_returns(office: Office) -> None:
    await office.hour(utc(2026, 7, 1, 13, 0))
    office.clock.set(utc(2026, 7, 1, 14, 0))
    office.say("sam", "tandem survey answer 2")
    # down from Thursday 2 July until Wednesday 8 July, 20:00 New York time: after working hours, so it waits
    # for Thursday 09:00 there, and then reminds each rep who has not answered once — not once per missed hour
    done = await office.every_hour(utc(2026, 7, 9, 0, 0), utc(2026, 7, 10, 20, 0))
    assert done == ["Thu 09 13:00: asked 0 reps, reminded 2, sent 0 results (1 workspace with the survey on)"]
    assert Counter(office.to("survey_reminder")) == Counter({"rita": 1, "jo": 1})


async def test_a_server_down_over_both_days_asks_when_it_returns_without_a_reminder_on_its_heels(
    office: Office,
) -> None:
    done = await office.every_hour(utc(2026, 7, 7, 13, 0), utc(2026, 7, 9, 20, 0))  # back on Tuesday 7 July
    assert done == ["Tue 07 13:00: asked 3 reps, reminded 0, sent 0 results (1 workspace with the survey on)"]
    assert office.outbox("survey_reminder") == []


async def test_when_a_quarter_closes_marketing_gets_its_result_once(office: Office) -> None:
    await office.hour(utc(2026, 7, 1, 13, 0))
    office.clock.set(utc(2026, 7, 2, 14, 0))
    for who, said in (("rita", "4 webinar leads were qualified"), ("sam", "3"), ("jo", "5 <!channel> more please")):
        office.say(who, f"tandem survey answer {said}")
    # Q4 begins on Thursday 1 October 2026; its question and Q3's result go out at 09:00 New York (13:00 UTC)
    done = await office.every_hour(utc(2026, 9, 30, 20, 0), utc(2026, 10, 1, 18, 0))
    assert done == ["Thu 01 13:00: asked 3 reps, reminded 0, sent 1 result (1 workspace with the survey on)"]
    [result] = office.outbox("survey_result")
    assert office.to("survey_result") == ["maya"]
    shown = text_of(reply_of(result))
    assert shown.startswith(
        "🏁 The Q3 2026 pulse survey has closed: sales rated marketing's help 4.0 / 5, from 3 of 3 reps (100%)."
    )
    assert "Average: 4.0 / 5 | Answered: 3 of 3 reps (100%)" in shown
    assert "“webinar leads were qualified”" in shown and "“<!channel> more please”" in shown
    assert "Rita" not in shown and "Jo " not in shown
    assert await office.every_hour(utc(2026, 10, 2, 9, 0), utc(2026, 10, 2, 20, 0)) == []
    run = await run_job_now(office.runtime, "survey")
    assert run.result == "asked 0 reps, reminded 0, sent 0 results (1 workspace with the survey on)"
    assert len(office.outbox("survey_result")) == 1

    # a late click on the Q3 card is refused and changes nothing
    q3_card = office.outbox("survey_question")[0]
    late = office.say("rita", "tandem survey answer 1 quarter:2026-Q3", card=q3_card.id)
    assert "That question was for Q3 2026, which closed on 30 September 2026" in late


async def test_without_marketers_the_result_goes_to_the_marketing_channel(office: Office) -> None:
    with office.runtime.db.session() as s:
        maya = s.exec(select(Member).where(Member.display_name == "Maya")).one()
        maya.role = "manager"
        s.add(maya)
    office.set("marketing_channel", "slack:CMKT")
    await office.hour(utc(2026, 7, 1, 13, 0))
    office.clock.set(utc(2026, 7, 2, 14, 0))
    office.say("rita", "tandem survey answer 2")
    await office.hour(utc(2026, 10, 1, 13, 0))
    [post] = office.outbox("survey_result")
    assert post.target_channel == "slack:CMKT"
    assert "Not enough answers: 1 of 3 reps (33%) answered." in text_of(reply_of(post))


async def test_jobs_run_survey_asks_now_whatever_the_date_and_running_twice_sends_nothing_new(
    office: Office,
) -> None:
    office.clock.set(utc(2026, 8, 15, 3, 0))  # a Saturday night in August
    assert (await office.hour(utc(2026, 8, 15, 3, 0))).result == (
        "asked 0 reps, reminded 0, sent 0 results (1 workspace with the survey on)"
    )
    first = await run_job_now(office.runtime, "survey")
    assert first.result == "asked 3 reps, reminded 0, sent 0 results (1 workspace with the survey on)"
    again = await run_job_now(office.runtime, "survey")
    assert again.result == "asked 0 reps, reminded 0, sent 0 results (1 workspace with the survey on)"
    assert office.to("survey_question") == ["rita", "sam", "jo"]
    office.set("survey", "off")
    off = await run_job_now(office.runtime, "survey")
    assert off.result == "asked 0 reps, reminded 0, sent 0 results (0 workspaces with the survey on)"


async def test_two_schedulers_against_one_database_send_each_rep_one_question(
    runtime: Runtime, clock: FakeClock
) -> None:
    office = office_in(runtime, clock, "UTC")
    for n in range(40):
        office.say(f"UREP{n:02d}", "lead list")  # more reps (role rep by default), to make the runs overlap
    fake = FakeSlack().start()
    others: list[Runtime] = []
    try:
        settings = runtime.settings.model_copy(update={"slack_api_url": fake.api_url, "slack_bot_token": "xoxb-t"})
        replicas = [runtime, *(build_runtime(settings, clock=clock) for _ in range(1))]
        others = replicas[1:]
        for replica in replicas:
            replica.add_sender(SlackSender(TokenBook(settings)))
        clock.set(utc(2026, 7, 1, 9, 0))  # Wednesday, the first working day: two manual runs at once
        manual = await asyncio.gather(*(run_job_now(rt, "survey") for rt in replicas))
        assert all(firing.ran and not firing.error for firing in manual)
        assert sum(int((firing.result or "").split()[1]) for firing in manual) == 43  # "asked <n> reps"
        clock.set(utc(2026, 7, 1, 10, 0))  # both schedulers fire the same slot: one lease, nothing new
        scheduled = await asyncio.gather(*(fire(rt, JOB, f"replica-{i}") for i, rt in enumerate(replicas)))
        assert sum(firing.ran for firing in scheduled) == 1
        assert [f.result for f in scheduled if f.ran] == [
            "asked 0 reps, reminded 0, sent 0 results (1 workspace with the survey on)"
        ]
        clock.set(utc(2026, 7, 3, 10, 0))  # working day 3: both fire the reminder slot, and two manual runs too
        reminded = await asyncio.gather(
            *(fire(rt, JOB, f"replica-{i}") for i, rt in enumerate(replicas)),
            *(run_job_now(rt, "survey") for rt in replicas),
        )
        assert sum(int((f.result or "").split("reminded ")[1].split(",")[0]) for f in reminded if f.ran) == 43
        for _ in range(5):
            await asyncio.gather(*(run_job_now(rt, "delivery") for rt in replicas))
    finally:
        for rt in others:
            rt.db.dispose()
        posts = [call.params for call in fake.calls_to("chat.postMessage")]
        fake.stop()
    with runtime.db.session() as s:
        assert len(s.exec(select(SurveyAsk)).all()) == 43
    questions = Counter(p["channel"] for p in posts if "Pulse survey" in str(p.get("blocks")))
    reminders = Counter(p["channel"] for p in posts if "A reminder" in str(p.get("blocks")))
    assert len(questions) == 43 and set(questions.values()) == {1}
    assert len(reminders) == 43 and set(reminders.values()) == {1}


def test_jobs_run_survey_works_from_the_command_line(sqlite_url: str) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": sqlite_url, "TANDEM_SCHEDULER": "off"}
    ran = runner.invoke(app, ["jobs", "run", "survey"], env=env)
    assert ran.exit_code == 0, ran.output
    assert ran.output.startswith("survey: asked 0 reps, reminded 0, sent 0 results (0 workspaces")
    listed = runner.invoke(app, ["jobs", "list"], env=env)
    assert "survey" in listed.output and "every 60 min" in listed.output
