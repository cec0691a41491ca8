"""Proactive delivery: a hand-off card reaches the rep's Teams chat (opened through the connector when the
bot is installed but has never chatted), Accept runs as the clicker and updates the card; an unreachable
member is parked and reported; the connector's 429 Retry-After reaches the outbox back-off."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.delivery import DeliveryFailed, Target
from bot.core.replies import say
from bot.core.runtime import Runtime
from schedules.jobs.delivery import deliver_due
from storage.models import ConversationRef, Lead, Outbox
from tests.adapters.teams.conftest import BOT, MARKETER, REP, TENANT, mention, message
from tests.adapters.teams.fake_connector import FakeConnector


def _hand_off(client: TestClient, connector: FakeConnector) -> None:
    text = "<at>Tandem</at> lead handoff Acme email:ceo@acme.test to:<at>Rita Rep</at>"
    activity = message(
        connector,
        text,
        user=MARKETER,
        name="Marta Marketer",
        conversation="19:sales@thread.tacv2;messageid=1700000000001",
        kind="channel",
        entities=[mention(BOT, "Tandem"), mention(REP, "Rita Rep")],
    )
    assert client.post("/api/messages", json=activity).status_code == 200


def _handoff_row(runtime: Runtime) -> Outbox:
    with runtime.db.session() as session:
        return session.exec(select(Outbox).where(Outbox.kind == "handoff")).one()


def _card_data(call_body: dict) -> list[dict]:
    """Every Action.Submit data object in the posted card (including those inside a ShowCard)."""
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call_body.get("attachments"))
    return found


def test_handoff_card_opens_a_chat_with_the_rep_and_accept_updates_the_card(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    connector.installed.add(REP)
    _hand_off(teams_client, connector)
    connector.calls.clear()

    report = asyncio.run(deliver_due(teams_runtime, owner="test"))
    assert report.sent >= 1
    created = [c for c in connector.calls if c.method == "POST" and c.path == "/v3/conversations"]
    assert created and created[0].body["members"] == [{"id": REP}] and created[0].body["tenantId"] == TENANT
    [card] = [c for c in connector.sent() if c.conversation == f"a:chat-{REP}"]
    data = _card_data(card.body)
    accept = next(d for d in data if d["tandem_command"] == "lead accept L-1")
    assert accept["tandem_outbox"] == _handoff_row(teams_runtime).id
    assert any(d["tandem_command"] == "lead reject L-1" for d in data)
    with teams_runtime.db.session() as session:  # the new 1:1 chat is remembered
        ref = session.exec(select(ConversationRef).where(ConversationRef.address == REP)).one()
        assert json.loads(ref.reference)["conversation_id"] == f"a:chat-{REP}"

    card_id = "1001"
    click = message(connector, "", user=REP, name="Rita Rep", value=accept, reply_to=card_id)
    assert teams_client.post("/api/messages", json=click).status_code == 200
    [update] = connector.updates()
    assert update.path == f"/v3/conversations/a:chat-{REP}/activities/{card_id}"
    rendered = json.dumps(update.body)
    assert "Accepted by" in rendered and "Rita Rep" in rendered and "Waiting to be accepted" not in rendered
    next_steps = [d["tandem_command"] for d in _card_data(update.body)]
    assert "lead accept L-1" not in next_steps and "lead reject L-1" not in next_steps  # nobody clicks twice
    assert "lead touch L-1" in next_steps and all(
        d["tandem_outbox"] == accept["tandem_outbox"] for d in _card_data(update.body)
    )
    with teams_runtime.db.session() as session:
        assert session.exec(select(Lead)).one().status == "accepted"


def test_a_card_acted_on_elsewhere_is_rewritten_without_its_buttons(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    connector.installed.add(REP)
    _hand_off(teams_client, connector)
    asyncio.run(deliver_due(teams_runtime, owner="test"))
    ref = _handoff_row(teams_runtime).delivered_ref
    assert ref is not None
    conversation, activity_id = ref.split("|")
    typed = message(connector, "lead accept L-1")  # typed in the 1:1 chat, not pressed on the card
    assert teams_client.post("/api/messages", json=typed).status_code == 200
    assert not connector.updates()
    asyncio.run(deliver_due(teams_runtime, owner="test"))
    [update] = connector.updates()
    assert update.path == f"/v3/conversations/{conversation}/activities/{activity_id}"
    rendered = json.dumps(update.body, ensure_ascii=False)
    assert "Since then: 🟢 Accepted" in rendered and "Acme" in rendered
    assert _card_data(update.body) == []  # no button left to press


def test_reject_with_a_reason_typed_in_the_card(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    connector.installed.add(REP)
    _hand_off(teams_client, connector)
    asyncio.run(deliver_due(teams_runtime, owner="test"))
    [card] = [c for c in connector.sent() if c.conversation == f"a:chat-{REP}"]
    reject = next(d for d in _card_data(card.body) if d["tandem_command"] == "lead reject L-1")
    click = message(
        connector, "", user=REP, value={**reject, "tandem_text": "wrong persona, a student"}, reply_to="1001"
    )
    assert teams_client.post("/api/messages", json=click).status_code == 200
    with teams_runtime.db.session() as session:
        lead = session.exec(select(Lead)).one()
        assert lead.status == "rejected" and "student" in (lead.outcome_reason or "")


def test_member_the_bot_cannot_reach_is_parked_and_reported(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    _hand_off(teams_client, connector)  # Rita never installed Tandem: the connector refuses a 1:1 chat
    report = asyncio.run(deliver_due(teams_runtime, owner="test"))
    assert report.parked >= 1
    row = _handoff_row(teams_runtime)
    assert row.status == "failed"
    assert "Rita Rep" in (row.last_error or "") and "not installed" in (row.last_error or "")


def test_connector_429_retry_after_reaches_the_outbox_backoff(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime, clock: FakeClock
) -> None:
    connector.installed.add(REP)
    _hand_off(teams_client, connector)
    connector.fail_next(429, {"Retry-After": "60"})  # too long to wait for in the delivery job
    asyncio.run(deliver_due(teams_runtime, owner="test"))
    row = _handoff_row(teams_runtime)
    assert row.status == "pending" and row.next_attempt_at == clock.now() + timedelta(seconds=60)
    clock.advance(timedelta(seconds=61))
    assert asyncio.run(deliver_due(teams_runtime, owner="test")).sent >= 1
    assert _handoff_row(teams_runtime).status == "sent"


def test_a_short_connector_429_is_waited_out_in_the_delivery_job(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime, clock: FakeClock
) -> None:
    connector.installed.add(REP)
    _hand_off(teams_client, connector)
    connector.fail_next(429, {"Retry-After": "7"})
    start = clock.now()
    report = asyncio.run(deliver_due(teams_runtime, owner="test"))
    assert (report.sent, report.waited, report.retrying) == (1, 1, 0)  # not back to the outbox: no transaction
    assert clock.now() >= start + timedelta(seconds=7)  # the tenant's pause was waited out (on the test's clock)
    row = _handoff_row(teams_runtime)
    assert row.status == "sent" and row.attempts == 1


def test_sender_maps_connector_failures(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    teams_client.post("/api/messages", json=message(connector, "help"))  # Rita's 1:1 chat is now known
    sender = teams_runtime.senders["teams"]
    target = Target(platform="teams", team_id=TENANT, kind="user", address=REP)

    async def attempt() -> DeliveryFailed | str | None:
        try:
            return await sender.send(target, say("hello"))
        except DeliveryFailed as failure:
            return failure

    connector.fail_next(503)
    failure = asyncio.run(attempt())
    assert isinstance(failure, DeliveryFailed) and not failure.permanent and "503" in str(failure)
    connector.fail_next(429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    failure = asyncio.run(attempt())
    assert isinstance(failure, DeliveryFailed) and failure.retry_after == 0.0
    ok = asyncio.run(attempt())
    assert isinstance(ok, str) and ok.startswith(f"a:chat-{REP}|")
    stranger = Target(platform="teams", team_id="another-tenant", kind="user", address="29:nobody")
    failure = asyncio.run(_try(sender, stranger))
    assert isinstance(failure, DeliveryFailed) and failure.permanent


async def _try(sender: object, target: Target) -> DeliveryFailed | None:
    try:
        await sender.send(target, say("hi"))  # type: ignore[attr-defined]
    except DeliveryFailed as failure:
        return failure
    return None


def test_channel_set_with_here_receives_channel_posts(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime, clock: FakeClock
) -> None:
    from bot.admin.settings import all_settings
    from bot.core.outbox import enqueue_channel

    thread = "19:sales@thread.tacv2;messageid=1700000000002"
    activity = message(
        connector,
        "<at>Tandem</at> tandem settings sales_channel here",
        user=MARKETER,
        name="Marta Marketer",
        conversation=thread,
        kind="channel",
        entities=[mention(BOT, "Tandem")],
    )
    assert teams_client.post("/api/messages", json=activity).status_code == 200
    with teams_runtime.db.session() as session:
        row = session.exec(select(ConversationRef).where(ConversationRef.member_id.is_(None))).one()  # type: ignore[union-attr]
        channel = dict(all_settings(session, row.workspace_id))["sales_channel"]
        assert channel == "teams:19:sales@thread.tacv2"
        enqueue_channel(
            session,
            clock,
            workspace_id=row.workspace_id,
            channel=channel,
            reply=say("📣 New campaign"),
            kind="announce",
            key="c1",
        )
    connector.calls.clear()
    assert asyncio.run(deliver_due(teams_runtime, owner="test")).sent == 1
    [post] = connector.sent()
    assert post.conversation == "19:sales@thread.tacv2" and "New campaign" in post.body["text"]
