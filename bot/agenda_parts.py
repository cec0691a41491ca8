"""The meeting agenda's parts that other features know: the quarter's competitive intel and its pulse-survey
result. The meetings package defines the shape (``bot/meetings/agenda.py``'s ``Extra``) and imports neither
feature; the composition root hands it these readers."""

from __future__ import annotations

from sqlmodel import Session

from bot.intel import service as intel
from bot.meetings.agenda import Extra, Intel, Period, Survey
from bot.survey import service as survey


def intel_part(session: Session, workspace_id: int, period: Period) -> Extra:
    notes = intel.intel_count(session, workspace_id, period.start, period.end)
    if not notes:
        return Extra()
    top = intel.busiest_in(session, workspace_id, period.start, period.end)
    return Extra(intel=Intel(notes=notes, competitors=tuple(top)))


def survey_part(session: Session, workspace_id: int, period: Period) -> Extra:
    """The reviewed quarter's result; names never leave the survey package (comments come without authors)."""
    result = survey.results(session, workspace_id, period.quarter)
    if result is None:
        return Extra()
    return Extra(
        survey=Survey(
            quarter=result.quarter.key,
            average=result.average,
            responses=result.responses,
            asked=result.asked,
            comments=result.comments,
        )
    )
