"""A meeting as an iCalendar file (RFC 5545, published with RFC 5546 ``METHOD:PUBLISH``), through the
``icalendar`` package: a UID that never changes, so a calendar updates the event it has rather than adding
another; ``SEQUENCE`` raised by every move or cancellation; the start in the zone it was booked in, with that
zone's VTIMEZONE; ``STATUS:CANCELLED`` once called off. Pure: the meeting's facts in, bytes out."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODUCT = "-//Tandem//Quarterly sales and marketing meeting//EN"
LENGTH = timedelta(hours=1)
_STATUS = {"scheduled": "CONFIRMED", "done": "CONFIRMED", "cancelled": "CANCELLED"}


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # stable for the meeting's whole life
    title: str
    starts_at: datetime  # aware
    zone: ZoneInfo  # the zone it was booked in: calendars show its wall time there, and convert for others
    status: str  # scheduled | done | cancelled
    sequence: int
    stamp: datetime  # when this file was made (RFC 5545 DTSTAMP with a METHOD)
    url: str
    description: str = ""


def ics(entry: CalendarEntry) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", entry.stamp)
    local = entry.starts_at.astimezone(entry.zone)
    event.add("dtstart", local)
    event.add("dtend", local + LENGTH)
    event.add("summary", entry.title)  # icalendar escapes commas, semicolons and line breaks
    if entry.description:
        event.add("description", entry.description)
    event.add("url", entry.url)
    event.add("sequence", entry.sequence)
    event.add("status", _STATUS.get(entry.status, "CONFIRMED"))
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    # the zone's rules around the meeting (not its whole history): a small file every calendar reads
    calendar.add_missing_timezones(
        first_date=(local - timedelta(days=400)).date(), last_date=(local + timedelta(days=400)).date()
    )
    return bytes(calendar.to_ical())


def filename(title: str) -> str:
    """A download name made of the title's safe characters: ``q2-2026-sales-marketing-meeting.ics``."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", title) if not unicodedata.combining(ch))  # É → E
    words = "".join(ch.lower() if ch.isascii() and ch.isalnum() else " " for ch in plain).split()
    return ("-".join(words)[:60].strip("-") or "meeting") + ".ics"
