"""A new tenant's admin names people who have never chatted with Tandem (SPEC §2, §3): a Teams user id, an
Entra object id or an e-mail is found in the rosters the bot can read, a mention by its entity; each becomes the
member that later speaks, and nobody of another tenant is ever matched."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from bot.core.runtime import Runtime
from schedules.jobs.delivery import deliver_due
from storage.models import Lead, Member, MemberAccount
from tests.adapters.teams.conftest import MARKETER, REP, mention, message
from tests.adapters.teams.fake_connector import FakeConnector

MAYA, SAM, EVE, DANA = "29:maya-marketer", "29:sam-seller", "29:eve-exec", "29:dana-director"
SAM_ENTRA = "5a1e5e11-0000-4000-8000-00000000005a"
OUTSIDER = "29:otto-outsider"


@pytest.fixture
def roster(connector: FakeConnector) -> FakeConnector:
    """The tenant's people, none of whom has used Tandem; Eve's e-mail is not her sign-in name (UPN)."""
    connector.roster.update(
        {
            MAYA: {
                "id": MAYA,
                "name": "Maya Marketer",
                "aadObjectId": "aad-maya",
                "email": "maya@acme.test",
                "userPrincipalName": "maya@acme.test",
            },
            SAM: {
                "id": SAM,
                "name": "Sam Seller",
                "aadObjectId": SAM_ENTRA,
                "email": "sam@acme.test",
                "userPrincipalName": "sam@acme.test",
            },
            EVE: {
                "id": EVE,
                "name": "Eve Exec",
                "aadObjectId": "aad-eve",
                "email": "eve@acme.test",
                "userPrincipalName": "e.exec@acme.onmicrosoft.com",
            },
            DANA: {
                "id": DANA,
                "name": "Dana Director",
                "aadObjectId": "aad-dana",
                "email": "dana@acme.test",
                "userPrincipalName": "dana@acme.test",
            },
        }
    )
    return connector


def say(
    client: TestClient,
    connector: FakeConnector,
    text: str,
    *,
    user: str = MARKETER,
    name: str = "Marta Marketer",
    **extra: Any,
) -> str:
    """What Tandem answered, as the reader sees it (Teams markdown's escapes removed)."""
    before = len(connector.sent())
    activity = message(connector, text, user=user, name=name, **extra)
    assert client.post("/api/messages", json=activity).status_code == 200
    said = [
        call.body.get("text") or json.dumps(call.body.get("attachments"), ensure_ascii=False)
        for call in connector.sent()[before:]
    ]
    return " ".join(said).replace("\\", "")


def member_of(runtime: Runtime, user_id: str) -> Member:
    with runtime.db.session() as session:
        return session.exec(
            select(Member)
            .join(MemberAccount, col(MemberAccount.member_id) == col(Member.id))
            .where(MemberAccount.platform == "teams", MemberAccount.external_id == user_id)
        ).one()


def accounts_of(runtime: Runtime, member: Member) -> dict[str, str]:
    with runtime.db.session() as session:
        rows = session.exec(select(MemberAccount).where(MemberAccount.member_id == member.id)).all()
        return {row.platform: row.external_id for row in rows}


def test_admin_sets_every_role_before_anyone_else_speaks(
    teams_client: TestClient, roster: FakeConnector, teams_runtime: Runtime
) -> None:
    assert "is now a marketer (was rep)" in say(teams_client, roster, f"tandem role {MAYA} marketer")
    assert "is now a manager (was rep)" in say(teams_client, roster, f"tandem role {SAM_ENTRA} manager")
    assert "is now a admin (was rep)" in say(teams_client, roster, "tandem role eve@acme.test admin")
    assert "is now a manager (was rep)" in say(
        teams_client, roster, "tandem role <at>Dana</at> manager", entities=[mention(DANA, "Dana")]
    )

    roles = {who: member_of(teams_runtime, who).role for who in (MAYA, SAM, EVE, DANA)}
    assert roles == {MAYA: "marketer", SAM: "manager", EVE: "admin", DANA: "manager"}
    sam = member_of(teams_runtime, SAM)
    assert (sam.display_name, sam.email) == ("Sam Seller", "sam@acme.test")
    assert accounts_of(teams_runtime, sam) == {"teams": SAM, "entra": SAM_ENTRA}
    assert accounts_of(teams_runtime, member_of(teams_runtime, EVE)) == {"teams": EVE, "entra": "aad-eve"}
    paged = [c for c in roster.calls if c.path.endswith("/pagedMembers")]
    assert paged, "an e-mail that is not a UPN is looked for in the roster's pages"


def test_the_lead_story_runs_with_people_named_before_they_spoke(
    teams_client: TestClient, roster: FakeConnector, teams_runtime: Runtime
) -> None:
    say(teams_client, roster, f"tandem role {MAYA} marketer")
    handed = say(
        teams_client, roster, "lead handoff Acme email:ceo@acme.test to:rita@acme.test", user=MAYA, name="Maya Marketer"
    )
    assert "Handed off" in handed and "L-1" in handed and "Rita Rep" in handed

    roster.installed.add(REP)
    report = asyncio.run(deliver_due(teams_runtime, owner="test"))
    assert report.sent >= 1
    assert [c for c in roster.sent() if c.conversation == f"a:chat-{REP}"], "Rita gets the lead card"
    assert "Accepted" in say(teams_client, roster, "lead accept L-1", user=REP, name="Rita Rep", aad="aad-rita")

    rita, maya = member_of(teams_runtime, REP), member_of(teams_runtime, MAYA)
    with teams_runtime.db.session() as session:
        lead = session.exec(select(Lead)).one()
        assert (lead.status, lead.owner_id, lead.marketer_id) == ("accepted", rita.id, maya.id)
        assert len(session.exec(select(Member)).all()) == 3  # Marta, Maya, Rita: nobody twice
    assert maya.role == "marketer" and accounts_of(teams_runtime, rita) == {"teams": REP, "entra": "aad-rita"}


def test_people_are_found_in_a_team_tandem_is_in_when_the_chat_roster_lacks_them(
    teams_client: TestClient, roster: FakeConnector, teams_runtime: Runtime
) -> None:
    channel = "19:sales@thread.tacv2"
    say(teams_client, roster, "lead list", conversation=f"{channel};messageid=1", kind="channel")
    roster.members_of[f"a:chat-{MARKETER}"] = {MARKETER}  # a 1:1 chat's roster is its two ends
    assert "is now a marketer" in say(teams_client, roster, f"tandem role {MAYA} marketer")
    asked = [c.conversation for c in roster.calls if c.path.endswith(f"/members/{MAYA}")]
    assert asked == [f"a:chat-{MARKETER}", channel]


def test_someone_the_rosters_lack_is_answered_with_what_was_tried(
    teams_client: TestClient, roster: FakeConnector, teams_runtime: Runtime
) -> None:
    by_mail = say(teams_client, roster, "tandem role nobody@acme.test marketer")
    assert "couldn't find `nobody@acme.test` in this Teams organisation (looked up by e-mail" in by_mail
    by_id = say(teams_client, roster, "lead handoff Acme to:29:nobody-at-all")
    assert "couldn't find `29:nobody-at-all` in this Teams organisation (looked up by Teams user id" in by_id
    slack_id = say(teams_client, roster, "tandem role U0SLACK01 marketer")
    assert "that is not a Teams user id, an Entra object id or an e-mail" in slack_id
    roster.fail_next(503)
    down = say(teams_client, roster, f"tandem role {MAYA} marketer")
    assert "the Bot Connector did not answer every lookup, try again in a minute" in down
    with teams_runtime.db.session() as session:
        assert session.exec(select(Lead)).first() is None
        assert [m.display_name for m in session.exec(select(Member))] == ["Marta Marketer"]


def test_a_person_of_another_tenant_is_never_matched(
    teams_client: TestClient, roster: FakeConnector, teams_runtime: Runtime
) -> None:
    other = "0ther000-0000-4000-8000-00000000bbbb"
    roster.roster[OUTSIDER] = {
        "id": OUTSIDER,
        "name": "Otto Outsider",
        "aadObjectId": "aad-otto",
        "email": "otto@other.test",
        "userPrincipalName": "otto@other.test",
        "tenantId": other,
    }
    say(teams_client, roster, "lead list", user=OUTSIDER, name="Otto Outsider", tenant=other)  # his own tenant
    for named in (OUTSIDER, "otto@other.test"):
        answer = say(teams_client, roster, f"tandem role {named} marketer")
        assert "couldn't find" in answer and "in this Teams organisation" in answer, named
    with teams_runtime.db.session() as session:
        otto = session.exec(select(Member).where(Member.display_name == "Otto Outsider")).all()
        assert [m.role for m in otto] == ["rep"]  # only his own tenant's member, untouched
