"""Who a command names (SPEC §3: a mention, `@name`, an e-mail or a platform id): `@name` is one query however
large the team."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from bot.core import people
from bot.core.request import Person, Request
from bot.core.runtime import Runtime
from storage.models import Member
from tests.bot.conftest import Team, _set_role, text_of


@pytest.fixture
def team(runtime: Runtime) -> Team:
    """A Slack workspace where Mara (admin) and Rita (rep) have used Tandem."""
    t = Team(runtime, platform="slack")
    for who in ("mara", "rita"):
        t.say(who, "lead list")
    _set_role(runtime, t, "mara", "admin")
    return t


def meet(team: Team, display_name: str, email: str | None = None) -> None:
    """Somebody uses Tandem once, under the name their platform gives them."""
    person = Person(team.platform, f"{team.team_id}-{display_name}", display_name, email)
    assert team.runtime.dispatcher.handle(Request(person=person, team_id=team.team_id, text="lead list")).ok


def owner_of_l1(team: Team) -> str:
    with team.runtime.db.session() as session:
        owner = session.get(Member, team.lead(1).owner_id)
        assert owner is not None
        return owner.display_name


def test_a_name_is_a_full_name_a_first_name_or_an_email_local_part(team: Team) -> None:
    meet(team, "Paula Prospect", "pp@t-acme.test")
    meet(team, "Émile Zola", "ez@t-acme.test")
    assert team.say("mara", "lead handoff Acme to:@paula").ok and owner_of_l1(team) == "Paula Prospect"
    assert "Émile Zola" in team.text("mara", "lead reassign L-1 to:@émile")  # not ASCII: folded all the same
    assert "Paula Prospect" in team.text("mara", "lead reassign L-1 to:@pp")
    assert "Rita" in team.text("mara", 'lead reassign L-1 to:"Rita"')


def test_an_exact_name_wins_and_a_shared_first_name_is_ambiguous(team: Team) -> None:
    meet(team, "Alex")
    meet(team, "Alex Stone")
    meet(team, "Robin Hood")
    meet(team, "Robin Banks")
    assert team.say("mara", "lead handoff Acme to:@alex").ok and owner_of_l1(team) == "Alex"
    refused = team.say("mara", "lead reassign L-1 to:@robin")
    assert not refused.ok and "More than one person matches `@robin`" in text_of(refused)
    assert owner_of_l1(team) == "Alex"


def test_wildcards_in_a_name_match_only_themselves(team: Team) -> None:
    for name in ("@r%", "@rit_", "@%"):
        refused = team.say("mara", f"lead handoff Acme to:{name}")
        assert not refused.ok and "don't know anyone called" in text_of(refused), name


def test_finding_a_name_reads_two_members_however_large_the_team(team: Team) -> None:
    workspace_id = team.member("mara").workspace_id
    with team.runtime.db.session() as session:
        for n in range(60):
            session.add(Member(workspace_id=workspace_id, display_name=f"Person {n}", email=f"p{n}@t-acme.test",
                               created_at=team.runtime.clock.now()))
    loaded: list[object] = []
    with team.runtime.db.session() as session:
        event.listen(session, "loaded_as_persistent", lambda _session, row: loaded.append(row))
        found = people.find_member(session, workspace_id, "@rita")
    assert found.display_name == "Rita" and 1 <= len(loaded) <= 2
