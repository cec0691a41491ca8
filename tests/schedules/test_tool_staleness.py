"""Tool staleness (SPEC §4): once a month each owner is told which of their tools nobody opened for 180 days, with a
Remove button per tool; running the job again that month sends nothing new. A clock the tests move."""

from __future__ import annotations

from typer.testing import CliRunner

from bot.cli import app
from bot.core.outbox import reply_of
from bot.core.request import Person, Request
from bot.tools.links import Claims
from bot.tools.service import open_link
from storage.models import Tool
from tests.schedules.conftest import PEOPLE, SlackTeam, buttons_of, text_of, utc


def publish(team: SlackTeam, who: str, title: str) -> int:
    reply = team.say(who, f'tool add "{title}" url:https://drive.example.com/{title.lower().replace(" ", "-")}')
    assert reply.ok, text_of(reply)
    with team.runtime.db.session() as session:
        from sqlmodel import select

        return session.exec(select(Tool.id).where(Tool.title == title)).one() or 0


def opened_by(team: SlackTeam, who: str, tool_id: int) -> None:
    member = team.member(who)
    with team.runtime.db.session() as session:
        assert open_link(session, team.clock, tool_id, Claims(member.workspace_id, member.id or 0, tool_id))


async def test_each_owner_hears_once_a_month_of_their_tools_nobody_opened_for_180_days(slack_team: SlackTeam) -> None:
    team = slack_team
    team.at(utc(2025, 8, 1, 10, 0))
    old, loved, forgotten = (publish(team, "mara", t) for t in ("Old deck", "Loved deck", "Forgotten one-pager"))
    danas = publish(team, "dana", "Dana's sheet")
    team.at(utc(2025, 8, 15, 10, 0))
    opened_by(team, "rita", old)  # opened, but more than 180 days before the note
    team.at(utc(2025, 12, 1, 10, 0))
    opened_by(team, "rita", loved)
    team.at(utc(2026, 1, 2, 10, 0))
    publish(team, "mara", "New deck")  # too young to be stale, though nobody opened it
    team.at(utc(2026, 2, 2, 10, 0))
    opened_by(team, "mara", forgotten)  # its owner's own look does not count as use

    team.at(utc(2026, 3, 2, 9, 0))
    done = await team.run("tool_staleness")
    assert done.result == "told 2 owners about 3 stale tools"
    notes = team.outbox("tool_stale")
    assert [note.target_member_id for note in notes] == [team.member("mara").id, team.member("dana").id]
    to_mara = reply_of(notes[0])
    assert text_of(to_mara).startswith("🧹 2 of your tools have not been opened for 180 days:")
    assert "Old deck  T-1\nadded 01 Aug 2025 · last opened 15 Aug 2025" in text_of(to_mara)
    assert "Forgotten one-pager  T-3\nadded 01 Aug 2025 · never opened" in text_of(to_mara)
    assert buttons_of(to_mara) == {"Remove T-1": "tool remove T-1", "Remove T-3": "tool remove T-3"}
    assert buttons_of(reply_of(notes[1])) == {"Remove T-4": "tool remove T-4"}
    assert danas

    team.later(hours=5)
    again = await team.run("tool_staleness")
    assert again.result == "told 0 owners about 0 stale tools" and len(team.outbox("tool_stale")) == 2

    await team.run("delivery")
    [dm] = [p for p in team.posts() if p["channel"] == "D" + PEOPLE["mara"][0]]
    assert "tool remove T-1" in str(dm["blocks"]) and "tool remove T-3" in str(dm["blocks"])

    # Remove pressed on the note: the answer lists what is still stale, with its own button
    user, tz = PEOPLE["mara"]
    pressed = team.runtime.dispatcher.handle(
        Request(
            person=Person("slack", user, "Mara", "mara@acme.test", tz),
            team_id=team.team_id,
            text="tool remove T-1",
            source_message=notes[0].id,
        )
    )
    assert pressed.ok and "Removed T-1 Old deck" in text_of(pressed)
    assert "Still unopened for 180 days:" in text_of(pressed)
    assert buttons_of(pressed) == {"Remove T-3": "tool remove T-3"}
    assert buttons_of(team.say("mara", "tool remove T-3")) == {}  # typed, not pressed: a plain answer

    team.at(utc(2026, 4, 1, 9, 0))
    next_month = await team.run("tool_staleness")
    assert next_month.result == "told 1 owner about 1 stale tool"  # Dana's sheet; Mara removed hers
    assert text_of(reply_of(team.outbox("tool_stale")[-1])).startswith("🧹 1 of your tools has not been opened")


async def test_an_owner_with_many_stale_tools_gets_one_note_that_fits_a_message(slack_team: SlackTeam) -> None:
    team = slack_team
    team.at(utc(2025, 1, 6, 10, 0))
    for n in range(15):
        publish(team, "mara", f"Sheet {n:02d}")
    team.at(utc(2026, 1, 5, 9, 0))
    await team.run("tool_staleness")
    [note] = team.outbox("tool_stale")
    shown = reply_of(note)
    assert len(buttons_of(shown)) == 12 and "…and 3 more" in text_of(shown)
    assert len(shown.blocks) <= 50
    await team.run("delivery")
    assert [p for p in team.posts() if p["channel"] == "D" + PEOPLE["mara"][0]]


def test_jobs_run_tool_staleness_works_from_the_command_line(sqlite_url: str) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": sqlite_url, "TANDEM_SCHEDULER": "off"}
    ran = runner.invoke(app, ["jobs", "run", "tool_staleness"], env=env)
    assert ran.exit_code == 0, ran.output
    assert ran.output.startswith("tool_staleness: told 0 owners about 0 stale tools")
    listed = runner.invoke(app, ["jobs", "list"], env=env)
    assert "tool_staleness" in listed.output and "daily at 09:00 UTC" in listed.output
