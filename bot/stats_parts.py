"""The `stats` figures that other features know: the latest pulse-survey score (averages and counts, never
names). The stats package defines the shape (``bot/stats/service.py``'s ``SurveyScore``) and imports no other
feature's code; the composition root hands it this reader and intel's note count."""

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
