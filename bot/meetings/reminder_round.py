"""The meetings' reminder round (SPEC §4), one batch of due meetings at a time: read the meetings whose
``next_due_at`` has come (a partial index: the cost follows them, not the table), pick the one reminder each is
due (bot/meetings/reminders.py), claim it in ``meeting_reminder`` — a multi-row INSERT … ON CONFLICT DO NOTHING, so
on any number of replicas one claim wins — and write the winners' posts and every meeting's next look together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.outbox import channel_values
from bot.core.replies import to_json
from bot.meetings import agenda, reminders, views
from bot.meetings.agenda_view import agenda as agenda_reply
from bot.meetings.posts import channels_of
from bot.meetings.service import Shown, ics_url, zone_of
from storage.id_lists import among
from storage.models import Meeting, MeetingReminder, Outbox, WorkspaceSetting
from storage.types import UTCDateTime

_MEETING = Meeting.__table__  # type: ignore[attr-defined]
_SENT = MeetingReminder.__table__  # type: ignore[attr-defined]
_SETTING = WorkspaceSetting.__table__  # type: ignore[attr-defined]
_OUTBOX = Outbox.__table__  # type: ignore[attr-defined]
_DUE = (
    select(
        _MEETING.c.id,
        _MEETING.c.workspace_id,
        _MEETING.c.title,
        _MEETING.c.starts_at,
        _MEETING.c.timezone,
        _MEETING.c.sequence,
        _MEETING.c.ics_token,
        _MEETING.c.next_due_at,
        _MEETING.c.created_at,
    )
    .where(_MEETING.c.next_due_at <= bindparam("now"))
    .order_by(_MEETING.c.next_due_at)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_CHANNELS = select(_SETTING.c.workspace_id, _SETTING.c.key, _SETTING.c.value).where(
    among(_SETTING.c.workspace_id, "workspaces"),
    _SETTING.c.key.in_(("sales_channel", "marketing_channel")),
)
_NEXT_DUE = (
    update(_MEETING)
    .where(_MEETING.c.id == bindparam("meeting"))
    .values(next_due_at=bindparam("due", type_=UTCDateTime()))
)
_SHARED_NEXT_DUE = (
    update(_MEETING).where(among(_MEETING.c.id, "meetings")).values(next_due_at=bindparam("due", type_=UTCDateTime()))
)


@dataclass(frozen=True, slots=True)
class Due:
    """A meeting the round looks at, as plain columns (no entity: a firing may read a thousand)."""

    id: int
    workspace_id: int
    title: str
    starts_at: datetime
    timezone: str
    sequence: int
    ics_token: str
    next_due_at: datetime | None
    created_at: datetime
    notes: str | None = None


@dataclass
class ReminderRound:
    reminded: int = 0
    agendas: int = 0
    skipped: int = 0  # earlier reminders a later one overtook (a late booking, a server that was down)
    expired: int = 0  # first looked at two hours after the start: nothing sent
    seen: int = 0

    def add(self, other: ReminderRound) -> None:
        self.reminded += other.reminded
        self.agendas += other.agendas
        self.skipped += other.skipped
        self.expired += other.expired
        self.seen += other.seen

    def __str__(self) -> str:
        return (
            f"reminded {self.reminded}, posted {self.agendas} agenda{'s' if self.agendas != 1 else ''}, "
            f"skipped {self.skipped} overtaken, {self.expired} too late"
        )


def remind_due_meetings(
    session: Session,
    clock: Clock,
    now: datetime,
    *,
    base_url: str,
    extras: Sequence[agenda.AgendaExtras] = (),
    limit: int = 200,
) -> ReminderRound:
    """One batch, in the caller's transaction: claims, posts and next looks commit together or not at all."""
    meetings = [Due(*row) for row in session.execute(_DUE, {"now": now, "limit": limit})]
    done = ReminderRound(seen=len(meetings))
    plans = {m.id: reminders.Schedule.of(m.starts_at, zone_of(m)) for m in meetings}
    due = {m.id: kind for m in meetings if (kind := plans[m.id].latest_due(now)) is not None}
    done.expired = len(meetings) - len(due)
    won = _claim(session, [m for m in meetings if m.id in due], due, now)
    channels = _channels(session, sorted({m.workspace_id for m in meetings if m.id in won}))
    sending = [m for m in meetings if m.id in won]
    agendas = _agendas(session, [m for m in sending if due[m.id] == "start"], now, extras)
    posts: list[dict[str, Any]] = []
    for meeting in sending:
        kind = due[meeting.id]
        done.skipped += plans[meeting.id].skipped(meeting.next_due_at, kind)
        shown = Shown(meeting, zone_of(meeting), ics_url(base_url, meeting))
        reply = agenda_reply(agendas[meeting.id], shown, posted=True) if kind == "start" else views.reminder(shown, now)
        payload = to_json(reply)
        if kind == "start":
            done.agendas += 1
        else:
            done.reminded += 1
        found = [channel for _label, channel in channels.get(meeting.workspace_id, [])]
        if found:  # one row for both channels: the reply is stored once and delivered to each in turn
            posts.append(
                channel_values(
                    clock,
                    workspace_id=meeting.workspace_id,
                    channel=found[0],
                    then=found[1:],
                    payload=payload,
                    kind="meeting_agenda" if kind == "start" else "meeting_reminder",
                    key=f"M{meeting.id}:s{meeting.sequence}:{kind}",
                )
            )
    if posts:  # their keys name claims this transaction just won, so no row can hold them yet: no key check
        session.execute(insert(_OUTBOX), posts)
    _look_again(
        session, {m.id: plans[m.id].next_due_at(now, after=due[m.id]) if m.id in due else None for m in meetings}
    )
    return done


# INSERT … SELECT from the batch's meetings (their ids one bound list) ON CONFLICT DO NOTHING RETURNING: one short
# statement per kind of reminder due, whatever the batch's size; the claims other replicas already made return
# nothing. The meetings are this transaction's (locked FOR UPDATE; SQLite's write lock), so their sequence is the
# one the round read.
_CLAIMED = select(
    _MEETING.c.workspace_id,
    _MEETING.c.id,
    bindparam("kind", type_=String()),
    _MEETING.c.sequence,
    bindparam("now", type_=UTCDateTime()),
).where(among(_MEETING.c.id, "meetings"))
_CLAIM = {
    name: dialect.insert(_SENT)
    .from_select(["workspace_id", "meeting_id", "kind", "sequence", "sent_at"], _CLAIMED)
    .on_conflict_do_nothing(index_elements=["meeting_id", "kind", "sequence"])
    .returning(_SENT.c.meeting_id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _look_again(session: Session, next_due: dict[int, datetime | None]) -> None:
    """Write each meeting's next look: one UPDATE per due time that several share (every agenda posted has none
    left; meetings booked for the same hour share their next reminder), the rest in one executemany."""
    sharing: dict[datetime | None, list[int]] = {}
    for meeting_id, due_at in next_due.items():
        sharing.setdefault(due_at, []).append(meeting_id)
    alone = [{"meeting": ids[0], "due": due_at} for due_at, ids in sharing.items() if len(ids) == 1]
    for due_at, ids in sharing.items():
        if len(ids) > 1:
            session.execute(_SHARED_NEXT_DUE, {"meetings": ids, "due": due_at})
    if alone:
        session.execute(_NEXT_DUE, alone)


def _claim(session: Session, meetings: list[Due], due: dict[int, str], now: datetime) -> set[int]:
    """The meetings whose reminder this transaction is the first to claim."""
    by_kind: dict[str, list[int]] = {}
    for meeting in meetings:
        by_kind.setdefault(due[meeting.id], []).append(meeting.id)
    statement = _CLAIM[session.get_bind().dialect.name]
    return {
        int(meeting_id)
        for kind, ids in by_kind.items()
        for meeting_id in session.execute(statement, {"meetings": ids, "kind": kind, "now": now}).scalars()
    }


def _channels(session: Session, workspaces: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Each workspace's meeting channels, for the whole batch in one query."""
    if not workspaces:
        return {}
    values: dict[int, dict[str, str]] = {}
    for workspace_id, key, value in session.execute(_CHANNELS, {"workspaces": workspaces}):
        values.setdefault(int(workspace_id), {})[key] = value
    return {workspace_id: channels_of(found) for workspace_id, found in values.items()}


def _agendas(
    session: Session, meetings: list[Due], now: datetime, extras: Sequence[agenda.AgendaExtras]
) -> dict[int, agenda.AgendaFacts]:
    """The facts of every agenda the batch posts, gathered together (bot/meetings/agenda.py's ``for_meetings``)."""
    if not meetings:
        return {}
    wanted = [agenda.Wanted(m.workspace_id, m.starts_at, zone_of(m)) for m in meetings]
    return {m.id: facts for m, facts in zip(meetings, agenda.for_meetings(session, wanted, now, extras), strict=True)}
