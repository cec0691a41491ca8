"""The meeting agenda's parts that other features know: the quarter's competitive intel and its pulse-survey
result. The meetings package defines the shape (``bot/meetings/agenda.py``'s ``Extra``) and imports neither
feature; the composition root hands it these readers. Each reads a whole batch of workspaces at once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from bot.intel import service as intel
from bot.meetings.agenda import Extra, Intel, Period, Survey
from bot.survey import service as survey

TOP_COMPETITORS = 3


def intel_part(session: Session, workspace_ids: Sequence[int], period: Period) -> dict[int, Extra]:
    """The notes filed in the quarter and the most noted competitors; a workspace without notes is left out."""
    return {
        workspace_id: Extra(
            intel=Intel(notes=sum(count for _name, count in noted), competitors=tuple(noted[:TOP_COMPETITORS]))
        )
        for workspace_id, noted in intel.noted_in(session, workspace_ids, period.start, period.end).items()
    }


def survey_part(session: Session, workspace_ids: Sequence[int], period: Period) -> dict[int, Extra]:
    """The reviewed quarter's result; names never leave the survey package (comments come without authors)."""
    return {
        workspace_id: Extra(
            survey=Survey(
                quarter=result.quarter.key,
                average=result.average,
                responses=result.responses,
                asked=result.asked,
                comments=result.comments,
            )
        )
        for workspace_id, result in survey.results_of(session, workspace_ids, period.quarter).items()
    }
