"""The demo's pulse survey, in flight: last quarter's closed (every rep answered; marketing got the result), this
quarter's asked, two reps answered through the card's buttons and one still to answer, so the playground shows the
question card waiting in that rep's DMs. Written with the survey's own functions at chosen past moments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.core.clock import FakeClock
from bot.core.dispatch import Dispatcher
from bot.core.people import MemberRow
from bot.core.quarters import Quarter
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from bot.survey import answers
from bot.survey.quarters import ask_moment, reminder_moment
from bot.survey.rounds import QUESTION_KIND, ask, close_earlier, remind
from bot.survey.service import zone_of
from storage.models import Member, MemberAccount, Outbox, SurveyAsk, SurveyRound, WorkspaceAccount


@dataclass(frozen=True)
class DemoAnswer:
    who: str  # the cast member's playground id
    score: int
    comment: str | None = None


LAST_QUARTER = (
    DemoAnswer("rita", 4, "The webinar leads came with context — I knew what they had asked before the call."),
    DemoAnswer("sam", 3, "Event leads were hit and miss; a few students slipped through."),
    DemoAnswer("jonas", 3, "More one-pagers for the manufacturing accounts, please."),
)
THIS_QUARTER = (  # clicked on the question card; jonas has not answered yet
    DemoAnswer("rita", 5, "The Globex battlecard won me the Globex deal."),
    DemoAnswer("sam", 3),
)
STILL_TO_ANSWER = "jonas"


class DemoSurveyFailed(RuntimeError):
    """A scripted click was refused: the demo script and the survey disagree."""


def seed_survey_demo(runtime: Runtime, workspace_id: int | None, now: datetime) -> None:
    if workspace_id is None:
        return
    clock = FakeClock(now)
    with runtime.db.session() as session:
        zone = zone_of(session, workspace_id)
        this = Quarter.at(now, zone)
        _last_quarter(session, runtime.settings.secret_key, clock, workspace_id, this.previous())
    opens = min(ask_moment(this, zone), now - timedelta(hours=3))  # not started yet: asked as `jobs run` would
    clock.set(opens)
    with runtime.db.session() as session:
        close_earlier(session, clock, workspace_id, this)  # marketing's DM with last quarter's result
        ask(session, clock, workspace_id, this)
    dispatcher = Dispatcher(runtime.db, runtime.settings, runtime.dispatcher.registry, clock)
    for step, done in enumerate(THIS_QUARTER, start=1):
        clock.set(min(opens + timedelta(hours=step), now - timedelta(minutes=30)))
        _click(runtime, dispatcher, workspace_id, this, done)
    remind_at = reminder_moment(this, zone)
    if remind_at <= now:
        clock.set(remind_at)
        with runtime.db.session() as session:
            remind(session, clock, workspace_id, this, asked_before=remind_at)


def _members(session: Session, workspace_id: int) -> dict[str, Member]:
    rows = session.exec(
        select(MemberAccount.external_id, Member)
        .join(Member, col(Member.id) == col(MemberAccount.member_id))
        .where(MemberAccount.workspace_id == workspace_id)
    ).all()
    return {key: member for key, member in rows}


def _last_quarter(session: Session, secret: str, clock: FakeClock, workspace_id: int, quarter: Quarter) -> None:
    """History, not messages: the round, its asks and answers (a question DM months old would sit on top of
    every rep's DMs); the closing result is written later, as the new quarter opens."""
    zone = zone_of(session, workspace_id)
    asked = ask_moment(quarter, zone)
    session.add(SurveyRound(workspace_id=workspace_id, quarter=quarter.key, asked_at=asked))
    people = _members(session, workspace_id)
    for step, done in enumerate(LAST_QUARTER, start=1):
        member = people[done.who]
        assert member.id is not None
        session.add(SurveyAsk(workspace_id=workspace_id, quarter=quarter.key, member_id=member.id, asked_at=asked))
        session.flush()
        clock.set(asked + timedelta(hours=3 * step))
        answers.answer(
            session,
            clock,
            secret=secret,
            workspace_id=workspace_id,
            me=MemberRow.of(member),
            score=done.score,
            comment=done.comment,
        )


def _click(runtime: Runtime, dispatcher: Dispatcher, workspace_id: int, quarter: Quarter, done: DemoAnswer) -> None:
    """Press a score on the rep's question card, as the playground does, so the card shows it was answered."""
    with runtime.db.session() as session:
        member = _members(session, workspace_id)[done.who]
        account = session.exec(
            select(MemberAccount).where(MemberAccount.member_id == member.id, MemberAccount.external_id == done.who)
        ).one()
        team = session.exec(
            select(WorkspaceAccount.external_id).where(
                WorkspaceAccount.workspace_id == workspace_id, WorkspaceAccount.platform == account.platform
            )
        ).one()
        card = session.exec(
            select(Outbox.id)
            .where(Outbox.target_member_id == member.id, Outbox.kind == QUESTION_KIND)
            .order_by(col(Outbox.id).desc())
        ).first()
    person = Person(account.platform, done.who, member.display_name, member.email, member.timezone)
    texts = [f"tandem survey answer {done.score} quarter:{quarter.key}"]
    if done.comment:
        texts.append(f"tandem survey comment quarter:{quarter.key} {done.comment}")
    for text in texts:
        reply = dispatcher.handle(Request(person=person, team_id=team, text=text, source_message=card))
        if not reply.ok:
            raise DemoSurveyFailed(f"demo survey step refused: {done.who}: {text!r}: {reply.summary}")
