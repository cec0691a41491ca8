"""With MICROSOFT_APP_ID set, /api/messages only accepts activities carrying a Bot Framework token the SDK
validates against the OpenID/JWKS document — here served from loopback with locally generated keys."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from dataclasses import replace

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm
from microsoft_teams.api.auth.cloud_environment import PUBLIC
from sqlmodel import select

from adapters.teams.app import app_options, mount_teams
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.runtime import Runtime
from bot.server import build_runtime, create_app
from storage.models import Member
from tests.adapters.teams.conftest import REP, message
from tests.adapters.teams.fake_connector import FakeConnector

APP_ID = "00000000-1111-2222-3333-444444444444"


def _secured(database_url: str, **extra: str) -> Settings:
    return Settings(
        DATABASE_URL=database_url,
        TANDEM_SECRET_KEY="test-secret-key-0123456789",  # type: ignore[call-arg]
        TANDEM_SCHEDULER="off",
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD="not-a-real-secret",
        _env_file=None,
        **extra,
    )


@pytest.fixture
def secured_runtime(database_url: str, clock: FakeClock) -> Iterator[Runtime]:
    runtime = build_runtime(_secured(database_url), clock=clock)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def keys(connector: FakeConnector) -> dict[str, rsa.RSAPrivateKey]:
    trusted = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = RSAAlgorithm.to_jwk(trusted.public_key(), as_dict=True)
    jwk.update(kid="trusted-key", use="sig", alg="RS256")
    connector.jwks = {"keys": [jwk]}
    return {"trusted": trusted, "stranger": stranger}


def _token(key: rsa.RSAPrivateKey, kid: str, service_url: str, *, audience: str = APP_ID) -> str:
    now = int(time.time())
    claims = {
        "iss": "https://api.botframework.com",
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "serviceurl": service_url,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def loopback_client(secured_runtime: Runtime, connector: FakeConnector) -> Iterator[TestClient]:
    """The Teams app with its OpenID metadata URL pointed at the loopback fake (the SDK's cloud setting)."""
    cloud = replace(PUBLIC, openid_metadata_url=f"{connector.url}/v1/.well-known/openidconfiguration")
    api = FastAPI()
    teams = mount_teams(api, secured_runtime, cloud=cloud)
    asyncio.run(teams.initialize())
    with TestClient(api) as client:
        yield client


def _member_added(connector: FakeConnector) -> dict:
    activity = message(connector, user=REP, name="Rita Rep")
    activity.update(type="conversationUpdate", membersAdded=[{"id": REP, "name": "Rita Rep"}])
    activity.pop("text")
    return activity


def test_no_token_gets_401(secured_runtime: Runtime, connector: FakeConnector) -> None:
    with TestClient(create_app(secured_runtime.settings, runtime=secured_runtime)) as client:
        assert client.post("/api/messages", json=message(connector, "help")).status_code == 401
        garbage = {"Authorization": "Bearer not-a-jwt"}
        assert client.post("/api/messages", json=message(connector, "help"), headers=garbage).status_code == 401
    assert connector.sent() == []


def test_token_signed_by_an_unknown_key_gets_401(
    loopback_client: TestClient, connector: FakeConnector, keys: dict, secured_runtime: Runtime
) -> None:
    for kid in ("trusted-key", "some-other-key"):
        forged = _token(keys["stranger"], kid, connector.url)
        response = loopback_client.post(
            "/api/messages", json=_member_added(connector), headers={"Authorization": f"Bearer {forged}"}
        )
        assert response.status_code == 401
    with secured_runtime.db.session() as session:
        assert session.exec(select(Member)).all() == []


def test_token_for_another_bot_or_service_url_gets_401(
    loopback_client: TestClient, connector: FakeConnector, keys: dict
) -> None:
    other_bot = _token(keys["trusted"], "trusted-key", connector.url, audience="another-app")
    other_url = _token(keys["trusted"], "trusted-key", "https://evil.example")
    for token in (other_bot, other_url):
        response = loopback_client.post(
            "/api/messages", json=_member_added(connector), headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401


def test_valid_token_is_processed(
    loopback_client: TestClient, connector: FakeConnector, keys: dict, secured_runtime: Runtime
) -> None:
    token = _token(keys["trusted"], "trusted-key", connector.url)
    response = loopback_client.post(
        "/api/messages", json=_member_added(connector), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    with secured_runtime.db.session() as session:
        assert [m.display_name for m in session.exec(select(Member)).all()] == ["Rita Rep"]


def test_app_type_settings_map_to_sdk_credentials(database_url: str) -> None:
    assert app_options(_secured(database_url))["client_secret"] == "not-a-real-secret"
    single = app_options(_secured(database_url, MICROSOFT_APP_TYPE="SingleTenant", MICROSOFT_APP_TENANT_ID="t-1"))
    assert single["tenant_id"] == "t-1"
    with pytest.raises(ValueError, match="MICROSOFT_APP_TENANT_ID"):
        app_options(_secured(database_url, MICROSOFT_APP_TYPE="SingleTenant"))
    with pytest.raises(ValueError, match="MICROSOFT_APP_TYPE"):
        app_options(_secured(database_url, MICROSOFT_APP_TYPE="Sideways"))


def test_local_mode_warns_loudly_and_secured_mode_does_not(
    teams_runtime: Runtime, secured_runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tandem.teams"):
        with TestClient(create_app(secured_runtime.settings, runtime=secured_runtime)):
            pass
        assert "UNAUTHENTICATED" not in caplog.text
        with TestClient(create_app(teams_runtime.settings, runtime=teams_runtime)):
            pass
    assert "TEAMS LOCAL MODE" in caplog.text and "UNAUTHENTICATED" in caplog.text
