"""Signed but incomplete Slack bodies: each gets a 2xx or 4xx, never a 500, and nothing fails afterwards
either: the work bolt runs after the ack (lazy listeners) finishes without logging an error."""

from __future__ import annotations

import json
import logging

import pytest

from tests.adapters.slack.conftest import SlackWire

INCOMPLETE = [
    {"type": "block_actions"},
    {"type": "block_actions", "actions": []},
    {"type": "block_actions", "actions": [{"action_id": "tandem:0"}]},
    {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "URITA"},
        "actions": [{"action_id": "tandem:0", "value": '{"c": 5}'}],
    },
    {"type": "view_submission"},
    {"type": "view_submission", "view": {"callback_id": "tandem_form:lead_handoff"}},
    {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "URITA"},
        "view": {"callback_id": "tandem_form:nope", "state": {"values": []}},
    },
    {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "URITA"},
        "view": {"callback_id": "tandem_prompt", "private_metadata": "not json"},
    },
    {"type": "view_closed"},
    {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "URITA"},
        "trigger_id": "t",
        "actions": [{"action_id": "tandem:0", "value": 5, "block_id": 7, "text": "Accept"}],
    },
    {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "URITA"},
        "actions": [{"action_id": "tandem:1", "value": '{"c": "lead accept L-1", "p": "Why?"}'}],
    },
    {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "URITA"},
        "view": {
            "type": "modal",
            "callback_id": "tandem_form:lead_handoff",
            "private_metadata": "[]",
            "state": {"values": {"f_company": {"v": {"value": 5}}, "f_owner": ["x"]}},
        },
    },
    {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "URITA"},
        "view": {"type": "modal", "callback_id": "tandem_prompt", "private_metadata": '{"cmd": 3}'},
    },
    {"type": "shortcut", "callback_id": "x"},
]
EVENTS = [
    {"type": "event_callback"},
    {"type": "event_callback", "event": {"type": "app_mention"}},
    {"type": "event_callback", "team_id": "T1", "event": {"type": "message", "channel_type": "im"}},
    {"type": "event_callback", "team_id": "T1", "event_id": "Ev9", "event": {"type": "app_home_opened"}},
    {"type": "something_else"},
    {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": "Ev10",
        "event": {"type": "app_mention", "user": "URITA", "text": 42, "channel": "C1", "ts": "1.0"},
    },
    {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": "Ev11",
        "event": {"type": "app_home_opened", "user": "URITA", "tab": "messages"},
    },
]


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("payload", INCOMPLETE, ids=lambda p: json.dumps(p)[:60])
def test_incomplete_interactions_never_fail(
    wire: SlackWire, caplog: pytest.LogCaptureFixture, payload: dict[str, object]
) -> None:
    assert wire.interact(payload).status_code < 500
    wire.settle()
    assert errors_logged(caplog) == []


@pytest.mark.parametrize("envelope", EVENTS, ids=lambda p: json.dumps(p)[:60])
def test_incomplete_events_never_fail(
    wire: SlackWire, caplog: pytest.LogCaptureFixture, envelope: dict[str, object]
) -> None:
    assert wire.post(json.dumps(envelope), "application/json").status_code < 500
    wire.settle()
    assert errors_logged(caplog) == []


def test_a_slash_command_with_odd_fields_never_fails(wire: SlackWire, caplog: pytest.LogCaptureFixture) -> None:
    assert wire.command("rita", "/unknown", "x").status_code < 500
    assert wire.command("rita", "/lead", "\u0000\u202e" + "x" * 50_000).status_code < 500
    wire.settle()
    assert errors_logged(caplog) == []
