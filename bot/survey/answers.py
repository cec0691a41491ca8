"""A rep answers the pulse survey: one answer per rep per quarter, a new click replacing it. The answer row is
found again through an anonymous handle (HMAC of the rep and the quarter with the server's secret key), so it
carries no member id; the rep's ask row is locked first, so two clicks at once answer one after the other."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from bot.admin.settings import get_setting
from bot.core.clock import Clock
from bot.core.errors import NotAllowed, UsageError
from bot.core.people import MemberRow
from bot.core.quarters import Quarter
from bot.survey.quarters import ask_moment
from bot.survey.service import ask_of, round_of, zone_of
from storage.models import SurveyAnswer, SurveyAsk
from storage.models.survey import MAX_COMMENT

ANSWERS_ROLE = "rep"  # who is asked, and who may answer without having been asked (a rep who joined late)


def handle_of(secret: str, quarter: Quarter, member_id: int) -> str:
    """The answer's key: the same rep and quarter always give the same handle, and nobody without the server's
    secret key can tell whose it is."""
    message = f"tandem-survey:{quarter.key}:{member_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Answered:
    quarter: Quarter
    score: int | None
    previous: int | None  # the score this answer replaced
    comment: str | None
    comment_before: str | None  # the comment this one replaced
    standing: int | None  # the score the answer holds now (a comment alone keeps the earlier score)


@dataclass(frozen=True)
class MyAnswer:
    """What one rep sees of their own answer (read through their handle, never by a query over member ids)."""

    quarter: Quarter
    asked: bool
    score: int | None
    comment: str | None
    open: bool  # this quarter's question has gone out in the workspace


def check_comment(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    cleaned = text.strip()
    if len(cleaned) > MAX_COMMENT:
        raise UsageError(
            f"That comment is {len(cleaned):,} characters long; comments are at most {MAX_COMMENT:,}. "
            "Shorten it and send it again."
        )
    return cleaned


def _day(now: datetime) -> datetime:
    """Answer times are kept to the day, so they cannot be matched to the moment a rep was marked answered."""
    return datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)


def _open_quarter(session: Session, clock: Clock, workspace_id: int, asked_for: str | None) -> Quarter:
    """The quarter a click answers: the current one, refused clearly when the card was for another."""
    zone = zone_of(session, workspace_id)
    current = Quarter.at(clock.now(), zone)
    if asked_for is None:
        return current
    wanted = Quarter.from_key(asked_for)
    if wanted < current:
        raise UsageError(
            f"That question was for {wanted.label}, which closed on {wanted.last_day:%-d %B %Y}; its answers are "
            f"counted. This quarter's survey is {current.label}: type `tandem survey` to see where you are."
        )
    if wanted > current:
        raise UsageError(
            f"The {wanted.label} survey has not started yet; it opens on {wanted.working_day(1):%a %-d %b}."
        )
    return current


def _my_ask(session: Session, clock: Clock, workspace_id: int, me: MemberRow, quarter: Quarter) -> SurveyAsk:
    """The rep's ask row, locked. A rep asked nothing yet (joined after the question went out) is asked on the
    spot while the survey is open; marketers and managers, whom it never asks, are refused."""
    ask = ask_of(session, workspace_id, quarter, me.id, for_update=True)
    if ask is not None:
        return ask
    if round_of(session, workspace_id, quarter) is None:
        raise UsageError(not_open_text(session, workspace_id, quarter, clock.now()))
    if me.role != ANSWERS_ROLE:
        raise NotAllowed(
            f"The pulse survey asks reps how much marketing helped them sell; as {_a(me.role)} you were not asked "
            f"for {quarter.label}. Managers see the results with `tandem survey results`."
        )
    statement = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        statement(SurveyAsk)
        .values(workspace_id=workspace_id, quarter=quarter.key, member_id=me.id, asked_at=clock.now())
        .on_conflict_do_nothing(index_elements=["workspace_id", "quarter", "member_id"])
    )
    found = ask_of(session, workspace_id, quarter, me.id, for_update=True)
    assert found is not None
    return found


def _a(role: str) -> str:
    return ("an " if role[:1] in "aeiou" else "a ") + role


def not_open_text(session: Session, workspace_id: int, quarter: Quarter, now: datetime) -> str:
    """Why there is nothing to answer yet, and when there will be."""
    zone = zone_of(session, workspace_id)
    if get_setting(session, workspace_id, "survey") == "off":
        return (
            "The pulse survey is off in this workspace, so there is nothing to answer. An admin turns it on with "
            "`tandem settings survey on`."
        )
    opens = ask_moment(quarter, zone).astimezone(zone)
    if opens > now:
        return (
            f"The {quarter.label} pulse survey has not started yet: the question goes out on "
            f"{opens:%a %-d %b at %H:%M} ({zone.key}). Answer it then."
        )
    return (
        f"The {quarter.label} question has not gone out here yet: it comes by DM at the next hourly round in "
        f"working hours (weekdays 09:00–18:00, {zone.key})."
    )


def answer(
    session: Session,
    clock: Clock,
    *,
    secret: str,
    workspace_id: int,
    me: MemberRow,
    score: int | None,
    comment: str | None = None,
    quarter: str | None = None,
) -> Answered:
    """Record (or replace) the rep's score and/or comment for the open quarter. ``quarter`` is the quarter the
    card was for, when the answer comes from a button."""
    current = _open_quarter(session, clock, workspace_id, quarter)
    ask = _my_ask(session, clock, workspace_id, me, current)
    handle = handle_of(secret, current, me.id)
    existing = session.get(SurveyAnswer, (workspace_id, current.key, handle))
    if existing is None and ask.answered_at is not None:
        raise UsageError(
            f"You already answered for {current.label}, and that answer can no longer be changed (the server's "
            "secret key has changed since). It still counts."
        )
    if score is None and comment is None:
        raise UsageError("Give a score from 1 to 5, a comment, or both.", usage="tandem survey answer <1-5> [comment]")
    now = clock.now()
    previous = existing.score if existing is not None else None
    before = existing.comment if existing is not None else None
    new_score = score if score is not None else previous
    new_comment = comment if comment is not None else before
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(SurveyAnswer).values(
        workspace_id=workspace_id,
        quarter=current.key,
        handle=handle,
        score=new_score,
        comment=new_comment,
        created_at=_day(now),
        updated_at=_day(now),
    )
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=["workspace_id", "quarter", "handle"],
            set_={"score": new_score, "comment": new_comment, "updated_at": _day(now)},
        )
    )
    if new_score is not None and ask.answered_at is None:
        session.execute(update(SurveyAsk).where(col(SurveyAsk.id) == ask.id).values(answered_at=now))
    if existing is not None:
        session.expire(existing)
    return Answered(
        quarter=current,
        score=score,
        previous=previous if score is not None else None,
        comment=comment,
        comment_before=before if comment is not None else None,
        standing=new_score,
    )


def my_answer(session: Session, clock: Clock, *, secret: str, workspace_id: int, me: MemberRow) -> MyAnswer:
    quarter = Quarter.at(clock.now(), zone_of(session, workspace_id))
    asked = ask_of(session, workspace_id, quarter, me.id) is not None
    found = session.get(SurveyAnswer, (workspace_id, quarter.key, handle_of(secret, quarter, me.id)))
    return MyAnswer(
        quarter,
        asked,
        found.score if found is not None else None,
        found.comment if found is not None else None,
        open=round_of(session, workspace_id, quarter) is not None,
    )
