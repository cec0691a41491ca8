"""Who a command names (SPEC §3: a mention, `@name`, an e-mail or a platform id): `@name` is one query however
large the team, and someone Tandem has not met is reported to the adapter, then introduced from what the
platform's directory found, as the member they will be when they first speak."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import select

from bot.core import people
from bot.core.dispatch import Answer
from bot.core.request import Named, Person, Request
from bot.core.runtime import Runtime
from storage.models import Member, MemberAccount
from tests.bot.conftest import Team, _set_role, text_of

NINA = Person("slack", "U0NINA001", "Nina New", "nina@t-acme.test", "Europe/Paris")


@pytest.fixture
def team(runtime: Runtime) -> Team:
    """A Slack workspace where Mara (admin) and Rita (rep) have used Tandem."""
    t = Team(runtime, platform="slack")
    for who in ("mara", "rita"):
        t.say(who, "lead list")
    _set_role(runtime, t, "mara", "admin")
    return t


def ask(team: Team, who: str, text: str, named: tuple[Named, ...] = ()) -> Answer:
    """``who`` speaks as in ``Team.say``, with what an adapter's directory found for the command."""
    person = Person(team.platform, f"{team.team_id}-{who}", who.capitalize(), f"{who}@{team.team_id.lower()}.test")
    return team.runtime.dispatcher.answer(Request(person=person, team_id=team.team_id, text=text, named=named))


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
            session.add(
                Member(
                    workspace_id=workspace_id,
                    display_name=f"Person {n}",
                    email=f"p{n}@t-acme.test",
                    created_at=team.runtime.clock.now(),
                )
            )
    loaded: list[object] = []
    with team.runtime.db.session() as session:
        event.listen(session, "loaded_as_persistent", lambda _session, row: loaded.append(row))
        found = people.find_member(session, workspace_id, "@rita")
    assert found.display_name == "Rita" and 1 <= len(loaded) <= 2


def test_a_stranger_is_reported_to_the_adapter_and_nothing_changes(team: Team) -> None:
    answer = ask(team, "mara", "tandem role U0NINA001 marketer")
    assert [ref.key for ref in answer.unmet] == ["U0NINA001"] and not answer.reply.ok
    assert "don't know anyone called `U0NINA001`" in text_of(answer.reply)  # where no directory can help
    with team.runtime.db.session() as session:
        assert session.exec(select(MemberAccount).where(MemberAccount.external_id == "U0NINA001")).first() is None


def test_someone_the_directory_found_becomes_the_member_who_later_speaks(team: Team) -> None:
    found = (Named("U0NINA001", NINA, "in this Slack workspace"),)
    answer = ask(team, "mara", "tandem role <@U0NINA001|nina> marketer", found)
    assert answer.reply.ok and not answer.unmet and "Nina New" in text_of(answer.reply)
    nina = team.runtime.dispatcher.handle(Request(person=NINA, team_id=team.team_id, text="lead list"))
    assert nina.ok
    with team.runtime.db.session() as session:
        [member] = session.exec(select(Member).where(Member.display_name == "Nina New")).all()
        assert (member.role, member.email, member.timezone, member.enriched) == (
            "marketer",
            "nina@t-acme.test",
            "Europe/Paris",
            True,
        )
        accounts = session.exec(select(MemberAccount).where(MemberAccount.member_id == member.id)).all()
        assert [(a.platform, a.external_id) for a in accounts] == [("slack", "U0NINA001")]


def test_a_found_email_tandem_knows_joins_that_person(team: Team) -> None:
    rita_elsewhere = Person("slack", "U0RITA001", "Rita Rep", "rita@t-acme.test")
    found = (Named("U0RITA001", rita_elsewhere, "in this Slack workspace"),)
    assert ask(team, "mara", "lead handoff Acme to:U0RITA001", found).reply.ok
    assert team.lead(1).owner_id == team.member("rita").id
    with team.runtime.db.session() as session:
        accounts = session.exec(select(MemberAccount).where(MemberAccount.member_id == team.member("rita").id)).all()
        assert {a.external_id for a in accounts} == {"T-ACME-rita", "U0RITA001"}


def test_nobody_found_says_where_the_adapter_looked(team: Team) -> None:
    tried = (Named("ghost@t-acme.test", None, "in this Slack workspace (looked up by e-mail)"),)
    answer = ask(team, "mara", "tandem role ghost@t-acme.test marketer", tried)
    assert (
        not answer.unmet
        and "couldn't find `ghost@t-acme.test` in this Slack workspace (looked up by e-mail)" in text_of(answer.reply)
    )


def test_a_list_filter_introduces_nobody(team: Team) -> None:
    answer = ask(team, "mara", "lead list all owner:U0NINA001")
    assert not answer.unmet and "Nobody called `U0NINA001` owns leads here" in text_of(answer.reply)
