"""Slash commands: every one of the seven reaches dispatch; slow work is acknowledged at once and finished
through response_url; the manifest configures the same seven."""

from __future__ import annotations

import json

import pytest
import yaml
from starlette.testclient import TestClient

from adapters.slack import commands
from adapters.slack.manifest import BOT_EVENTS, render_manifest
from bot.core.config import Settings
from bot.core.dispatch import Dispatcher
from bot.core.runtime import Runtime
from bot.features import build_registry
from bot.server import create_app
from tests.adapters.slack.conftest import SlackWire
from tests.adapters.slack.fake_slack import FakeSlack
from tests.bot.extra_words import registry_with_extra_words


def test_every_command_answers_through_dispatch(wire: SlackWire) -> None:
    for word in ("lead", "campaign", "tool", "intel", "meeting", "tandem"):
        response = wire.command("rita", f"/{word}", "help")
        assert response.status_code == 200, word
        body = response.json()
        assert body["response_type"] == "ephemeral" and body["blocks"] and body["text"], word


def test_a_word_added_to_the_registry_is_a_slash_command(slack_runtime: Runtime, fake_slack: FakeSlack) -> None:
    rt = slack_runtime
    rt.dispatcher = Dispatcher(rt.db, rt.settings, registry_with_extra_words(), rt.clock)
    with TestClient(create_app(rt.settings, runtime=rt)) as http:
        wire = SlackWire(http=http, fake=fake_slack, runtime=rt)
        assert "Forecast for Q3: on track." in json.dumps(wire.command("rita", "/forecast", "Q3").json())
        not_yet = json.dumps(wire.command("rita", "/playbook", "qualification").json())
        assert "`playbook` is not part of this version of Tandem yet" in not_yet


def test_stats_is_acknowledged_at_once_and_answered_through_response_url(wire: SlackWire) -> None:
    response = wire.command("rita", "/stats", "30d")
    assert response.status_code == 200 and not response.content
    [answer] = wire.fake.wait_for("response")
    assert answer.path.startswith("/response/cmd") and answer.params["blocks"]


def test_work_past_the_time_budget_finishes_through_response_url(
    wire: SlackWire, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands, "BUDGET_SECONDS", 0.0)
    response = wire.command("rita", "/lead", "list mine")
    assert "Working on it" in json.dumps(response.json())
    [answer] = wire.fake.wait_for("response")
    assert answer.params["replace_original"] is True and "Your open leads" in json.dumps(answer.params["blocks"])


def test_an_empty_command_gets_help_not_an_error(wire: SlackWire) -> None:
    body = wire.command("rita", "/lead", "").json()
    assert "lead handoff" in json.dumps(body["blocks"])


def test_the_manifest_configures_commands_urls_scopes_and_home() -> None:
    settings = Settings(TANDEM_BASE_URL="https://tandem.acme.test/", _env_file=None)  # type: ignore[call-arg]
    manifest = yaml.safe_load(render_manifest(settings, build_registry()))
    events = "https://tandem.acme.test/slack/events"
    commands_ = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands_] == [
        "/lead",
        "/campaign",
        "/tool",
        "/intel",
        "/stats",
        "/meeting",
        "/tandem",
    ]
    assert all(c["url"] == events and c["should_escape"] for c in commands_)
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": events}
    assert manifest["settings"]["event_subscriptions"]["request_url"] == events
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == list(BOT_EVENTS)
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:write", "app_mentions:read", "im:history"} <= scopes
    assert not scopes & {"channels:history", "chat:write.public", "admin"}
    assert "redirect_urls" not in manifest["oauth_config"]
    oauth = Settings(TANDEM_BASE_URL="https://t.test", SLACK_CLIENT_ID="1.2", _env_file=None)  # type: ignore[call-arg]
    assert yaml.safe_load(render_manifest(oauth, build_registry()))["oauth_config"]["redirect_urls"] == [
        "https://t.test/slack/oauth_redirect"
    ]


def test_tandem_slack_manifest_prints_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    monkeypatch.setenv("TANDEM_BASE_URL", "https://cli.acme.test")
    result = CliRunner().invoke(app, ["slack", "manifest"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.output)
    assert manifest["settings"]["interactivity"]["request_url"] == "https://cli.acme.test/slack/events"


def test_when_the_form_cannot_open_the_usage_line_answers(wire: SlackWire) -> None:
    wire.fake.answer("views.open", {"ok": False, "error": "expired_trigger_id"})
    body = wire.command("mara", "/lead", "handoff").json()
    assert "lead handoff &lt;company&gt;" in json.dumps(body["blocks"])


def test_a_channel_mention_sets_where_tandem_posts(wire: SlackWire) -> None:
    from bot.admin.settings import get_setting
    from bot.core.people import find_workspace

    answer = wire.command("mara", "/tandem", "settings sales_channel <#C0SALES|sales>")
    assert answer.status_code == 200 and "needs" not in answer.text
    with wire.runtime.db.session() as session:
        workspace = find_workspace(session, "slack", "T1")
        assert workspace is not None and get_setting(session, workspace.id, "sales_channel") == "slack:C0SALES"
