"""The `stats` figures that other features know: the latest pulse-survey score and its trend by quarter
(averages and counts, never names). The stats package defines the shape (``bot/stats/service.py``'s
``SurveyScore``) and imports no other feature's code; the composition root hands it these readers and intel's
note count."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.stats.service import SurveyScore
from bot.survey import service as survey


def latest_survey(session: Session, workspace_id: int, now: datetime) -> SurveyScore | None:
    pulse = survey.latest(session, workspace_id, now)
    if pulse is None:
        return None
    return SurveyScore(quarter=pulse.quarter.key, average=pulse.average, responses=pulse.responses, asked=pulse.asked)


TREND_QUARTERS = 4


def survey_trend(session: Session, workspace_id: int, now: datetime) -> list[tuple[str, float | None]]:
    """The pulse survey's average for the last four quarters, oldest first (the dashboard's trend); a quarter
    without a survey, or with too few answers to show, has no average. Nothing when no survey has run yet."""
    current = survey.current_quarter(session, workspace_id, now)
    points = survey.trend(session, workspace_id, current.back(TREND_QUARTERS))
    if not any(point.asked for point in points):
        return []
    return [(point.quarter.key, point.average) for point in points]
