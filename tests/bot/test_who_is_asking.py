"""Who is asking: a known member costs one plain read, yet every sighting still teaches Tandem what is new."""

from __future__ import annotations

import sqlite3

import pytest

from bot.core.request import Person, Request
from tests.bot.conftest import Team, text_of


def _say(team: Team, person: Person, text: str) -> str:
    reply = team.runtime.dispatcher.handle(Request(person=person, team_id=team.team_id, text=text))
    return text_of(reply)


def test_a_time_zone_and_email_learned_later_are_kept(team: Team) -> None:
    rita = team.member("rita")
    assert rita.timezone is None
    later = Person(team.platform, f"{team.team_id}-rita", "Rita", "rita@t-acme.test", "Europe/Berlin")
    _say(team, later, "lead list")
    assert team.member("rita").timezone == "Europe/Berlin"


def test_a_bare_id_name_is_replaced_by_the_real_name_on_the_next_sighting(team: Team) -> None:
    user_id = f"{team.team_id}-nia"
    _say(team, Person(team.platform, user_id, None), "lead list")
    assert team.member("nia").display_name == user_id
    _say(team, Person(team.platform, user_id, "Nia Novak"), "lead list")
    assert team.member("nia").display_name == "Nia Novak"


def test_someone_listed_in_tandem_admins_later_is_admin_on_their_next_command(team: Team) -> None:
    assert team.member("sam").role == "rep"
    settings = team.runtime.settings.model_copy(update={"admins_raw": f"{team.team_id}-sam"})
    settings.__dict__.pop("admins", None)
    team.runtime.dispatcher.settings = settings
    assert team.say("sam", "tandem settings").ok
    assert team.member("sam").role == "admin"


def test_a_role_granted_in_between_counts_at_once(team: Team) -> None:
    assert "needs the marketer role" in team.text("sam", "lead handoff Acme to:@rita")
    assert team.say("mara", "tandem role sam@t-acme.test marketer").ok
    assert team.say("sam", "lead handoff Acme to:@rita").ok


def test_reading_leads_writes_nothing(team: Team) -> None:
    if not team.runtime.db.is_sqlite:
        pytest.skip("SQLite's data_version shows another connection's commits")
    team.say("mara", "lead handoff Acme to:@rita note:call")
    team.say("rita", "lead accept L-1")
    path = team.runtime.db.engine.url.database
    assert path and path != ":memory:"
    observer = sqlite3.connect(path)
    try:
        before = observer.execute("PRAGMA data_version").fetchone()[0]
        for command in ("lead show L-1", "lead list mine", "lead list all", "help"):
            assert team.say("rita", command).ok, command
        assert observer.execute("PRAGMA data_version").fetchone()[0] == before
        team.say("rita", "lead touch L-1 called")
        assert observer.execute("PRAGMA data_version").fetchone()[0] != before  # the observer does see writes
    finally:
        observer.close()
