"""Messages in personal chats and channels reach dispatch as the speaking member; replies go back to the
same conversation (a channel thread for channel messages) through the Bot Connector."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from bot.core.runtime import Runtime
from storage.models import ConversationRef, Lead, Member, MemberAccount, Outbox
from tests.adapters.teams.conftest import BOT, MARKETER, REP, mention, message
from tests.adapters.teams.fake_connector import FakeConnector


def test_personal_message_is_answered_in_the_same_chat(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    response = teams_client.post("/api/messages", json=message(connector, "help"))
    assert response.status_code == 200
    sent = connector.sent()
    assert len(sent) == 1
    assert sent[0].conversation == f"a:chat-{REP}"
    assert "lead" in connector.texts()[0]
    with teams_runtime.db.session() as session:
        rita = session.exec(select(Member).where(Member.email == "rita@acme.test")).one()
        assert rita.display_name == "Rita Rep" and rita.enriched
        accounts = {
            a.platform: a.external_id
            for a in session.exec(select(MemberAccount).where(MemberAccount.member_id == rita.id))
        }
        assert accounts == {"teams": REP, "entra": "aad-rita"}
        ref = session.exec(select(ConversationRef).where(ConversationRef.address == REP)).one()
        assert ref.member_id == rita.id and f"a:chat-{REP}" in ref.reference and connector.url in ref.reference


def test_channel_message_with_mentions_hands_off_and_replies_in_the_thread(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    thread = "19:sales@thread.tacv2;messageid=1700000000999"
    text = "<at>Tandem</at> lead handoff Acme email:ceo@acme.test to:<at>Rita</at>"
    activity = message(
        connector,
        text,
        user=MARKETER,
        name="Marta Marketer",
        conversation=thread,
        kind="channel",
        entities=[mention(BOT, "Tandem"), mention(REP, "Rita")],
    )
    assert teams_client.post("/api/messages", json=activity).status_code == 200
    [reply] = connector.sent()
    assert reply.conversation == thread  # in the thread, not a new post
    assert "L-1" in reply.body.get("text", "") + str(reply.body.get("attachments"))
    with teams_runtime.db.session() as session:
        lead = session.exec(select(Lead)).one()
        rita = session.exec(
            select(Member)
            .join(MemberAccount, MemberAccount.member_id == Member.id)
            .where(MemberAccount.external_id == REP)
        ).one()
        assert lead.company == "Acme" and lead.owner_id == rita.id
        assert rita.email == "rita@acme.test" and rita.display_name == "Rita Rep"  # enriched from the roster
        assert session.exec(select(Outbox).where(Outbox.target_member_id == rita.id)).first() is not None
        channel = session.exec(select(ConversationRef).where(ConversationRef.address == "19:sales@thread.tacv2")).one()
        assert channel.member_id is None
