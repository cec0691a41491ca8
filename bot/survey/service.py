"""What the pulse survey knows, read for the people allowed to see it: results as averages and counts, never
names (comments without authors), and nothing but counts under three answers. Stats, the dashboard, the weekly
report and the meeting agenda read ``results``, ``trend`` and ``latest``; every query is scoped by workspace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, bindparam, func, select
from sqlmodel import Session, col

from bot.admin.settings import get_setting
from bot.core.quarters import Quarter
from storage.id_lists import among
from storage.models import SurveyAnswer, SurveyAsk, SurveyRound

MIN_ANSWERS = 3  # fewer answers than this show counts only: one or two scores would point at their authors
QUESTION = "How much did marketing help you sell this quarter?"
SCALE = {1: "not at all", 2: "a little", 3: "somewhat", 4: "a lot", 5: "a great deal"}

_ASK = SurveyAsk.__table__  # type: ignore[attr-defined]
_ANSWER = SurveyAnswer.__table__  # type: ignore[attr-defined]
_ROUND = SurveyRound.__table__  # type: ignore[attr-defined]
_ASKED = (
    select(_ASK.c.quarter, func.count())
    .where(_ASK.c.workspace_id == bindparam("workspace"), _ASK.c.quarter.in_(bindparam("quarters", expanding=True)))
    .group_by(_ASK.c.quarter)
)
_SCORES = (
    select(_ANSWER.c.quarter, _ANSWER.c.score, func.count())
    .where(
        _ANSWER.c.workspace_id == bindparam("workspace"),
        _ANSWER.c.quarter.in_(bindparam("quarters", expanding=True)),
        _ANSWER.c.score.is_not(None),
    )
    .group_by(_ANSWER.c.quarter, _ANSWER.c.score)
)
_OF_QUARTER = and_(among(_ANSWER.c.workspace_id, "workspaces"), _ANSWER.c.quarter == bindparam("quarter"))
_ASKED_OF = (
    select(_ASK.c.workspace_id, func.count())
    .where(among(_ASK.c.workspace_id, "workspaces"), _ASK.c.quarter == bindparam("quarter"))
    .group_by(_ASK.c.workspace_id)
)
_SCORES_OF = (
    select(_ANSWER.c.workspace_id, _ANSWER.c.score, func.count())
    .where(_OF_QUARTER, _ANSWER.c.score.is_not(None))
    .group_by(_ANSWER.c.workspace_id, _ANSWER.c.score)
)
# Ordered by the anonymous handle: an order that says nothing about who wrote first.
_COMMENTS_OF = (
    select(_ANSWER.c.workspace_id, _ANSWER.c.comment)
    .where(_OF_QUARTER, _ANSWER.c.comment.is_not(None))
    .order_by(_ANSWER.c.workspace_id, _ANSWER.c.handle)
)
_LATEST_ROUND = (
    select(_ROUND.c.quarter)
    .where(_ROUND.c.workspace_id == bindparam("workspace"), _ROUND.c.quarter <= bindparam("upto"))
    .order_by(_ROUND.c.quarter.desc())
    .limit(1)
)


@dataclass(frozen=True)
class SurveyResult:
    """One quarter's result. Under ``MIN_ANSWERS`` answers only the counts are filled: ``average`` is None and
    ``scores`` and ``comments`` are empty ("not enough answers yet")."""

    quarter: Quarter
    asked: int
    responses: int
    average: float | None
    scores: tuple[int, ...] = ()  # how many answered 1, 2, 3, 4, 5
    comments: tuple[str, ...] = ()

    @property
    def enough(self) -> bool:
        return self.responses >= MIN_ANSWERS

    @property
    def response_rate(self) -> float | None:
        return self.responses / self.asked if self.asked else None


@dataclass(frozen=True)
class TrendPoint:
    quarter: Quarter
    average: float | None  # None: no survey, or not enough answers
    responses: int
    asked: int


@dataclass(frozen=True)
class SurveyPulse:
    """The latest pulse-survey score, as stats shows it (SPEC §5: ``"survey": {"quarter": "2026-Q4", …}``)."""

    quarter: Quarter
    average: float | None
    responses: int
    asked: int

    def as_json(self) -> dict[str, object]:
        average = round(self.average, 2) if self.average is not None else None
        return {"quarter": self.quarter.key, "average": average, "responses": self.responses, "asked": self.asked}


def zone_of(session: Session, workspace_id: int) -> ZoneInfo:
    try:
        return ZoneInfo(get_setting(session, workspace_id, "timezone"))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def current_quarter(session: Session, workspace_id: int, now: datetime) -> Quarter:
    return Quarter.at(now, zone_of(session, workspace_id))


def round_of(session: Session, workspace_id: int, quarter: Quarter, *, for_update: bool = False) -> SurveyRound | None:
    statement = select(SurveyRound).where(
        col(SurveyRound.workspace_id) == workspace_id, col(SurveyRound.quarter) == quarter.key
    )
    if for_update:
        statement = statement.with_for_update()
    return session.execute(statement).scalars().first()


def ask_of(
    session: Session, workspace_id: int, quarter: Quarter, member_id: int, *, for_update: bool = False
) -> SurveyAsk | None:
    """Whether (and when) this member was asked: the row a click locks, so two clicks answer one after the other."""
    statement = select(SurveyAsk).where(
        col(SurveyAsk.workspace_id) == workspace_id,
        col(SurveyAsk.quarter) == quarter.key,
        col(SurveyAsk.member_id) == member_id,
    )
    if for_update:
        statement = statement.with_for_update()
    return session.execute(statement).scalars().first()


def _average(counts: dict[int, int]) -> float | None:
    total = sum(counts.values())
    return sum(score * n for score, n in counts.items()) / total if total else None


def _tallies(
    session: Session, workspace_id: int, quarters: Sequence[Quarter]
) -> tuple[dict[str, int], dict[str, dict[int, int]]]:
    """Asks per quarter and, per quarter, how many answered each score: two grouped reads for any number of them."""
    keys = sorted({quarter.key for quarter in quarters})
    params = {"workspace": workspace_id, "quarters": keys}
    asked = {quarter: int(n) for quarter, n in session.execute(_ASKED, params).all()}
    scores: dict[str, dict[int, int]] = {}
    for quarter, score, n in session.execute(_SCORES, params).all():
        scores.setdefault(quarter, {})[int(score)] = int(n)
    return asked, scores


def results(session: Session, workspace_id: int, quarter: Quarter | str) -> SurveyResult | None:
    """The quarter's result, or None when the workspace ran no survey that quarter."""
    return results_of(session, [workspace_id], quarter).get(workspace_id)


def results_of(session: Session, workspace_ids: Sequence[int], quarter: Quarter | str) -> dict[int, SurveyResult]:
    """``results`` of many workspaces for one quarter (the agendas of a batch) in three grouped reads; a workspace
    that ran no survey that quarter is left out."""
    quarter = Quarter.from_key(quarter) if isinstance(quarter, str) else quarter
    params = {"workspaces": list(workspace_ids), "quarter": quarter.key}
    asked = {int(workspace_id): int(n) for workspace_id, n in session.execute(_ASKED_OF, params)}
    scores: dict[int, dict[int, int]] = {}
    for workspace_id, score, n in session.execute(_SCORES_OF, params):
        scores.setdefault(int(workspace_id), {})[int(score)] = int(n)
    enough = [w for w, counts in scores.items() if sum(counts.values()) >= MIN_ANSWERS]
    comments: dict[int, list[str]] = {}
    if enough:
        for workspace_id, text in session.execute(_COMMENTS_OF, {**params, "workspaces": enough}):
            if text:
                comments.setdefault(int(workspace_id), []).append(str(text))
    found: dict[int, SurveyResult] = {}
    for workspace_id in sorted(set(asked) | set(scores)):
        counts = scores.get(workspace_id, {})
        responses = sum(counts.values())
        if responses < MIN_ANSWERS:
            found[workspace_id] = SurveyResult(quarter, asked.get(workspace_id, 0), responses, None)
            continue
        found[workspace_id] = SurveyResult(
            quarter,
            asked.get(workspace_id, 0),
            responses,
            _average(counts),
            tuple(counts.get(score, 0) for score in range(1, 6)),
            tuple(comments.get(workspace_id, [])),
        )
    return found


def trend(session: Session, workspace_id: int, quarters: Sequence[Quarter | str]) -> list[TrendPoint]:
    """One point per quarter, in the order given (the dashboard's trend by quarter); a quarter with no survey or
    too few answers has no average."""
    wanted = [Quarter.from_key(q) if isinstance(q, str) else q for q in quarters]
    asked, scores = _tallies(session, workspace_id, wanted)
    points = []
    for quarter in wanted:
        counts = scores.get(quarter.key, {})
        responses = sum(counts.values())
        average = _average(counts) if responses >= MIN_ANSWERS else None
        points.append(TrendPoint(quarter, average, responses, asked.get(quarter.key, 0)))
    return points


def latest(session: Session, workspace_id: int, now: datetime) -> SurveyPulse | None:
    """The newest survey up to now (this quarter's once it has been asked), or None before the first one."""
    quarter = latest_round(session, workspace_id, current_quarter(session, workspace_id, now))
    if quarter is None:
        return None
    found = results(session, workspace_id, quarter)
    if found is None:
        return SurveyPulse(quarter, None, 0, 0)
    return SurveyPulse(found.quarter, found.average, found.responses, found.asked)


def latest_round(session: Session, workspace_id: int, upto: Quarter) -> Quarter | None:
    """The newest quarter up to ``upto`` in which the workspace's survey was asked."""
    key = session.execute(_LATEST_ROUND, {"workspace": workspace_id, "upto": upto.key}).scalar_one_or_none()
    return Quarter.from_key(key) if key is not None else None
