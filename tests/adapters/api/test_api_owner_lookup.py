"""``owner_email`` of someone who has never used Tandem (issue 13): the API has no platform of its own, so it asks
the directory of the chat platform the key's workspace is on — Slack's ``users.lookupByEmail``, the Teams rosters —
and the person becomes the member that later speaks, as when chat names them. Someone of another Slack team or
Teams tenant is unknown, answered exactly like nobody. And a key is a secret: it is only ever shown privately."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlmodel import col, select

from bot.core.runtime import Runtime
from storage.models import Lead, Member, MemberAccount
from tests.adapters.slack.conftest import SlackWire
from tests.adapters.slack.test_lead_story import ack_of, all_text
from tests.adapters.teams.conftest import BOT, MARKETER, mention, message
from tests.adapters.teams.fake_connector import FakeConnector

KEY = re.compile(r"tdm_[A-Za-z0-9_-]{43}")
CHANNEL = "19:general@thread.tacv2"


def post(http: TestClient, key: str, body: dict[str, Any]) -> httpx.Response:
    return http.post("/api/v1/leads", json=body, headers={"Authorization": f"Bearer {key}"})


def members_on(runtime: Runtime, platform: str) -> dict[str, Member]:
    with runtime.db.session() as session:
        rows = session.exec(
            select(MemberAccount, Member)
            .join(Member, col(Member.id) == col(MemberAccount.member_id))
            .where(MemberAccount.platform == platform)
        ).all()
    return {account.external_id: member for account, member in rows}


def slack_key(wire: SlackWire) -> str:
    answer = ack_of(wire.command("mara", "/tandem", "apikey create website"))
    assert answer["response_type"] == "ephemeral"  # only Mara sees it, even typed in a channel
    [key] = KEY.findall(all_text(answer["blocks"]))
    return key


def test_an_owner_slack_knows_but_tandem_has_not_met_gets_the_lead(wire: SlackWire) -> None:
    wire.fake.add_user("UMAYA", "Maya Rep", "maya@acme.test", tz="America/New_York")
    key = slack_key(wire)
    answer = post(wire.http, key, {"company": "Acme", "owner_email": "Maya@Acme.test"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["owner"] == {"name": "Maya Rep", "email": "maya@acme.test"}
    asked = [c.params.get("email") for c in wire.fake.calls_to("users.lookupByEmail")]
    assert asked == ["maya@acme.test"]

    maya = members_on(wire.runtime, "slack")["UMAYA"]
    assert (maya.display_name, maya.timezone, maya.enriched) == ("Maya Rep", "America/New_York", True)
    assert post(wire.http, key, {"company": "Globex", "owner_email": "maya@acme.test"}).status_code == 201
    assert len(wire.fake.calls_to("users.lookupByEmail")) == 1  # a member now: Slack is not asked again
    assert "Your open leads" in all_text(ack_of(wire.command("UMAYA", "/lead", "list mine"))["blocks"])
    assert len(members_on(wire.runtime, "slack")) == 2  # Mara and Maya: Maya speaking is the same member
    with wire.runtime.db.session() as session:
        assert {lead.owner_id for lead in session.exec(select(Lead))} == {maya.id}


def test_someone_of_another_slack_team_is_answered_like_nobody(wire: SlackWire) -> None:
    wire.fake.add_user("UOUT", "Otto Outsider", "otto@globex.test", team_id="T2")  # visible, like Slack Connect
    key = slack_key(wire)
    outsider = post(wire.http, key, {"company": "Acme", "owner_email": "otto@globex.test"})
    nobody = post(wire.http, key, {"company": "Acme", "owner_email": "nobody@globex.test"})
    assert outsider.status_code == nobody.status_code == 422
    said = outsider.json()["fields"][0]
    assert said["field"] == "owner_email"
    assert said["message"] == (
        "No one in this workspace has the e-mail otto@globex.test (Tandem looked among its members and "
        "in this Slack workspace (looked up by e-mail))."
    )
    assert said["message"].replace("otto", "nobody") == nobody.json()["fields"][0]["message"]
    assert "UOUT" not in members_on(wire.runtime, "slack")
    with wire.runtime.db.session() as session:
        assert session.exec(select(Lead)).first() is None


def test_when_slack_does_not_answer_the_lead_is_refused_not_crashed(wire: SlackWire) -> None:
    key = slack_key(wire)
    wire.fake.answers["users.lookupByEmail"] = {"ok": False, "error": "fatal_error"}
    answer = post(wire.http, key, {"company": "Acme", "owner_email": "maya@acme.test"})
    assert answer.status_code == 422
    assert "Slack did not answer, try again in a minute" in answer.json()["fields"][0]["message"]


def teams_say(client: TestClient, connector: FakeConnector, text: str, **extra: Any) -> str:
    before = len(connector.sent())
    activity = message(connector, text, user=MARKETER, name="Marta Marketer", **extra)
    assert client.post("/api/messages", json=activity).status_code == 200
    said = [c.body.get("text") or json.dumps(c.body.get("attachments"), ensure_ascii=False) for c in connector.sent()]
    return " ".join(said[before:]).replace("\\", "")


def test_in_teams_a_key_is_only_made_in_a_1_1_chat(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    at_bot = {"kind": "channel", "conversation": CHANNEL, "entities": [mention(BOT, "Tandem")]}
    in_channel = teams_say(teams_client, connector, "<at>Tandem</at> tandem apikey create website", **at_bot)
    assert "Ask me in a 1:1 chat" in in_channel and not KEY.search(in_channel)
    assert "no active API keys" in teams_say(teams_client, connector, "tandem apikey list")
    [key] = KEY.findall(teams_say(teams_client, connector, "tandem apikey create website"))
    assert "website" in teams_say(teams_client, connector, "<at>Tandem</at> tandem apikey list", **at_bot)

    connector.roster["29:nora-new"] = {
        "id": "29:nora-new",
        "name": "Nora New",
        "aadObjectId": "aad-nora",
        "email": "nora@acme.test",
        "userPrincipalName": "nora@acme.test",
    }
    answer = post(teams_client, key, {"company": "Acme", "owner_email": "nora@acme.test"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["owner"] == {"name": "Nora New", "email": "nora@acme.test"}
    looked = [c.path for c in connector.calls if "/members/" in c.path]
    assert looked and all(CHANNEL in path for path in looked)  # the team's roster, Tandem's own conversation
    nora = members_on(teams_runtime, "teams")["29:nora-new"]
    assert nora.display_name == "Nora New"
    assert members_on(teams_runtime, "entra")["aad-nora"].id == nora.id

    unknown = post(teams_client, key, {"company": "Globex", "owner_email": "ghost@acme.test"})
    assert unknown.status_code == 422
    assert "in this Teams organisation" in unknown.json()["fields"][0]["message"]
