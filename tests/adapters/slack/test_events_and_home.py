"""Mentions and DMs answer in thread, once per event; bot messages are ignored; App Home lists the
person's open leads, the ones needing attention first; members are enriched from users.info once."""

from __future__ import annotations

import json

from sqlmodel import select

from storage.models import Member, ProcessedEvent
from tests.adapters.slack.conftest import SlackWire


def mention(text: str, user: str = "URITA", ts: str = "1700000001.000100", **extra: object) -> dict[str, object]:
    return {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": "C0SALES", "event_ts": ts, **extra}


def test_app_mention_is_answered_in_thread_privately_when_the_answer_is_private(wire: SlackWire) -> None:
    assert wire.event(mention("<@UBOT> lead list mine")).status_code == 200
    wire.settle()
    [answer] = wire.fake.calls_to("chat.postEphemeral")
    assert answer.params["channel"] == "C0SALES" and answer.params["thread_ts"] == "1700000001.000100"
    assert answer.params["user"] == "URITA"
    assert "Your open leads" in json.dumps(answer.params["blocks"])
    assert wire.fake.calls_to("chat.postMessage") == []  # nothing private posted for the whole channel


def test_a_mention_inside_a_thread_answers_in_that_thread(wire: SlackWire) -> None:
    wire.event(mention("<@UBOT> help", ts="1700000002.000200", thread_ts="1700000000.000001"))
    [answer] = wire.fake.wait_for("chat.postEphemeral")
    assert answer.params["thread_ts"] == "1700000000.000001"


def test_direct_messages_use_the_same_grammar(wire: SlackWire) -> None:
    dm = {
        "type": "message",
        "channel_type": "im",
        "channel": "DURITA",
        "user": "URITA",
        "text": "lead shw L-1",
        "ts": "1700000003.000300",
    }
    wire.event(dm, event_id="EvDM")
    [answer] = wire.fake.wait_for("chat.postMessage")
    assert answer.params["channel"] == "DURITA" and answer.params["thread_ts"] == "1700000003.000300"
    assert "lead show" in json.dumps(answer.params["blocks"])  # "did you mean"


def test_a_redelivered_event_is_processed_once(wire: SlackWire) -> None:
    event = mention("<@UBOT> lead list mine")
    wire.event(event, event_id="EvSAME")
    wire.fake.wait_for("chat.postEphemeral")
    for retry in ("1", "2"):
        response = wire.event(
            event, event_id="EvSAME", headers={"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
        )
        assert response.status_code == 200
    wire.event(mention("<@UBOT> help", ts="1700000009.0"), event_id="EvOTHER")
    wire.settle()  # every delivery's listener has finished: a re-processed retry would have answered by now
    assert len(wire.fake.calls_to("chat.postEphemeral")) == 2
    with wire.runtime.db.session() as session:
        ids = sorted(row.event_id for row in session.exec(select(ProcessedEvent)).all())
    assert ids == ["EvOTHER", "EvSAME"]


def test_bot_messages_and_edits_are_ignored(wire: SlackWire) -> None:
    for event_id, event in enumerate(
        [
            {
                "type": "message",
                "channel_type": "im",
                "channel": "DURITA",
                "bot_id": "BOTHER",
                "text": "lead list",
                "ts": "1.1",
                "user": "UOTHERBOT",
            },
            {
                "type": "message",
                "subtype": "message_changed",
                "channel_type": "im",
                "channel": "DURITA",
                "ts": "1.2",
                "message": {"text": "lead list"},
            },
            {
                "type": "message",
                "channel_type": "channel",
                "channel": "C0SALES",
                "user": "URITA",
                "text": "lead list",
                "ts": "1.3",
            },
        ]
    ):
        assert wire.event(event, event_id=f"EvIgnored{event_id}").status_code == 200
    wire.event(mention("<@UBOT> help", ts="1700000010.0"), event_id="EvReal")
    wire.settle()
    [only] = wire.fake.calls_to("chat.postEphemeral")
    assert only.params["channel"] == "C0SALES"
    assert wire.fake.calls_to("chat.postMessage") == []


def test_app_home_lists_open_leads_attention_first(wire: SlackWire) -> None:
    wire.command("rita", "/lead", "list")
    wire.command("mara", "/lead", "handoff Acme to:<@URITA>")
    wire.command("mara", "/lead", "handoff Globex to:<@URITA>")
    wire.command("rita", "/lead", "accept L-1")
    wire.command("rita", "/lead", "touch L-1 called")
    wire.command("mara", "/lead", "handoff Initech to:<@USAM>")
    wire.event(
        {"type": "app_home_opened", "user": "URITA", "channel": "DURITA", "tab": "home", "event_ts": "1.0"},
        event_id="EvHome",
    )
    [published] = wire.fake.wait_for("views.publish")
    assert published.params["user_id"] == "URITA" and published.params["view"]["type"] == "home"
    text = json.dumps(published.params["view"]["blocks"], ensure_ascii=False)
    assert "Your open leads (2)" in text and "Initech" not in text
    assert text.index("L-2 · Globex") < text.index("L-1 · Acme")  # waiting for accept comes first
    values = [e["value"] for b in published.params["view"]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "lead accept L-2" in values and "lead show L-1" in values


def test_a_click_in_app_home_runs_and_refreshes_it(wire: SlackWire) -> None:
    wire.command("rita", "/lead", "list")
    wire.command("mara", "/lead", "handoff Acme to:<@URITA>")
    wire.interact(
        {
            "type": "block_actions",
            "user": {"id": "URITA", "username": "rita", "team_id": "T1"},
            "team": {"id": "T1", "domain": "acme"},
            "container": {"type": "view", "view_id": "VHOME"},
            "trigger_id": "t",
            "view": {"id": "VHOME", "type": "home"},
            "actions": [
                {
                    "action_id": "tandem:0",
                    "block_id": "tandem:3",
                    "value": "lead accept L-1",
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Accept"},
                }
            ],
        }
    )
    [published] = wire.fake.wait_for("views.publish")
    home = json.dumps(published.params["view"]["blocks"])
    assert "lead accept L-1" not in home and "lead touch L-1" in home
    told = [c for c in wire.fake.wait_for("chat.postMessage") if c.params["channel"] == "URITA"]
    assert told and "Accepted by" in json.dumps(told[0].params["blocks"])


def test_members_are_enriched_once_from_users_info(wire: SlackWire) -> None:
    wire.fake.add_user("URITA", "Rita Moreno", "rita@acme.test", tz="America/Chicago")
    wire.command("rita", "/lead", "list")
    wire.command("rita", "/lead", "list")
    wire.event(mention("<@UBOT> help"), event_id="EvEnrich")
    wire.fake.wait_for("chat.postEphemeral")
    assert len(wire.fake.calls_to("users.info")) == 1
    with wire.runtime.db.session() as session:
        rita = session.exec(select(Member).where(Member.display_name == "Rita Moreno")).one()
        assert (rita.email, rita.timezone, rita.enriched) == ("rita@acme.test", "America/Chicago", True)
