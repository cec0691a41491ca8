"""Competitive intel: filing notes under competitors and reading them back (`intel show`, `intel list`, the
notes a campaign's talking points call for, the count stats report). Reads and writes only; replies are built in
views.py. Every statement is scoped by workspace and served by an index of intel_note: (workspace, competitor,
created_at, id) for one competitor's notes and the counts per competitor, (workspace, created_at) for periods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, insert, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.core.clock import Clock
from bot.intel import names
from bot.intel.names import Known, Name
from storage.id_lists import among
from storage.models import Competitor, IntelNote, Member

_COMPETITORS = Competitor.__table__  # type: ignore[attr-defined]
_NOTES = IntelNote.__table__  # type: ignore[attr-defined]
_MEMBERS = Member.__table__  # type: ignore[attr-defined]
MAX_NAMED = 20  # competitors a campaign's talking points can call up at once
MAX_NOTE = 2000

_KNOWN = (
    select(_COMPETITORS.c.id, _COMPETITORS.c.name, _COMPETITORS.c.key)
    .where(_COMPETITORS.c.workspace_id == bindparam("workspace"))
    .order_by(_COMPETITORS.c.id)
)
_BY_KEY = _KNOWN.where(_COMPETITORS.c.key == bindparam("key"))
# INSERT … ON CONFLICT DO NOTHING, then read: two reps filing the first note on a new competitor at the same
# moment get one competitor (the second insert waits for the first and then inserts nothing), never an error.
_CREATE = {
    dialect: dialect_insert(_COMPETITORS).on_conflict_do_nothing(index_elements=["workspace_id", "key"])
    for dialect, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_ADD_NOTE = insert(_NOTES).returning(_NOTES.c.id)
_OF_ONE = and_(_NOTES.c.workspace_id == bindparam("workspace"), _NOTES.c.competitor_id == bindparam("competitor"))
_TALLY = select(
    func.count(), func.coalesce(func.sum(case((_NOTES.c.created_at >= bindparam("since"), 1), else_=0)), 0)
).where(_OF_ONE)
_LATEST = (
    select(_NOTES.c.id, _NOTES.c.member_id, _NOTES.c.text, _NOTES.c.created_at)
    .where(_OF_ONE)
    .order_by(_NOTES.c.created_at.desc(), _NOTES.c.id.desc())
    .limit(bindparam("limit"))
)
_PER_COMPETITOR = (
    select(_NOTES.c.competitor_id, func.count().label("notes"), func.max(_NOTES.c.created_at).label("last_note_at"))
    .where(_NOTES.c.workspace_id == bindparam("workspace"))
    .group_by(_NOTES.c.competitor_id)
    .subquery("per_competitor")
)
_BOARD = (
    select(_COMPETITORS.c.id, _COMPETITORS.c.name, _PER_COMPETITOR.c.notes, _PER_COMPETITOR.c.last_note_at)
    .join_from(_COMPETITORS, _PER_COMPETITOR, _PER_COMPETITOR.c.competitor_id == _COMPETITORS.c.id)
    .where(_COMPETITORS.c.workspace_id == bindparam("workspace"))
    .order_by(_PER_COMPETITOR.c.notes.desc(), _PER_COMPETITOR.c.last_note_at.desc(), _COMPETITORS.c.name)
)
_IN_PERIOD = (
    select(func.count())
    .select_from(_NOTES)
    .where(
        _NOTES.c.workspace_id == bindparam("workspace"),
        _NOTES.c.created_at >= bindparam("start"),
        _NOTES.c.created_at < bindparam("end"),
    )
)


@dataclass(frozen=True, slots=True)
class Tally:
    """How many notes a competitor has, and how many of them since a moment (the start of this month)."""

    total: int
    recent: int


@dataclass(frozen=True, slots=True)
class NoteRow:
    id: int
    member_id: int | None
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BoardRow:
    """A competitor on `intel list`: its notes and when the latest was filed."""

    competitor_id: int
    name: str
    notes: int
    last_note_at: datetime


@dataclass(frozen=True, slots=True)
class IntelLine:
    """A note as `campaign why` shows it beside talking points that name its competitor."""

    competitor: str
    text: str
    author: str | None
    created_at: datetime


def known(session: Session, workspace_id: int) -> list[Known]:
    """The workspace's competitors (a few dozen, not thousands: names, not notes)."""
    return [Known(int(i), name, key) for i, name, key in session.execute(_KNOWN, {"workspace": workspace_id})]


def ensure_competitor(session: Session, clock: Clock, workspace_id: int, name: Name) -> Known:
    """The competitor known by ``name.key``, created as ``name.name`` when it is new."""
    row = {"workspace_id": workspace_id, "name": name.name, "key": name.key, "created_at": clock.now()}
    session.execute(_CREATE[session.get_bind().dialect.name], [row])
    found = session.execute(_BY_KEY, {"workspace": workspace_id, "key": name.key}).one()
    return Known(int(found.id), found.name, found.key)


def add_note(
    session: Session, clock: Clock, *, workspace_id: int, competitor_id: int, member_id: int, text: str
) -> int:
    assert len(text) <= MAX_NOTE, "checked by the command"
    row = {
        "workspace_id": workspace_id,
        "competitor_id": competitor_id,
        "member_id": member_id,
        "text": text,
        "created_at": clock.now(),
    }
    return int(session.execute(_ADD_NOTE, [row]).scalar_one())


def tally(session: Session, workspace_id: int, competitor_id: int, since: datetime) -> Tally:
    total, recent = session.execute(
        _TALLY, {"workspace": workspace_id, "competitor": competitor_id, "since": since}
    ).one()
    return Tally(int(total), int(recent or 0))


def latest_notes(session: Session, workspace_id: int, competitor_id: int, limit: int) -> list[NoteRow]:
    """A competitor's newest notes first."""
    params = {"workspace": workspace_id, "competitor": competitor_id, "limit": limit}
    return [NoteRow(int(i), m, text, at) for i, m, text, at in session.execute(_LATEST, params)]


def board(session: Session, workspace_id: int) -> list[BoardRow]:
    """Every competitor with notes, the most noted first (then the most recently noted): one GROUP BY."""
    return [
        BoardRow(int(i), name, int(n), at) for i, name, n, at in session.execute(_BOARD, {"workspace": workspace_id})
    ]


def intel_count(session: Session, workspace_id: int, start: datetime, end: datetime) -> int:
    """Notes filed in ``[start, end)`` (stats' *intel count*)."""
    return int(session.execute(_IN_PERIOD, {"workspace": workspace_id, "start": start, "end": end}).scalar_one())


def noted_in(
    session: Session, workspace_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[tuple[str, int]]]:
    """Per workspace, the competitors noted in ``[start, end)`` with their note counts, the most noted first (the
    meeting agenda's intel part, for a batch of workspaces in one GROUP BY)."""
    found: dict[int, list[tuple[str, int]]] = {}
    params = {"workspaces": list(workspace_ids), "start": start, "end": end}
    for workspace_id, name, count in session.execute(_NOTED_IN, params):
        found.setdefault(int(workspace_id), []).append((str(name), int(count)))
    return found


_NOTED = func.count().label("notes")
_NOTED_IN = (
    select(_NOTES.c.workspace_id, _COMPETITORS.c.name, _NOTED)
    .join_from(
        _NOTES,
        _COMPETITORS,
        and_(_COMPETITORS.c.id == _NOTES.c.competitor_id, _COMPETITORS.c.workspace_id == _NOTES.c.workspace_id),
    )
    .where(
        among(_NOTES.c.workspace_id, "workspaces"),
        _NOTES.c.created_at >= bindparam("start"),
        _NOTES.c.created_at < bindparam("end"),
    )
    .group_by(_NOTES.c.workspace_id, _COMPETITORS.c.id, _COMPETITORS.c.name)
    .order_by(_NOTES.c.workspace_id, _NOTED.desc(), _COMPETITORS.c.name)
)


def _latest_of(workspace_id: int, competitor_id: int, limit: int) -> Select[Any]:
    return (
        select(_NOTES.c.id, _NOTES.c.competitor_id, _NOTES.c.member_id, _NOTES.c.text, _NOTES.c.created_at)
        .where(_NOTES.c.workspace_id == workspace_id, _NOTES.c.competitor_id == competitor_id)
        .order_by(_NOTES.c.created_at.desc(), _NOTES.c.id.desc())
        .limit(limit)
    )


def notes_naming(session: Session, workspace_id: int, text: str, *, limit: int = 5) -> list[IntelLine]:
    """The latest ``limit`` notes, newest first, about the competitors whose names occur in ``text`` (a
    campaign's talking points) as whole words, case-insensitively. Bounded: one read of the workspace's
    competitor names, then one statement reading at most ``limit`` index entries per named competitor."""
    if limit <= 0 or not text.strip():
        return []
    named = names.naming(known(session, workspace_id), text)[:MAX_NAMED]
    if not named:
        return []
    parts = [_latest_of(workspace_id, competitor.id, limit).subquery() for competitor in named]
    notes = parts[0] if len(parts) == 1 else union_all(*(select(*part.c) for part in parts)).subquery()
    query = (
        select(notes.c.competitor_id, notes.c.text, _MEMBERS.c.display_name, notes.c.created_at)
        .select_from(
            notes.outerjoin(_MEMBERS, and_(_MEMBERS.c.id == notes.c.member_id, _MEMBERS.c.workspace_id == workspace_id))
        )
        .order_by(notes.c.created_at.desc(), notes.c.id.desc())
        .limit(limit)
    )
    by_id = {competitor.id: competitor.name for competitor in named}
    return [IntelLine(by_id[int(c)], note, author, at) for c, note, author, at in session.execute(query)]
