"""Multi-workspace OAuth: install → oauth.v2.access on the fake → installation stored in our database →
the installer is the workspace's admin → commands from that team work with that team's token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text
from sqlmodel import select
from starlette.testclient import TestClient

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.server import build_runtime, create_app
from storage.models import Member, WorkspaceAccount
from tests.adapters.slack.conftest import SECRET, SlackWire
from tests.adapters.slack.fake_slack import FakeSlack

ACCESS = {
    "ok": True,
    "access_token": "xoxb-nine",
    "token_type": "bot",
    "scope": "commands,chat:write",
    "bot_user_id": "UBOT9",
    "app_id": "A1",
    "team": {"id": "T9", "name": "Nine Inc"},
    "enterprise": None,
    "authed_user": {"id": "UINST"},
    "is_enterprise_install": False,
}


@pytest.fixture
def oauth_wire(settings: Settings, fake_slack: FakeSlack, clock: FakeClock) -> Iterator[SlackWire]:
    oauth_settings = settings.model_copy(
        update={
            "slack_signing_secret": SECRET,
            "slack_bot_token": None,
            "slack_client_id": "111.222",
            "slack_client_secret": "client-secret",
            "slack_api_url": fake_slack.api_url,
            "base_url": "https://tandem.test",
        }
    )
    fake_slack.answer("oauth.v2.access", ACCESS)
    fake_slack.team_of_token["xoxb-nine"] = "T9"
    fake_slack.add_user("UINST", "Ines Installer", "ines@nine.test", team_id="T9")
    runtime = build_runtime(oauth_settings, clock=clock)
    with TestClient(create_app(oauth_settings, runtime=runtime), base_url="https://testserver") as http:
        yield SlackWire(http=http, fake=fake_slack, runtime=runtime, team_id="T9")
    runtime.db.dispose()


def install(wire: SlackWire) -> None:
    page = wire.http.get("/slack/install")
    assert page.status_code == 200
    authorize = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text)
    assert authorize, page.text
    query = parse_qs(urlsplit(authorize.group(1).replace("&amp;", "&")).query)
    assert query["client_id"] == ["111.222"] and "commands" in query["scope"][0]
    assert query["redirect_uri"] == ["https://tandem.test/slack/oauth_redirect"]
    done = wire.http.get("/slack/oauth_redirect", params={"code": "code-123", "state": query["state"][0]})
    assert done.status_code == 200, done.text


def test_install_stores_the_installation_and_the_team_can_use_tandem(oauth_wire: SlackWire) -> None:
    install(oauth_wire)
    [access] = oauth_wire.fake.calls_to("oauth.v2.access")
    assert access.params["code"] == "code-123"
    with oauth_wire.runtime.db.engine.connect() as conn:
        bots = conn.execute(text("SELECT team_id, bot_token, bot_user_id FROM slack_bots")).all()
        assert [tuple(row) for row in bots] == [("T9", "xoxb-nine", "UBOT9")]
        assert conn.execute(text("SELECT count(*) FROM slack_installations")).scalar() == 1

    answer = oauth_wire.command("UINST", "/tandem", "settings")
    assert answer.status_code == 200
    assert "needs the admin role" not in answer.text and "sales_channel" in answer.text  # the installer is admin
    assert {c.token for c in oauth_wire.fake.calls_to("users.info")} == {"xoxb-nine"}
    with oauth_wire.runtime.db.session() as session:
        account = session.exec(select(WorkspaceAccount).where(WorkspaceAccount.external_id == "T9")).one()
        installer = session.exec(select(Member).where(Member.workspace_id == account.workspace_id)).one()
        assert installer.role == "admin" and installer.display_name == "Ines Installer"


def test_a_state_that_was_not_issued_is_refused(oauth_wire: SlackWire) -> None:
    refused = oauth_wire.http.get("/slack/oauth_redirect", params={"code": "c", "state": "forged"})
    assert refused.status_code in (400, 401, 403)
    assert oauth_wire.fake.calls_to("oauth.v2.access") == []


def test_a_team_that_never_installed_gets_no_service(oauth_wire: SlackWire) -> None:
    install(oauth_wire)
    answer = oauth_wire.command("UX", "/lead", "list", team_id="T404")
    assert answer.status_code in (200, 401)
    assert "Your open leads" not in answer.text
    with oauth_wire.runtime.db.session() as session:
        assert session.exec(select(WorkspaceAccount).where(WorkspaceAccount.external_id == "T404")).first() is None


def test_uninstalling_deletes_the_stored_tokens(oauth_wire: SlackWire) -> None:
    install(oauth_wire)
    response = oauth_wire.event({"type": "app_uninstalled"}, event_id="EvBye")
    assert response.status_code == 200
    with oauth_wire.runtime.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM slack_bots")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM slack_installations")).scalar() == 0
