"""Campaigns over Teams: `campaign announce` alone answers with an Adaptive Card form whose submit is the same
command; a refusal comes back above the form with the answers kept; the sales channel's post carries Why? and
Comment, and pressing them answers the rep alone, in their own chat, leaving the post as everyone sees it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from bot.core.runtime import Runtime
from schedules.jobs.delivery import deliver_due
from storage.models import Campaign, CampaignComment, Outbox
from tests.adapters.teams.conftest import BOT, MARKETER, REP, mention, message
from tests.adapters.teams.fake_connector import Call, FakeConnector

SALES = "19:sales@thread.tacv2"


def _say(client: TestClient, connector: FakeConnector, text: str, **kw: Any) -> None:
    assert client.post("/api/messages", json=message(connector, text, **kw)).status_code == 200


def _as_marketer(**kw: Any) -> dict[str, Any]:
    return {"user": MARKETER, "name": "Marta Marketer", **kw}


def _walk(node: object, found: list[dict[str, Any]]) -> None:
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)


def _elements(call: Call) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    _walk(call.body.get("attachments"), found)
    return found


def _inputs(call: Call) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in _elements(call) if str(e.get("type", "")).startswith("Input.")}


def _submits(call: Call) -> list[dict[str, Any]]:
    return [e["data"] for e in _elements(call) if e.get("type") == "Action.Submit"]


def _sales_channel_here(client: TestClient, connector: FakeConnector) -> None:
    _say(
        client,
        connector,
        "<at>Tandem</at> tandem settings sales_channel here",
        **_as_marketer(
            conversation=f"{SALES};messageid=1700000000001", kind="channel", entities=[mention(BOT, "Tandem")]
        ),
    )


def test_announce_alone_answers_with_a_form_card_and_its_submit_announces(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    _say(teams_client, connector, "campaign announce", **_as_marketer())
    [form] = connector.sent()
    inputs = _inputs(form)
    assert inputs["tf_name"]["type"] == "Input.Text" and inputs["tf_name"]["isRequired"] is True
    assert inputs["tf_goal"]["isMultiline"] is True and inputs["tf_goal"]["maxLength"] == 2000
    assert inputs["tf_target"]["type"] == "Input.Number" and inputs["tf_target"]["min"] == 1
    assert inputs["tf_ends"]["type"] == "Input.Date"
    [submit] = _submits(form)
    assert submit == {"tandem_form": "campaign_announce"}

    answers: dict[str, object] = {"tf_name": "Q4 **Webinar** <at>x</at>", "tf_goal": "60 qualified leads"}
    answers["tf_ends"] = "2026-01-01"
    _say(teams_client, connector, "", **_as_marketer(value={**submit, **answers}, reply_to="1001"))
    [refused] = connector.updates()
    assert refused.path.endswith("/activities/1001")  # the form itself, shown again
    shown = json.dumps(refused.body)
    assert "2026-01-01" in shown and "is in the past" in shown
    kept = _inputs(refused)
    assert kept["tf_name"]["value"] == "Q4 **Webinar** <at>x</at>" and kept["tf_goal"]["value"] == "60 qualified leads"
    with teams_runtime.db.session() as session:
        assert session.exec(select(Campaign)).first() is None

    answers.update(tf_ends="2026-06-30", tf_target=40)  # Teams answers a number input with a number
    _say(teams_client, connector, "", **_as_marketer(value={**submit, **answers}, reply_to="1001"))
    done = connector.updates()[-1]
    assert "Announced" in json.dumps(done.body) and not _inputs(done)
    with teams_runtime.db.session() as session:
        campaign = session.exec(select(Campaign)).one()
    assert (campaign.name, campaign.target, str(campaign.ends_on)) == ("Q4 **Webinar** <at>x</at>", 40, "2026-06-30")


def test_a_rep_submitting_the_form_is_refused_above_it(teams_client: TestClient, connector: FakeConnector) -> None:
    _say(teams_client, connector, "campaign announce")
    [submit] = _submits(connector.sent()[0])
    _say(teams_client, connector, "", value={**submit, "tf_name": "Mine", "tf_goal": "More"}, reply_to="1001")
    [refused] = connector.updates()
    assert "needs the marketer role" in json.dumps(refused.body) and _inputs(refused)["tf_name"]["value"] == "Mine"


def test_the_handoff_form_works_in_teams_too(teams_client: TestClient, connector: FakeConnector) -> None:
    _say(teams_client, connector, "lead list")  # Rita meets Tandem
    _say(teams_client, connector, "lead handoff", **_as_marketer())
    form = connector.sent()[-1]
    assert {"tf_company", "tf_email", "tf_owner", "tf_force"} <= set(_inputs(form))
    assert _inputs(form)["tf_force"]["type"] == "Input.Toggle"
    [submit] = _submits(form)
    value = {**submit, "tf_company": "Globex", "tf_owner": "rita@acme.test", "tf_email": "not-an-email"}
    _say(teams_client, connector, "", **_as_marketer(value=value, reply_to="1002"))
    assert "look like an e-mail" in json.dumps(connector.updates()[-1].body)
    value["tf_email"] = "hank@globex.test"
    _say(teams_client, connector, "", **_as_marketer(value=value, reply_to="1002"))
    assert "Handed off" in json.dumps(connector.updates()[-1].body)


def test_why_and_comment_on_the_channel_post_answer_the_rep_alone(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    _sales_channel_here(teams_client, connector)
    _say(teams_client, connector, "lead list")  # Rita's own chat with Tandem
    _say(
        teams_client,
        connector,
        'campaign announce "Q4 Webinar" goal:"60 qualified leads" talking:"Ask about Globex"',
        **_as_marketer(),
    )
    connector.calls.clear()
    assert asyncio.run(deliver_due(teams_runtime, owner="test")).sent == 1
    [post] = connector.sent()
    assert post.conversation == SALES and "Ask about Globex" in json.dumps(post.body)
    why = next(d for d in _submits(post) if d["tandem_command"] == "campaign why C-1")
    comment = next(d for d in _submits(post) if d["tandem_command"] == "campaign comment C-1")
    assert why["tandem_outbox"] == comment["tandem_outbox"]

    connector.calls.clear()
    thread = f"{SALES};messageid=1700000000555"
    _say(teams_client, connector, "", value=why, reply_to="1700000000555", conversation=thread, kind="channel")
    assert connector.updates() == []  # the post stays as everyone sees it
    [answer] = connector.sent()
    assert answer.conversation == f"a:chat-{REP}"  # only Rita sees the explanation
    assert "What to do with its leads" in json.dumps(answer.body)

    connector.calls.clear()
    typed = {**comment, "tandem_text": "The leads ask about <b>pricing</b>"}
    _say(teams_client, connector, "", value=typed, reply_to="1700000000555", conversation=thread, kind="channel")
    [answer] = connector.sent()
    assert answer.conversation == f"a:chat-{REP}" and "Sent to" in json.dumps(answer.body)
    with teams_runtime.db.session() as session:
        [kept] = session.exec(select(CampaignComment)).all()
        [dm] = session.exec(select(Outbox).where(Outbox.kind == "campaign_comment")).all()
    assert kept.text == "The leads ask about <b>pricing</b>" and dm.target_member_id is not None


def test_a_rep_the_bot_cannot_reach_alone_is_answered_in_the_thread(
    teams_client: TestClient, connector: FakeConnector, teams_runtime: Runtime
) -> None:
    _sales_channel_here(teams_client, connector)
    _say(teams_client, connector, 'campaign announce "Q4 Webinar" goal:"60 qualified leads"', **_as_marketer())
    asyncio.run(deliver_due(teams_runtime, owner="test"))
    why = next(d for d in _submits(connector.sent()[-1]) if d["tandem_command"] == "campaign why C-1")
    connector.calls.clear()
    thread = f"{SALES};messageid=1700000000556"
    _say(teams_client, connector, "", value=why, reply_to="1700000000556", conversation=thread, kind="channel")
    assert connector.updates() == []
    [answer] = connector.sent()
    assert answer.conversation == thread and "What to do with its leads" in json.dumps(answer.body)
