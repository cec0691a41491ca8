"""The survey job's work in one workspace (SPEC §4): from 09:00 on the quarter's first working day, ask every rep
not yet asked; from 09:00 on the third, remind once those who have not answered; once a quarter has closed, send
its result to the marketing team. Each step is once-only in the database itself (asks are unique per rep and
quarter; the reminder and the closing are ``UPDATE … WHERE … IS NULL`` gates), so two schedulers, a manual run and
a server that was down all end with each message written once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, exists, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.admin.settings import get_setting
from bot.core.clock import Clock
from bot.core.outbox import enqueue_channel, enqueue_dms
from bot.core.quarters import Quarter
from bot.core.replies import Reply
from bot.survey import views
from bot.survey.quarters import ask_moment, reminder_moment, working_hours
from bot.survey.service import results, trend, zone_of
from storage.models import Member, SurveyAsk, SurveyRound, Workspace, WorkspaceSetting
from storage.types import UTCDateTime

QUESTION_KIND = "survey_question"
REMINDER_KIND = "survey_reminder"
RESULT_KIND = "survey_result"
ASKED_ROLE = "rep"
RESULT_ROLE = "marketer"  # the marketing team: every marketer gets the closed quarter's result
BATCH = 5_000  # outbox rows per multi-row insert (SQLite binds at most 32,766 values per statement)
TREND_QUARTERS = 4

_ASK = SurveyAsk.__table__  # type: ignore[attr-defined]
_ROUND = SurveyRound.__table__  # type: ignore[attr-defined]
_MEMBER = Member.__table__  # type: ignore[attr-defined]
_SETTING = WorkspaceSetting.__table__  # type: ignore[attr-defined]
_WORKSPACE = Workspace.__table__  # type: ignore[attr-defined]


@dataclass
class RoundReport:
    workspaces: int = 0
    asked: int = 0
    reminded: int = 0
    results: int = 0

    def add(self, other: RoundReport) -> None:
        self.workspaces += other.workspaces
        self.asked += other.asked
        self.reminded += other.reminded
        self.results += other.results

    def __str__(self) -> str:
        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count == 1 else many}"

        where = n(self.workspaces, "workspace", "workspaces")
        return (
            f"asked {n(self.asked, 'rep', 'reps')}, reminded {self.reminded}, sent "
            f"{n(self.results, 'result', 'results')} ({where} with the survey on)"
        )


def surveyed_workspaces(session: Session) -> list[int]:
    """Workspaces whose `survey` setting is on (the default)."""
    off = exists().where(
        _SETTING.c.workspace_id == _WORKSPACE.c.id, _SETTING.c.key == "survey", _SETTING.c.value == "off"
    )
    return list(session.execute(select(_WORKSPACE.c.id).where(~off).order_by(_WORKSPACE.c.id)).scalars())


def run_round(session: Session, clock: Clock, workspace_id: int, *, ask_anyway: bool = False) -> RoundReport:
    """What is due in this workspace now. Scheduled, messages wait for working hours in the workspace's zone;
    ``ask_anyway`` (`tandem jobs run survey`) asks this quarter's question now, whatever the date."""
    zone = zone_of(session, workspace_id)
    now = clock.now()
    quarter = Quarter.at(now, zone)
    polite = ask_anyway or working_hours(now, zone)
    started = now >= ask_moment(quarter, zone)
    report = RoundReport(workspaces=1)
    if started and polite:
        report.results = close_earlier(session, clock, workspace_id, quarter)
    if ask_anyway or (started and polite):
        report.asked = ask(session, clock, workspace_id, quarter)
    remind_from = reminder_moment(quarter, zone)
    if now >= remind_from and polite:
        report.reminded = remind(session, clock, workspace_id, quarter, asked_before=remind_from)
    return report


def _insert(session: Session) -> Callable[[Table], postgresql.Insert | sqlite.Insert]:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _dm_all(
    session: Session, clock: Clock, workspace_id: int, member_ids: Sequence[int], reply: Reply, kind: str, key: str
) -> None:
    """The same DM to many members, a few multi-row inserts in all. Their keys are new by construction: each
    names a rep whose ask (or reminder mark) this transaction has just written, which no other one can."""
    for start in range(0, len(member_ids), BATCH):
        chunk = member_ids[start : start + BATCH]
        enqueue_dms(session, clock, workspace_id=workspace_id, member_ids=chunk, reply=reply, kind=kind, key=key)


def ask(session: Session, clock: Clock, workspace_id: int, quarter: Quarter) -> int:
    """Ask every rep of the workspace not asked this quarter yet; returns how many were asked now. One
    ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING`` writes the asks, in member order (so concurrent runs
    lock in the same order and never deadlock), and says whom this run asked."""
    now = clock.now()
    insert = _insert(session)
    session.execute(
        insert(_ROUND)
        .values(workspace_id=workspace_id, quarter=quarter.key, asked_at=now)
        .on_conflict_do_nothing(index_elements=["workspace_id", "quarter"])
    )
    already = exists().where(
        _ASK.c.workspace_id == workspace_id, _ASK.c.quarter == quarter.key, _ASK.c.member_id == _MEMBER.c.id
    )
    reps = (
        select(literal(workspace_id), literal(quarter.key), _MEMBER.c.id, literal(now, UTCDateTime()))
        .where(_MEMBER.c.workspace_id == workspace_id, _MEMBER.c.role == ASKED_ROLE, ~already)
        .order_by(_MEMBER.c.id)
    )
    statement = (
        insert(_ASK)
        .from_select(["workspace_id", "quarter", "member_id", "asked_at"], reps)
        .on_conflict_do_nothing(index_elements=["workspace_id", "quarter", "member_id"])
        .returning(_ASK.c.member_id)
    )
    asked = sorted(session.execute(statement).scalars())
    _dm_all(session, clock, workspace_id, asked, views.question(quarter), QUESTION_KIND, quarter.key)
    return len(asked)


def remind(session: Session, clock: Clock, workspace_id: int, quarter: Quarter, *, asked_before: datetime) -> int:
    """Remind, once, the reps asked before the reminder's moment who have not answered. A rep asked later (who
    joined mid-quarter, or a server that was down over both days) is not reminded hours after the question."""
    now = clock.now()
    gate = (
        update(_ROUND)
        .where(_ROUND.c.workspace_id == workspace_id, _ROUND.c.quarter == quarter.key, _ROUND.c.reminded_at.is_(None))
        .values(reminded_at=now)
        .returning(_ROUND.c.quarter)
    )
    if session.execute(gate).first() is None:
        return 0
    due = (
        update(_ASK)
        .where(
            _ASK.c.workspace_id == workspace_id,
            _ASK.c.quarter == quarter.key,
            _ASK.c.answered_at.is_(None),
            _ASK.c.reminded_at.is_(None),
            _ASK.c.asked_at < asked_before,
        )
        .values(reminded_at=now)
        .returning(_ASK.c.member_id)
    )
    reminded = sorted(session.execute(due).scalars())
    _dm_all(session, clock, workspace_id, reminded, views.question(quarter, reminder=True), REMINDER_KIND, quarter.key)
    return len(reminded)


def close_earlier(session: Session, clock: Clock, workspace_id: int, quarter: Quarter) -> int:
    """Close every earlier quarter's survey still open; the one just ended sends its result to the marketing
    team (older ones, from a workspace whose survey was off for a while, close quietly). Returns messages written."""
    closing = (
        update(_ROUND)
        .where(_ROUND.c.workspace_id == workspace_id, _ROUND.c.quarter < quarter.key, _ROUND.c.closed_at.is_(None))
        .values(closed_at=clock.now())
        .returning(_ROUND.c.quarter)
    )
    closed = set(session.execute(closing).scalars())
    ended = quarter.previous()
    if ended.key not in closed:
        return 0
    result = results(session, workspace_id, ended)
    if result is None or not result.asked:
        return 0
    reply = views.closing_dm(result, trend(session, workspace_id, ended.back(TREND_QUARTERS)))
    team = list(
        session.execute(
            select(_MEMBER.c.id)
            .where(_MEMBER.c.workspace_id == workspace_id, _MEMBER.c.role == RESULT_ROLE)
            .order_by(_MEMBER.c.id)
        ).scalars()
    )
    if team:
        _dm_all(session, clock, workspace_id, team, reply, RESULT_KIND, ended.key)
        return len(team)
    channel = get_setting(session, workspace_id, "marketing_channel")
    if not channel:
        return 0
    written = enqueue_channel(
        session, clock, workspace_id=workspace_id, channel=channel, reply=reply, kind=RESULT_KIND, key=ended.key
    )
    return 1 if written is not None else 0
