"""Installs, tenant restriction and bad activities: malformed input gets a 4xx with a reason or a polite
reply — never a 500 — and another organisation's tenant gets a refusal with nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.runtime import Runtime
from bot.server import build_runtime, create_app
from storage.models import ConversationRef, Member, MemberAccount, Workspace
from tests.adapters.teams.conftest import BOT, MARKETER, REP, TENANT, message, teams_settings
from tests.adapters.teams.fake_connector import FakeConnector


def _install(
    connector: FakeConnector, *, kind: str, conversation: str, added: list[dict], tenant: str = TENANT
) -> dict:
    activity = message(
        connector, user=MARKETER, name="Marta Marketer", conversation=conversation, kind=kind, tenant=tenant
    )
    activity.update(type="conversationUpdate", membersAdded=added)
    activity.pop("text")
    return activity


def test_personal_install_greets_and_remembers_the_chat(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    activity = _install(connector, kind="personal", conversation=f"a:chat-{MARKETER}", added=[{"id": BOT}])
    assert teams_client.post("/api/messages", json=activity).status_code == 200
    [welcome] = connector.sent()
    assert welcome.conversation == f"a:chat-{MARKETER}" and "help" in welcome.body["text"]
    with teams_runtime.db.session() as session:
        ref = session.exec(select(ConversationRef).where(ConversationRef.address == MARKETER)).one()
        assert json.loads(ref.reference)["conversation_id"] == f"a:chat-{MARKETER}"
        marta = session.get(Member, ref.member_id)
        assert marta is not None and marta.role == "admin"  # TANDEM_ADMINS


def test_team_install_enriches_every_member_from_the_roster(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    activity = _install(connector, kind="channel", conversation="19:general@thread.tacv2", added=[{"id": BOT}])
    assert teams_client.post("/api/messages", json=activity).status_code == 200
    with teams_runtime.db.session() as session:
        members = {m.email: m for m in session.exec(select(Member)).all()}
        assert set(members) == {"marta@acme.test", "rita@acme.test"}
        assert members["rita@acme.test"].display_name == "Rita Rep" and members["rita@acme.test"].enriched
        entra = session.exec(select(MemberAccount).where(MemberAccount.platform == "entra")).all()
        assert {a.external_id for a in entra} == {"aad-marta", "aad-rita"}
        addresses = set(session.exec(select(ConversationRef.address)).all())
        assert addresses == {MARKETER, REP, "19:general@thread.tacv2"}


@pytest.fixture
def restricted_client(database_url: str, clock: FakeClock) -> Iterator[tuple[TestClient, Runtime]]:
    runtime = build_runtime(teams_settings(database_url, TANDEM_TEAMS_TENANTS=TENANT), clock=clock)
    with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
        yield client, runtime
    runtime.db.dispose()


def test_other_tenants_are_refused_politely_and_nothing_is_stored(
    restricted_client: tuple[TestClient, Runtime], connector: FakeConnector
) -> None:
    client, runtime = restricted_client
    stranger = message(connector, "lead list", tenant="other-tenant", user="29:eve", name="Eve")
    assert client.post("/api/messages", json=stranger).status_code == 200
    [refusal] = connector.sent()
    assert "other organisations" in refusal.body["text"]
    install = _install(
        connector, kind="channel", conversation="19:x@thread.tacv2", added=[{"id": BOT}], tenant="other-tenant"
    )
    assert client.post("/api/messages", json=install).status_code == 200
    with runtime.db.session() as session:
        assert session.exec(select(Workspace)).all() == []
        assert session.exec(select(ConversationRef)).all() == []
    assert client.post("/api/messages", json=message(connector, "help")).status_code == 200
    assert len(connector.sent()) == 2  # the allowed tenant is served


@pytest.mark.parametrize(
    "body, status",
    [
        (b"this is not json", 400),
        (b"[1, 2]", 400),
        (b'{"text": "no type"}', 400),
        (b'{"type": "somethingNew", "id": "1"}', 400),
        (b'{"type": "message", "text": "help"}', 400),  # no conversation, from, recipient...
        (b'{"type": "message", "from": 7, "conversation": {}, "recipient": {}}', 400),
    ],
)
def test_malformed_activities_get_a_4xx_with_a_reason(teams_client: TestClient, body: bytes, status: int) -> None:
    response = teams_client.post("/api/messages", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert "error" in response.json() and "Traceback" not in response.text


def test_oversized_body_is_refused(teams_client: TestClient, connector: FakeConnector) -> None:
    activity = message(connector, "x" * 600_000)
    assert teams_client.post("/api/messages", json=activity).status_code == 413


def test_huge_text_gets_a_polite_reply(teams_client: TestClient, connector: FakeConnector) -> None:
    activity = message(connector, "lead note " + "y" * 45_000)
    assert teams_client.post("/api/messages", json=activity).status_code == 200
    [reply] = connector.sent()
    assert "too long" in json.dumps(reply.body)


def test_empty_message_and_unknown_words_get_help(teams_client: TestClient, connector: FakeConnector) -> None:
    assert teams_client.post("/api/messages", json=message(connector, "   ")).status_code == 200
    assert teams_client.post("/api/messages", json=message(connector, "lead frobnicate")).status_code == 200
    first, second = connector.texts()
    assert "help" in first
    assert "not a command" in second or "Did you mean" in second


def test_a_broken_button_payload_gets_a_polite_reply(teams_client: TestClient, connector: FakeConnector) -> None:
    activity = message(connector, "", value={"tandem_command": 42})
    assert teams_client.post("/api/messages", json=activity).status_code == 200
    assert "no longer works" in connector.texts()[0]


def test_connector_failure_while_replying_is_not_a_500(teams_client: TestClient, connector: FakeConnector) -> None:
    connector.fail_next(502, times=2)
    assert teams_client.post("/api/messages", json=message(connector, "help")).status_code == 200


def test_typing_and_reactions_are_accepted_quietly(teams_client: TestClient, connector: FakeConnector) -> None:
    typing = message(connector)
    typing["type"] = "typing"
    typing.pop("text")
    assert teams_client.post("/api/messages", json=typing).status_code == 200
    assert connector.sent() == []


def test_an_entra_object_id_in_tandem_admins_makes_an_admin(
    database_url: str, clock: FakeClock, connector: FakeConnector
) -> None:
    runtime = build_runtime(teams_settings(database_url, admins="aad-rita"), clock=clock)
    with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
        assert client.post("/api/messages", json=message(connector, "tandem settings")).status_code == 200
    assert "needs the admin role" not in connector.texts()[0] and "channel" in connector.texts()[0]
    with runtime.db.session() as session:
        assert session.exec(select(Member)).one().role == "admin"
    runtime.db.dispose()
