"""The pulse survey (SPEC §4), as people live it: every rep is asked once a quarter with 1–5 buttons and a comment,
a new click replaces the answer and says so, results are averages and counts without names (nothing but counts
under three answers), and only the people it concerns can do what they may. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import inspect
from sqlmodel import select

from bot.admin.settings import set_setting
from bot.core.clock import FakeClock
from bot.core.outbox import reply_of
from bot.core.quarters import Quarter
from bot.core.replies import Bars, Buttons
from bot.survey.answers import handle_of
from bot.survey.service import latest, results, trend
from schedules.registry import run_job_now
from storage.models import Member, Outbox, SurveyAnswer, SurveyAsk
from tests.bot.conftest import Team, buttons_of, text_of
from tests.bot.test_concurrent_clicks import at_once

Q1 = Quarter(2026, 1)  # the clock fixture: Tuesday 10 March 2026, 10:00 UTC


async def ask_now(team: Team) -> str:
    firing = await run_job_now(team.runtime, "survey")
    assert firing.ran and not firing.error, firing
    return firing.result or ""


def questions(team: Team, who: str) -> list[Outbox]:
    return [row for row in team.inbox(who) if row.kind == "survey_question"]


def click(team: Team, who: str, label: str) -> str:
    """Press a button on the newest question card in ``who``'s DMs, as the adapters do."""
    card = questions(team, who)[-1]
    command = buttons_of(reply_of(card))[label]
    reply = team.say(who, command, source_message=card.id)
    return text_of(reply)


def workspace_id(team: Team) -> int:
    return team.member("rita").workspace_id


async def test_every_rep_is_asked_once_and_a_new_click_replaces_the_answer(team: Team) -> None:
    assert await ask_now(team) == "asked 2 reps, reminded 0, sent 0 results (1 workspace with the survey on)"
    for rep in ("rita", "sam"):
        [card] = questions(team, rep)
        shown = reply_of(card)
        assert "How much did marketing help you sell this quarter?" in text_of(shown)
        assert "Pulse survey · Q1 2026" in text_of(shown)
        assert buttons_of(shown) == {
            **{str(n): f"tandem survey answer {n} quarter:2026-Q1" for n in range(1, 6)},
            "Add a comment": "tandem survey comment quarter:2026-Q1",
        }
        [comment] = [b for block in shown.blocks if isinstance(block, Buttons) for b in block.buttons if b.prompt]
        assert "Shown without your name" in (comment.prompt or "")
    for not_a_rep in ("mara", "dana"):  # the admin and the manager are not asked
        assert questions(team, not_a_rep) == []

    assert click(team, "rita", "3").startswith("✅ Thanks — you answered 3 for Q1 2026 (somewhat).")
    again = team.say("rita", buttons_of(reply_of(questions(team, "rita")[-1]))["4"])
    assert text_of(again).startswith("✅ Thanks — you answered 4 (replacing your 3).")
    assert buttons_of(again)["4"] == "tandem survey answer 4 quarter:2026-Q1"  # change it again from the answer
    assert [b.style for block in again.blocks if isinstance(block, Buttons) for b in block.buttons][3] == "primary"
    assert text_of(team.say("rita", "tandem survey answer 4")).startswith("✅ You had already answered 4")
    [card] = questions(team, "rita")
    assert (card.response_note or "").startswith("✅ Thanks — you answered 3")  # the card knows it was answered
    with team.runtime.db.session() as s:
        [row] = s.exec(select(SurveyAnswer)).all()
        assert row.score == 4 and row.quarter == "2026-Q1"

    assert await ask_now(team) == "asked 0 reps, reminded 0, sent 0 results (1 workspace with the survey on)"
    assert len(questions(team, "rita")) == 1 and len(questions(team, "sam")) == 1


async def test_a_comment_is_optional_kept_without_a_name_and_replaced_by_a_new_one(team: Team) -> None:
    await ask_now(team)
    first = team.say("sam", "tandem survey comment quarter:2026-Q1 The webinar leads were spot on")
    assert "💬 Your comment is saved: “The webinar leads were spot on”." in text_of(first)
    assert "Now pick a score from 1 to 5" in text_of(first)  # a comment first is kept, the score still asked for
    assert "Change your comment" in buttons_of(first)
    sam = team.member("sam").id
    with team.runtime.db.session() as s:
        ask = s.exec(select(SurveyAsk).where(SurveyAsk.member_id == sam)).one()
        assert ask.answered_at is None  # a comment alone is not an answer: the reminder still comes

    scored = team.say("sam", "tandem survey answer 5 great leads from the summit")
    assert "you answered 5" in text_of(scored) and "It replaces your earlier comment." in text_of(scored)
    kept = team.say("sam", "tandem survey comment Even better: tool links in the cards")
    assert "It replaces your earlier comment" in text_of(kept) and "answered" not in text_of(kept).split("\n")[0]
    with team.runtime.db.session() as s:
        [row] = s.exec(select(SurveyAnswer)).all()
        assert (row.score, row.comment) == (5, "Even better: tool links in the cards")

    long = team.say("sam", "tandem survey comment " + "x" * 1001)
    assert not long.ok and "comments are at most 1,000" in text_of(long)
    empty = team.say("sam", "tandem survey comment quarter:2026-Q1")
    assert not empty.ok and "Type your comment after the command" in text_of(empty)
    assert "is not a score" in text_of(team.say("sam", "tandem survey answer 7"))


async def test_results_are_averages_and_counts_never_names_and_need_three_answers(team: Team) -> None:
    team.say("jo", "lead list")  # a third rep
    await ask_now(team)
    team.say("rita", "tandem survey answer 4 Rita's own words about the summit")
    team.say("sam", "tandem survey answer 2")
    too_few = text_of(team.say("dana", "tandem survey results"))
    assert "Not enough answers yet: 2 of 3 reps (67%) answered." in too_few
    assert "Rita's own words" not in too_few and "Average" not in too_few

    team.say("jo", "tandem survey answer 5 <!channel> more webinars please")
    shown = team.say("dana", "tandem survey results")
    text = text_of(shown)
    assert "Average: 3.7 / 5 | Answered: 3 of 3 reps (100%)" in text
    assert "Comments (2, without names)" in text and "“Rita's own words about the summit”" in text
    for name in ("Rita", "Sam", "Jo", "rita@", "@"):
        assert name not in text.replace("Rita's own words", ""), name
    [bars] = [block for block in shown.blocks if isinstance(block, Bars)]
    assert [(bar.label, bar.caption) for bar in bars.bars] == [
        ("5 · a great deal", "1"),
        ("4 · a lot", "1"),
        ("3 · somewhat", "0"),
        ("2 · a little", "1"),
        ("1 · not at all", "0"),
    ]
    workspace = workspace_id(team)
    with team.runtime.db.session() as s:
        found = results(s, workspace, "2026-Q1")
        assert found is not None and found.enough and found.asked == 3 and found.responses == 3
        assert found.response_rate == 1.0 and round(found.average or 0, 2) == 3.67
        pulse = latest(s, workspace, team.runtime.clock.now())
        assert pulse is not None and pulse.as_json() == {
            "quarter": "2026-Q1",
            "average": 3.67,
            "responses": 3,
            "asked": 3,
        }
        points = trend(s, workspace, Q1.back(2))
        assert [(p.quarter.key, p.asked, p.responses) for p in points] == [("2025-Q4", 0, 0), ("2026-Q1", 3, 3)]


async def test_no_member_id_is_reachable_from_the_answers(team: Team, clock: FakeClock) -> None:
    team.say("jo", "lead list")
    await ask_now(team)
    for who, score in (("rita", 4), ("sam", 2), ("jo", 5)):
        clock.advance(timedelta(minutes=7))
        team.say(who, f"tandem survey answer {score}")
    rita = team.member("rita").id or 0
    with team.runtime.db.session() as s:
        columns = {c["name"] for c in inspect(s.connection()).get_columns("survey_answer")}
        assert columns == {"workspace_id", "quarter", "handle", "score", "comment", "created_at", "updated_at"}
        answers = s.exec(select(SurveyAnswer)).all()
        members = s.exec(select(Member)).all()
        secret = team.runtime.settings.secret_key
        for row in answers:
            assert all(str(m.id) not in row.handle.split("-") and m.display_name not in row.handle for m in members)
            assert row.created_at.hour == 0 and row.created_at.minute == 0  # kept to the day: no moment to match
        # only the server's secret key ties a handle to a rep; the same rep with another key is someone else
        assert handle_of(secret, Q1, rita) in {row.handle for row in answers}
        assert handle_of("another-secret-key-0123456789", Q1, rita) not in {row.handle for row in answers}
        # the asks name the reps but hold no score
        ask_columns = {c["name"] for c in inspect(s.connection()).get_columns("survey_ask")}
        assert "score" not in ask_columns and "comment" not in ask_columns


async def test_who_may_answer_and_who_may_see_the_results(team: Team) -> None:
    await ask_now(team)
    mara = team.say("mara", "tandem survey answer 5")  # the admin was never asked
    assert not mara.ok and "as an admin you were not asked for Q1 2026" in text_of(mara)
    dana = team.say("dana", "tandem survey answer 5")
    assert not dana.ok and "as a manager you were not asked for Q1 2026" in text_of(dana)
    refused = team.say("rita", "tandem survey results")
    assert not refused.ok and "`tandem survey results` needs the manager role; you are a rep" in text_of(refused)

    team.say("newbie", "lead list")  # a rep who joined after the question went out answers on the spot
    assert text_of(team.say("newbie", "tandem survey answer 3")).startswith("✅ Thanks — you answered 3")
    workspace = workspace_id(team)
    with team.runtime.db.session() as s:
        found = results(s, workspace, Q1)
        assert found is not None and found.asked == 3 and found.responses == 1

    me = text_of(team.say("newbie", "tandem survey"))
    assert "you answered 3" in me and "See the results" not in me
    assert "See the results with tandem survey results" in text_of(team.say("dana", "tandem survey"))
    assert "How much did marketing help you sell" in text_of(team.say("sam", "tandem survey"))  # not answered yet
    assert "is not a survey command" in text_of(team.say("sam", "tandem survey maybe"))


async def test_a_card_from_a_closed_quarter_and_a_survey_not_started_are_refused_clearly(
    team: Team, clock: FakeClock
) -> None:
    await ask_now(team)
    clock.set(clock.now().replace(month=4, day=1, hour=6))  # Q2, before 09:00
    old = click(team, "rita", "4")
    assert "That question was for Q1 2026, which closed on 31 March 2026; its answers are counted." in old
    typed = text_of(team.say("rita", "tandem survey answer 4"))
    assert "The Q2 2026 pulse survey has not started yet: the question goes out on Wed 1 Apr at 09:00 (UTC)" in typed
    workspace = workspace_id(team)
    with team.runtime.db.session() as s:
        assert s.exec(select(SurveyAnswer)).all() == []
        set_setting(s, workspace, "survey", "off")
    off = text_of(team.say("rita", "tandem survey answer 4"))
    assert "The pulse survey is off in this workspace" in off and "`tandem settings survey on`" in off
    assert await ask_now(team) == "asked 0 reps, reminded 0, sent 0 results (0 workspaces with the survey on)"


async def test_an_answer_made_under_an_old_secret_key_is_kept_not_doubled(team: Team) -> None:
    await ask_now(team)
    team.say("rita", "tandem survey answer 2")
    team.runtime.dispatcher.settings = team.runtime.settings.model_copy(
        update={"secret_key": "a-new-secret-key-0123456789"}
    )
    changed = team.say("rita", "tandem survey answer 5")
    assert not changed.ok and "can no longer be changed" in text_of(changed) and "It still counts" in text_of(changed)
    with team.runtime.db.session() as s:
        assert [row.score for row in s.exec(select(SurveyAnswer)).all()] == [2]


async def test_two_clicks_at_the_same_instant_answer_one_after_the_other(team: Team) -> None:
    await ask_now(team)
    team.say("newbie", "lead list")  # not asked yet: both clicks try to ask and answer at once
    for _ in range(5):
        for who in ("rita", "newbie"):
            first, second = at_once(
                lambda who=who: team.say(who, "tandem survey answer 2"),  # type: ignore[misc]
                lambda who=who: team.say(who, "tandem survey answer 5"),  # type: ignore[misc]
            )
            said = [text_of(first).split("\n")[0], text_of(second).split("\n")[0]]
            assert first.ok and second.ok, said
            # whichever ran second saw the first one's answer and replaced it: never two answers side by side
            assert any("replacing your" in line for line in said), said
    with team.runtime.db.session() as s:
        asks = Counter(row.member_id for row in s.exec(select(SurveyAsk)).all())
        answers = s.exec(select(SurveyAnswer)).all()
    assert set(asks.values()) == {1} and len(asks) == 3  # rita, sam and the newbie: one ask each
    assert len(answers) == 2 and {row.score for row in answers} <= {2, 5}


def test_before_the_question_goes_out_a_rep_is_told_when_it_will(team: Team) -> None:
    waiting = text_of(team.say("rita", "tandem survey"))
    assert "The Q1 2026 question has not gone out here yet: it comes by DM at the next hourly round" in waiting
    manager = text_of(team.say("dana", "tandem survey"))
    assert "The survey asks reps, so there is nothing for you to answer in Q1 2026." in manager
    assert "See the results with tandem survey results" in manager
    assert "There was no pulse survey in Q1 2026." in text_of(team.say("dana", "tandem survey results"))
    assert "is not a quarter" in text_of(team.say("dana", "tandem survey results banana"))
    assert "has not started yet" in text_of(team.say("dana", "tandem survey results 2027-Q1"))


def test_many_long_comments_are_listed_in_sections_slack_does_not_cut() -> None:
    from adapters.slack.renderer import MAX_SECTION, render_blocks
    from bot.survey import views
    from bot.survey.service import SurveyResult

    comments = tuple(f"comment {n:02d} " + "x" * 290 for n in range(25))
    result = SurveyResult(Q1, 30, 25, 3.5, (1, 2, 3, 4, 15), comments)
    blocks = render_blocks(views.results_reply(result, Q1, [], closed=False))
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert all(len(text) <= MAX_SECTION for text in texts)
    shown = "\n".join(texts)
    assert all(f"comment {n:02d} " in shown for n in range(20)) and "comment 20 " not in shown
    assert "…and 5 more" in shown and "Comments (25, without names)" in shown
