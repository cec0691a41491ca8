"""GET /meetings/<id>.ics (SPEC §3 "meeting", §5): the file parses back with icalendar — METHOD:PUBLISH, a UID that
never changes, DTSTAMP, DTSTART with its TZID and the zone's VTIMEZONE, SEQUENCE raised by a move,
STATUS:CANCELLED once cancelled, titles with commas and line breaks escaped — behind an unguessable link."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import select
from starlette.testclient import TestClient

from bot.meetings.ics import CalendarEntry, filename, ics
from bot.server import create_app
from storage.models import Meeting
from tests.bot.conftest import Team, text_of


@pytest.fixture
def office(team: Team) -> Team:
    assert team.say("mara", "tandem settings timezone Europe/Berlin").ok
    return team


@pytest.fixture
def http(office: Team) -> Iterator[TestClient]:
    with TestClient(create_app(office.runtime.settings, runtime=office.runtime)) as client:
        yield client


def the_meeting(team: Team) -> Meeting:
    with team.runtime.db.session() as session:
        return session.exec(select(Meeting)).one()


def fetch(http: TestClient, meeting: Meeting) -> Calendar:
    response = http.get(f"/meetings/{meeting.ics_token}.ics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return Calendar.from_ical(response.content)


def event_of(calendar: Calendar) -> dict[str, object]:
    [event] = calendar.walk("VEVENT")
    return event  # type: ignore[no-any-return]


def test_the_file_publishes_the_meeting_in_its_zone_with_the_zones_rules(office: Team, http: TestClient) -> None:
    assert office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review").ok
    calendar = fetch(http, the_meeting(office))
    assert calendar["METHOD"] == "PUBLISH" and calendar["VERSION"] == "2.0" and "Tandem" in str(calendar["PRODID"])
    event = event_of(calendar)
    start = event["DTSTART"]
    assert start.params["TZID"] == "Europe/Berlin"  # type: ignore[attr-defined]
    assert start.dt == datetime(2026, 3, 20, 15, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # type: ignore[attr-defined]
    assert event["DTEND"].dt - start.dt == (datetime(2026, 1, 1, 1) - datetime(2026, 1, 1))  # type: ignore[attr-defined]
    assert event["DTSTAMP"].dt == datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    assert str(event["SUMMARY"]) == "Q1 review" and event["STATUS"] == "CONFIRMED" and event["SEQUENCE"] == 0
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    assert {component.name for component in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert calendar.get_missing_tzids() == set()


def test_a_move_raises_the_sequence_and_keeps_the_uid(office: Team, http: TestClient) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    before = event_of(fetch(http, the_meeting(office)))
    assert office.say("dana", "meeting move 2026-04-02 10:30").ok
    after = event_of(fetch(http, the_meeting(office)))
    assert after["UID"] == before["UID"] and after["SEQUENCE"] == 1
    assert after["DTSTART"].dt == datetime(2026, 4, 2, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # type: ignore[attr-defined]


def test_a_cancelled_meeting_says_so_with_a_higher_sequence(office: Team, http: TestClient) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    uid = event_of(fetch(http, the_meeting(office)))["UID"]
    assert office.say("dana", "meeting cancel").ok
    event = event_of(fetch(http, the_meeting(office)))
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1 and event["UID"] == uid


def test_commas_semicolons_and_line_breaks_in_a_title_are_escaped(office: Team, http: TestClient) -> None:
    reply = office.say("dana", 'meeting schedule 2026-03-20 15:00 "Q1 review, sales; marketing\nBERLIN\\ROOM"')
    assert reply.ok, text_of(reply)
    response = http.get(f"/meetings/{the_meeting(office).ics_token}.ics")
    assert b"SUMMARY:Q1 review\\, sales\\; marketing\\nBERLIN\\\\ROOM" in response.content
    assert str(event_of(Calendar.from_ical(response.content))["SUMMARY"]) == "Q1 review, sales; marketing\nBERLIN\\ROOM"
    assert response.headers["content-disposition"] == 'attachment; filename="q1-review-sales-marketing-berlin-room.ics"'


def test_unknown_or_malformed_links_are_a_404_that_names_nothing(office: Team, http: TestClient) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00 Q1 review")
    token = the_meeting(office).ics_token
    altered = token[:-1] + ("y" if token[-1] == "x" else "x")
    for path in (f"/meetings/{altered}.ics", "/meetings/1.ics", "/meetings/../t/1", f"/meetings/{token}x.ics"):
        response = http.get(path)
        assert response.status_code == 404 and "Q1 review" not in response.text, path
    assert http.get(f"/meetings/{token}").status_code == 200  # the .ics suffix is a courtesy


def test_the_link_is_random_and_differs_per_meeting(office: Team) -> None:
    office.say("dana", "meeting schedule 2026-03-20 15:00")
    office.say("dana", "meeting schedule 2026-06-11 15:00")
    with office.runtime.db.session() as session:
        tokens = [m.ics_token for m in session.exec(select(Meeting))]
    assert len(set(tokens)) == 2 and all(len(token) >= 22 for token in tokens)  # ≥ 16 random bytes


def test_a_meeting_in_utc_is_written_in_utc() -> None:
    entry = CalendarEntry(
        uid="meeting-1.w1@tandem.test",
        title="Q1",
        starts_at=datetime(2026, 3, 20, 14, 0, tzinfo=UTC),
        zone=ZoneInfo("UTC"),
        status="scheduled",
        sequence=0,
        stamp=datetime(2026, 3, 1, tzinfo=UTC),
        url="https://tandem.test/meetings/x.ics",
    )
    event = event_of(Calendar.from_ical(ics(entry)))
    assert event["DTSTART"].dt == datetime(2026, 3, 20, 14, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    assert filename("") == "meeting.ics" and filename("Été 2026 — Q3") == "ete-2026-q3.ics"
    assert date(2026, 3, 20) == event["DTSTART"].dt.date()  # type: ignore[attr-defined]
