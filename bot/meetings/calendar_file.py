"""What ``GET /meetings/<token>.ics`` answers: the meeting the token names, as an iCalendar file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session

from bot.meetings import service
from bot.meetings.ics import CalendarEntry, filename, ics
from storage.models import Member

DESCRIPTION = "The quarterly sales & marketing meeting, booked in Tandem. Type `meeting agenda` in chat for its agenda."


@dataclass(frozen=True)
class CalendarFile:
    body: bytes
    filename: str


def calendar_file(session: Session, base_url: str, token: str, now: datetime) -> CalendarFile | None:
    meeting = service.by_token(session, token)
    if meeting is None:
        return None
    host = urlsplit(base_url).hostname or "tandem"
    organiser = session.get(Member, meeting.organiser_id) if meeting.organiser_id else None
    organised = f" Organised by {organiser.display_name}." if organiser is not None else ""
    entry = CalendarEntry(
        uid=f"meeting-{meeting.id}.w{meeting.workspace_id}@{host}",
        title=meeting.title,
        starts_at=meeting.starts_at,
        zone=service.zone_of(meeting),
        status=meeting.status,
        sequence=meeting.sequence,
        stamp=now,
        url=service.ics_url(base_url, meeting),
        description=DESCRIPTION + organised,
    )
    return CalendarFile(ics(entry), filename(meeting.title))
