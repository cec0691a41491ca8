"""The quarterly meeting through dispatch (SPEC §3 "meeting"): a manager books it in the workspace's time zone, both
channels hear of it, anyone sees the next one and its agenda, it is moved, cancelled and closed with notes, and the
organiser is asked to book the next one; refusals name what is wrong. On every database backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.replies import Chart, Link, Reply, When, from_json
from bot.core.stops import stops
from schedules.registry import run_job_now
from storage.models import Campaign, Meeting, Member, Outbox
from tests.bot.conftest import Team, buttons_of, text_of


@pytest.fixture
def office(team: Team) -> Team:
    """Mara (admin) set the channels and the zone; Dana is the manager, Rita and Sam are reps."""
    for setting in ("sales_channel #sales", "marketing_channel #marketing", "timezone Europe/Berlin"):
        assert team.say("mara", f"tandem settings {setting}").ok
    return team


def clock_of(team: Team) -> FakeClock:
    clock = team.runtime.clock
    assert isinstance(clock, FakeClock)
    return clock


def meetings(team: Team) -> list[Meeting]:
    with team.runtime.db.session() as session:
        return list(session.exec(select(Meeting).order_by(Meeting.id)).all())  # type: ignore[arg-type]


def posts(team: Team, kind: str | None = None) -> list[Outbox]:
    with team.runtime.db.session() as session:
        rows = session.exec(
            select(Outbox).where(Outbox.target_channel.is_not(None)).order_by(Outbox.id)  # type: ignore[union-attr]
        ).all()
    return [row for row in rows if kind is None or row.kind == kind]


def whens(reply: Reply) -> list[When]:
    return [span for block in reply.blocks for span in getattr(block, "text", ()) if isinstance(span, When)]


def ics_link(reply: Reply) -> str:
    [url] = [
        span.url
        for block in reply.blocks
        for span in getattr(block, "text", ())
        if isinstance(span, Link) and ".ics" in span.url
    ]
    return url


def test_manager_books_the_meeting_in_the_workspace_zone_and_both_channels_hear(office: Team) -> None:
    reply = office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    assert reply.ok, text_of(reply)
    text = text_of(reply)
    assert "✅ Booked." in text and "Q1 review" in text and "Fri 20 Mar 2026, 15:00 CET" in text
    assert "Announced in the sales channel and the marketing channel." in text
    assert "7 days, 1 day and 1 hour before" in text
    [moment] = whens(reply)
    assert moment.at == datetime(2026, 3, 20, 14, 0, tzinfo=UTC)  # 15:00 in Berlin is 14:00 UTC in March
    [meeting] = meetings(office)
    assert (meeting.title, meeting.timezone, meeting.status, meeting.sequence) == (
        "Q1 review",
        "Europe/Berlin",
        "scheduled",
        0,
    )
    assert meeting.starts_at == moment.at and meeting.organiser_id == office.member("dana").id
    assert len(meeting.ics_token) >= 22 and ics_link(reply).endswith(f"/meetings/{meeting.ics_token}.ics")
    announced = posts(office, "meeting_booked")
    assert [row.target_channel for row in announced] == ["playground:#sales", "playground:#marketing"]
    post = from_json(announced[0].payload)
    assert post.visibility == "in_channel" and whens(post)[0].at == moment.at and ".ics" in ics_link(post)
    assert buttons_of(post) == {"Agenda": "meeting agenda"}


def test_a_meeting_without_a_title_is_named_after_its_quarter(office: Team) -> None:
    assert "Q2 2026 sales & marketing meeting" in office.text("dana", "meeting schedule 2026-06-11 15:00")


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ("2026-03-01 10:00", "Sun 1 Mar 2026, 10:00 CET has already passed; pick a time in the future."),
        ("2026-02-30 10:00", "2026-02-30 is not a day in the calendar."),
        ("2026-03-12 25:00", "`25:00` is not a time of day; write it in 24-hour form, like 15:00."),
        ("2026-03-12", "The time of day is missing"),
        ("next thursday", "`next` is not a day; write it as YYYY-MM-DD"),
        ("2029-03-12 10:00", "more than two years away"),
        (
            "2026-03-29 02:30",
            "2026-03-29 02:30 does not exist in Europe/Berlin: the clocks go forward that night, so pick another "
            "time, like 03:30.",
        ),
    ],
)
def test_a_time_that_cannot_be_booked_is_refused_with_the_reason(office: Team, when: str, reason: str) -> None:
    reply = office.say("dana", f"meeting schedule {when}")
    assert not reply.ok and reason in text_of(reply), text_of(reply)
    assert "Usage: meeting schedule <YYYY-MM-DD HH:MM> [title]" in text_of(reply)
    assert meetings(office) == [] and posts(office) == []


def test_a_second_meeting_at_the_same_time_is_refused_naming_the_first(office: Team) -> None:
    assert office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review").ok
    again = office.say("mara", "meeting schedule 2026-03-20T15:00 Another one")
    assert not again.ok and "“Q1 review” is already booked for Fri 20 Mar 2026, 15:00 CET" in text_of(again)
    assert office.say("mara", "meeting schedule 2026-03-20 16:00 Another one").ok  # an hour later is fine


def test_an_ambiguous_fall_back_time_takes_the_first_and_says_so(office: Team) -> None:
    reply = office.say("dana", "meeting schedule 2026-10-25 02:30")
    assert reply.ok
    assert "02:30 happens twice that night in Europe/Berlin (the clocks go back); I took the first" in text_of(reply)
    assert "That is a Sunday" in text_of(reply)
    assert meetings(office)[0].starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


def test_only_managers_book_move_cancel_and_close_and_anyone_reads(office: Team) -> None:
    for command in ("meeting schedule 2026-03-20 15:00", "meeting move 2026-03-21 15:00", "meeting cancel"):
        refused = office.say("rita", command)
        assert not refused.ok and "needs the manager role; you are a rep" in text_of(refused), command
    assert "needs the manager role" in office.text("sam", "meeting done")
    assert office.say("dana", "meeting schedule 2026-03-20 15:00").ok
    assert office.say("rita", "meeting next").ok and office.say("sam", "meeting agenda").ok


def test_everyone_sees_the_next_meeting_with_its_calendar_file(office: Team) -> None:
    empty = office.say("rita", "meeting next")
    assert "No meeting is booked." in text_of(empty) and "[Book" not in text_of(empty)
    assert "Book the meeting" in buttons_of(office.say("dana", "meeting next"))
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    office.say("dana", "meeting schedule 2026-06-11 15:00 Q2 review")
    reply = office.say("rita", "meeting next")
    text = text_of(reply)
    assert "📅 Next: Q1 review" in text and "Starts in 10 days." in text and "organised by @Dana" in text
    assert "Also booked: Q2 review" in text
    assert ics_link(reply).endswith(f"{meetings(office)[0].ics_token}.ics")
    clock_of(office).set(datetime(2026, 3, 20, 14, 30, tzinfo=UTC))
    assert "🟢 Happening now: Q1 review" in office.text("rita", "meeting next")


def test_a_moved_meeting_raises_its_sequence_and_tells_both_channels(office: Team) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    reply = office.say("dana", "meeting move 2026-03-24 11:00")
    assert reply.ok, text_of(reply)
    assert "🔁 Moved." in text_of(reply) and "Tue 24 Mar 2026, 11:00 CET" in text_of(reply)
    assert "Was Fri 20 Mar 2026, 15:00 CET." in text_of(reply)
    [meeting] = meetings(office)
    assert meeting.sequence == 1 and meeting.starts_at == datetime(2026, 3, 24, 10, 0, tzinfo=UTC)
    assert [row.target_channel for row in posts(office, "meeting_moved")] == [
        "playground:#sales",
        "playground:#marketing",
    ]
    assert "That is when it already is" in office.text("dana", "meeting move 2026-03-24 11:00")
    assert "has already passed" in office.text("dana", "meeting move 2026-03-01 11:00")
    assert "takes the new day and time only" in office.text("dana", "meeting move 2026-03-25 11:00 New title")


def test_with_two_booked_date_picks_which_one_moves_or_is_cancelled(office: Team) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    office.say("dana", "meeting schedule 2026-06-11 15:00 Q2 review")
    assert office.say("dana", "meeting move 2026-06-18 15:00 date:2026-06-11").ok
    assert "No meeting is booked on 2026-06-12" in office.text("dana", "meeting cancel date:2026-06-12")
    assert "`date:` takes" in office.text("dana", "meeting cancel date:junetwelfth")
    first, second = meetings(office)
    assert first.starts_at.day == 20 and second.starts_at == datetime(2026, 6, 18, 13, 0, tzinfo=UTC)
    assert office.say("dana", "meeting cancel date:2026-06-18").ok
    assert [m.status for m in meetings(office)] == ["scheduled", "cancelled"]


def test_a_cancelled_meeting_is_announced_and_no_longer_next(office: Team) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    reply = office.say("dana", "meeting cancel")
    assert reply.ok and "🚫 Cancelled Q1 review" in text_of(reply)
    assert "Book another" in buttons_of(reply)
    [meeting] = meetings(office)
    assert (meeting.status, meeting.sequence, meeting.next_due_at) == ("cancelled", 1, None)
    [sales, marketing] = posts(office, "meeting_cancelled")
    assert "is cancelled" in from_json(sales.payload).summary and marketing.target_channel == "playground:#marketing"
    assert "No meeting is booked." in office.text("rita", "meeting next")
    assert "No meeting is booked" in office.text("dana", "meeting cancel")


def test_done_keeps_the_notes_and_asks_the_organiser_to_book_the_next_quarter(office: Team) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    early = office.say("dana", "meeting done")
    assert not early.ok and "“Q1 review” begins Fri 20 Mar 2026, 15:00 CET" in text_of(early)
    clock_of(office).set(datetime(2026, 3, 20, 15, 5, tzinfo=UTC))
    reply = office.say(
        "mara", "meeting done Good quarter. TODO: Maya shares the webinar list action: Rita books Globex - [x] done"
    )
    assert reply.ok, text_of(reply)
    text = text_of(reply)
    assert "✅ Recorded Q1 review as held." in text
    assert "Open items for next time: Maya shares the webinar list; Rita books Globex" in text
    assert "Book Q2 2026's meeting now" in text and "The organiser has a DM with the same button." in text
    assert buttons_of(reply)["Book next quarter"] == "meeting schedule"
    [meeting] = meetings(office)
    assert meeting.status == "done" and meeting.notes is not None and meeting.notes.startswith("Good quarter.")
    assert meeting.booking_nag_due_at == datetime(2026, 3, 27, 15, 5, tzinfo=UTC)
    [dm] = [row for row in office.inbox("dana") if row.kind == "meeting_book_next"]
    asked = from_json(dm.payload)
    [button] = [b for block in asked.blocks for b in getattr(block, "buttons", ())]
    assert button.command == "meeting schedule" and button.prompt and "2026-06-11 15:00" in button.prompt
    shown = office.text("rita", "meeting next")
    assert "Last meeting: Q1 review" in shown and "Good quarter." in shown
    assert "Open items:\n☐ Maya shares the webinar list\n☐ Rita books Globex" in shown
    assert "No meeting has begun" in office.text("dana", "meeting done")


def test_done_with_the_next_meeting_already_booked_asks_nobody(office: Team) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    clock_of(office).set(datetime(2026, 3, 20, 14, 50, tzinfo=UTC))
    office.say("dana", "meeting schedule 2026-06-11 15:00 Q2 review")  # booked during the meeting, as it should be
    reply = office.say("dana", "meeting done")
    assert "Next one: Q2 review" in text_of(reply) and "Book next quarter" not in buttons_of(reply)
    assert not [row for row in office.inbox("dana") if row.kind == "meeting_book_next"]


def test_notes_on_several_lines_keep_their_lines_and_over_long_notes_are_refused(office: Team) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00")
    clock_of(office).set(datetime(2026, 3, 20, 15, 0, tzinfo=UTC))
    too_long = office.say("dana", "meeting done " + "x" * 4001)
    assert not too_long.ok and "4,001 characters long; the limit is 4,000" in text_of(too_long)
    notes = "Decisions:\n- [ ] Maya: budget question on the form\n- [ ] Leo: attendee list\nTODO check SLAs"
    assert office.say("dana", "meeting done " + notes).ok
    assert meetings(office)[0].notes == notes
    assert "☐ Maya: budget question on the form\n☐ Leo: attendee list\n☐ check SLAs" in office.text(
        "rita", "meeting next"
    )


def test_the_agenda_is_built_from_the_quarters_figures(office: Team) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    with office.runtime.db.session() as session:
        workspace_id = office.member("mara").workspace_id
        session.add(
            Campaign(
                workspace_id=workspace_id, number=1, name="Spring Webinar", target=10, created_at=clock_of(office).now()
            )
        )
    assert office.say("mara", 'lead handoff Acme to:@rita campaign:"Spring Webinar"').ok
    assert office.say("mara", 'lead handoff Globex to:@rita campaign:"Spring Webinar"').ok
    assert office.say("mara", "lead handoff Initech to:@sam").ok
    assert office.say("rita", "lead accept L-1").ok and office.say("rita", "lead touch L-1 call").ok
    assert office.say("rita", "lead feedback L-1 4 great-fit").ok
    assert office.say("sam", "lead reject L-3 No budget this year, a student project").ok
    assert office.say("rita", "lead lost L-1 price competitor").ok
    clock_of(office).advance(timedelta(hours=6))  # L-2 waits past the 4-hour SLA
    reply = office.say("sam", "meeting agenda")
    text = text_of(reply)
    assert "📋 Agenda: Q1 review" in text and "Reviewing Q1 2026" in text
    assert "This is the first meeting Tandem knows of." in text
    assert "1 rating this quarter (Jan 0, Feb 0, Mar 1)." in text
    [trend] = [block for block in reply.blocks if isinstance(block, Chart)]
    assert trend.shape == "line" and trend.series[0].points == (("Jan", None), ("Feb", None), ("Mar", 4.0))
    assert "Rejections: 1 rejected — most named: no-budget 1, student 1" in text
    assert "Losses: 1 lost — price 1, competitor 1" in text
    assert "Unworked: 1 not accepted or not yet touched" in text and "Overdue: 1 past their SLA (Rita 1)" in text
    assert "Spring Webinar: 2 of 10 leads (20%) · 1 accepted" in text
    assert "Competitive intel" not in text and "Pulse survey" not in text  # none filed, none asked: left out


async def test_the_agenda_carries_the_quarters_intel_and_pulse_survey_without_names(office: Team) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    assert office.say("rita", "intel Globex cut list prices by 20%").ok
    assert office.say("sam", "intel globex offers free onboarding").ok
    assert office.say("sam", "intel Initech ships an AI assistant").ok
    firing = await run_job_now(office.runtime, "survey")
    assert firing.ran and not firing.error, firing
    assert office.say("rita", "tandem survey answer 4 quarter:2026-Q1").ok
    assert office.say("rita", 'tandem survey comment quarter:2026-Q1 "more battlecards please"').ok
    text = office.text("dana", "meeting agenda")
    assert "Competitive intel: 3 notes from sales — most about Globex 2, Initech 1" in text
    assert "Pulse survey 2026-Q1: — from 1 of 2 reps" in text  # one answer is too few to show a score
    assert "Rita" not in text.split("Pulse survey", 1)[1].split("\n")[0]


async def test_agendas_posted_in_the_same_minute_each_carry_only_their_own_workspaces_figures(office: Team) -> None:
    """The job gathers every agenda due in a firing together (one statement per part for all the workspaces):
    each workspace's posts still hold its own figures and nothing of the other's."""
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    assert office.say("mara", "lead handoff Initech to:@sam").ok
    assert office.say("sam", "lead reject L-1 No budget this year").ok
    assert office.say("rita", "intel Globex cut list prices by 20%").ok
    other = Team(office.runtime, team_id="T-OTHER")
    other.say("zoe", "lead list")
    with office.runtime.db.session() as session:
        zoe = session.get(Member, other.member("zoe").id)
        assert zoe is not None
        zoe.role = "admin"
        session.add(zoe)
    for setting in ("sales_channel #o-sales", "marketing_channel #o-marketing", "timezone Europe/Berlin"):
        assert other.say("zoe", f"tandem settings {setting}").ok
    other.say("yan", "lead list")
    assert other.say("zoe", "tandem role yan@t-other.test manager").ok
    assert other.say("yan", "meeting schedule 2026-03-20 15:00 Other review").ok
    clock_of(office).set(datetime(2026, 3, 20, 14, 0, tzinfo=UTC))
    firing = await run_job_now(office.runtime, "meetings")
    assert firing.result is not None and "posted 2 agendas" in firing.result
    agendas = {
        stop.channel: text_of(from_json(row.payload)) for row in posts(office, "meeting_agenda") for stop in stops(row)
    }
    assert set(agendas) == {
        "playground:#sales",
        "playground:#marketing",
        "playground:#o-sales",
        "playground:#o-marketing",
    }
    ours, theirs = agendas["playground:#sales"], agendas["playground:#o-sales"]
    assert "Agenda: Q1 review" in ours and "Rejections: 1 rejected" in ours and "Competitive intel: 1 note" in ours
    assert "Agenda: Other review" in theirs and "Q1 review" not in theirs
    assert "Rejections: 1" not in theirs and "Competitive intel" not in theirs and "Globex" not in theirs


def test_the_agenda_carries_the_last_meetings_open_items(office: Team) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    clock_of(office).set(datetime(2026, 3, 20, 15, 0, tzinfo=UTC))
    office.say("dana", "meeting done TODO: Maya fixes the form")
    office.say("dana", "meeting schedule 2026-06-11 15:00 Q2 review")
    text = office.text("rita", "meeting agenda")
    assert "📋 Agenda: Q2 review" in text and "Reviewing Q2 2026" in text and "☐ Maya fixes the form" in text


def test_hostile_titles_stay_text_and_long_ones_are_refused(office: Team) -> None:
    reply = office.say("dana", 'meeting schedule 2026-03-20 15:00 "<!channel> <b>review</b>"')
    assert reply.ok and meetings(office)[0].title == "<!channel> <b>review</b>"
    long = office.say("dana", "meeting schedule 2026-03-21 15:00 " + "x" * 201)
    assert not long.ok and "201 characters long; the limit is 200" in text_of(long)


def test_another_workspace_sees_none_of_it(office: Team) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    other = Team(office.runtime, team_id="T-OTHER")
    other.say("zoe", "lead list")
    assert "No meeting is booked." in other.text("zoe", "meeting next")
    assert "Q1 review" not in other.text("zoe", "meeting agenda")


def test_without_channels_the_organiser_is_told_how_to_set_them(team: Team) -> None:
    reply = team.say("dana", "meeting schedule 2026-03-20 15:00")
    assert reply.ok and "Not announced anywhere yet: set `tandem settings sales_channel #sales`" in text_of(reply)
    assert posts(team) == []


def test_meeting_alone_and_meeting_help_list_the_commands(office: Team) -> None:
    for asked in ("meeting", "meeting help", "help meeting"):
        text = office.text("rita", asked)
        assert "meeting schedule <YYYY-MM-DD HH:MM> [title]" in text and "meeting cancel" in text, asked
    assert "Did you mean `meeting next`" in office.text("rita", "meeting nxt")
    assert meetings(office) == [] and not [row for row in posts(office)]
