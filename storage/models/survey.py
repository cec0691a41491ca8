"""The quarterly pulse survey (SPEC §4): who was asked, and the answers, kept apart so that results can be counted
without naming anyone. ``survey_ask`` names the rep but holds no score; ``survey_answer`` holds the score under an
anonymous handle (an HMAC of the rep and the quarter with the server's secret key) and no member id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import ts

QUARTER_LENGTH = 7  # "2026-Q4"
MAX_COMMENT = 1000


class SurveyRound(SQLModel, table=True):
    """One quarter's survey in one workspace. Its marks are the job's once-only gates (``UPDATE … WHERE … IS
    NULL``): however many schedulers run, the reminders and the closing result go out once."""

    __tablename__ = "survey_round"

    workspace_id: int = Field(foreign_key="workspace.id", primary_key=True)
    quarter: str = Field(max_length=QUARTER_LENGTH, primary_key=True)
    asked_at: datetime = ts()
    reminded_at: datetime | None = ts(nullable=True)
    closed_at: datetime | None = ts(nullable=True)


class SurveyAsk(SQLModel, table=True):
    """A rep was asked this quarter's question; ``answered_at`` is the "has answered" mark reminders read — the
    score itself is never here."""

    __tablename__ = "survey_ask"
    __table_args__ = (UniqueConstraint("workspace_id", "quarter", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    quarter: str = Field(max_length=QUARTER_LENGTH)
    member_id: int = Field(foreign_key="member.id")
    asked_at: datetime = ts()
    reminded_at: datetime | None = ts(nullable=True)
    answered_at: datetime | None = ts(nullable=True)


class SurveyAnswer(SQLModel, table=True):
    """One rep's answer, found again only through ``handle`` (so a new click replaces it). No member id, no row
    number in order of answering, and times kept to the day: the rows do not line up with the asks."""

    __tablename__ = "survey_answer"
    __table_args__ = (CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="ck_survey_answer_score"),)

    workspace_id: int = Field(foreign_key="workspace.id", primary_key=True)
    quarter: str = Field(max_length=QUARTER_LENGTH, primary_key=True)
    handle: str = Field(max_length=64, primary_key=True)
    score: int | None = None  # None: a comment left before picking a score
    comment: str | None = Field(default=None, max_length=MAX_COMMENT)
    created_at: datetime = ts()
    updated_at: datetime = ts()
