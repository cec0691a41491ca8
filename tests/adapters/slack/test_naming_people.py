"""A new team's admin names people who have never used Tandem (SPEC §2, §3: users are mentions, e-mails or
platform ids): Slack's directory (``users.info``, ``users.lookupByEmail``) finds them, and they are the same
members when they first speak."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from storage.models import Lead, Member, MemberAccount
from tests.adapters.slack.conftest import SlackWire
from tests.adapters.slack.test_lead_story import ack_of, all_text, buttons, deliver, dms_to


def said(wire: SlackWire, who: str, command: str, text: str) -> str:
    return all_text(ack_of(wire.command(who, command, text))["blocks"])


def lookups(wire: SlackWire) -> list[str]:
    """Every directory question asked so far: ``users.info`` ids and ``users.lookupByEmail`` addresses."""
    return [
        str(c.params.get("user") or c.params.get("email"))
        for c in wire.fake.calls
        if c.method in ("users.info", "users.lookupByEmail")
    ]


def member_of(wire: SlackWire, user_id: str) -> Member:
    with wire.runtime.db.session() as session:
        return session.exec(
            select(Member)
            .join(MemberAccount, col(MemberAccount.member_id) == col(Member.id))
            .where(MemberAccount.platform == "slack", MemberAccount.external_id == user_id)
        ).one()


@pytest.fixture
def fresh(wire: SlackWire) -> SlackWire:
    """A workspace where only its admin (TANDEM_ADMINS=UMARA) has ever typed a command."""
    wire.fake.add_user("UMAYA", "Maya Marketer", "maya@acme.test", tz="America/New_York")
    wire.fake.add_user("U0SAMSON1", "Samson Seller", "samson@acme.test")
    assert "Your open leads" in said(wire, "mara", "/lead", "list mine")
    return wire


def test_admin_sets_every_role_before_anyone_else_speaks(fresh: SlackWire) -> None:
    assert "is now a marketer (was rep)" in said(fresh, "mara", "/tandem", "role <@UMAYA|maya> marketer")
    assert "is now a manager (was rep)" in said(fresh, "mara", "/tandem", "role U0SAMSON1 manager")
    assert "is now a admin (was rep)" in said(fresh, "mara", "/tandem", "role eve@acme.test admin")
    assert lookups(fresh) == ["UMARA", "UMAYA", "U0SAMSON1", "eve@acme.test"]  # the speaker once, then each person

    maya = member_of(fresh, "UMAYA")
    assert (maya.role, maya.display_name, maya.email, maya.timezone) == (
        "marketer",
        "Maya Marketer",
        "maya@acme.test",
        "America/New_York",
    )
    assert (member_of(fresh, "U0SAMSON1").role, member_of(fresh, "UEVE").role) == ("manager", "admin")
    assert member_of(fresh, "UEVE").email == "eve@acme.test"


def test_the_lead_story_runs_with_people_named_before_they_spoke(fresh: SlackWire) -> None:
    said(fresh, "mara", "/tandem", "role <@UMAYA|maya> marketer")
    handed = said(fresh, "UMAYA", "/lead", "handoff Acme email:ann@acme.test to:rita@acme.test")
    assert "Handed off *L-1*" in handed and "<@URITA>" in handed
    deliver(fresh)
    [card] = dms_to(fresh, "URITA")
    assert "Accept" in buttons(card["blocks"])

    assert "Accepted" in said(fresh, "rita", "/lead", "accept L-1")
    rita, maya = member_of(fresh, "URITA"), member_of(fresh, "UMAYA")
    with fresh.runtime.db.session() as session:
        lead = session.exec(select(Lead)).one()
        assert (lead.status, lead.owner_id, lead.marketer_id) == ("accepted", rita.id, maya.id)
        assert len(session.exec(select(Member)).all()) == 3  # Mara, Maya, Rita: nobody twice
    # Maya and Rita were introduced with their profile: speaking later asks Slack nothing more about them
    assert lookups(fresh) == ["UMARA", "UMAYA", "rita@acme.test"]


def test_naming_people_tandem_knows_asks_slack_nothing(fresh: SlackWire) -> None:
    said(fresh, "rita", "/lead", "list")
    before = lookups(fresh)
    assert "is now a marketer" in said(fresh, "mara", "/tandem", "role <@URITA|rita> marketer")
    assert "is now a rep" in said(fresh, "mara", "/tandem", "role rita@acme.test rep")
    assert "Handed off *L-1*" in said(fresh, "mara", "/lead", "handoff Acme email:ceo@globex.test to:<@URITA>")
    assert lookups(fresh) == before


def test_someone_slack_does_not_know_is_answered_with_what_was_tried(fresh: SlackWire) -> None:
    by_mail = said(fresh, "mara", "/tandem", "role nobody@acme.test marketer")
    assert "couldn't find `nobody@acme.test` in this Slack workspace (looked up by e-mail)" in by_mail
    by_id = said(fresh, "mara", "/lead", "handoff Acme to:<@UNOBODY>")
    assert "couldn't find `UNOBODY` in this Slack workspace (looked up by user id)" in by_id
    fresh.fake.add_user("U0GONE001", "Gone Person", "gone@acme.test", deleted=True)
    assert "that account is deactivated" in said(fresh, "mara", "/tandem", "role U0GONE001 marketer")
    with fresh.runtime.db.session() as session:
        assert session.exec(select(Lead)).first() is None
        assert [m.display_name for m in session.exec(select(Member))] == ["Mara"]


def test_a_bot_or_a_slack_outage_is_named_in_the_answer(fresh: SlackWire) -> None:
    fresh.fake.add_user("UBOTTY", "Helper Bot", is_bot=True)
    assert "that is a bot, not a person" in said(fresh, "mara", "/tandem", "role <@UBOTTY> marketer")
    fresh.fake.fail("users.lookupByEmail", 500, times=1)
    down = said(fresh, "mara", "/tandem", "role maya@acme.test marketer")
    assert "(looked up by e-mail: Slack did not answer, try again in a minute)" in down
    assert "is now a marketer" in said(fresh, "mara", "/tandem", "role maya@acme.test marketer")  # Slack is back


def test_a_person_of_another_workspace_is_never_matched(fresh: SlackWire) -> None:
    fresh.fake.add_user("U0OTTO001", "Otto Outsider", "otto@other.test", team_id="T2")
    fresh.command("U0OTTO001", "/lead", "list mine", team_id="T2")  # Otto uses Tandem in his own workspace
    for named in ("<@U0OTTO001|otto>", "U0OTTO001", "otto@other.test"):
        answer = said(fresh, "mara", "/tandem", f"role {named} marketer")
        assert "couldn't find" in answer and "in this Slack workspace" in answer, named
    with fresh.runtime.db.session() as session:
        otto = session.exec(select(Member).where(Member.display_name == "Otto Outsider")).all()
        assert [m.role for m in otto] == ["rep"]  # only his own workspace's member, untouched
