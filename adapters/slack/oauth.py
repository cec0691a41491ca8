"""Multi-workspace OAuth: slack_sdk's installation and state stores in Tandem's own database (tables made
by migration 0002), ``/slack/install`` and ``/slack/oauth_redirect``; the installer becomes the first admin."""

from __future__ import annotations

import logging

from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.slack.manifest import BOT_SCOPES
from bot.core import people
from bot.core.request import Person
from bot.core.runtime import Runtime
from storage.db import normalise_url

log = logging.getLogger("tandem.slack.oauth")
STATE_SECONDS = 600


def async_url(url: str) -> str:
    """The async driver for the same database: aiosqlite for SQLite, psycopg's async mode for PostgreSQL."""
    url = normalise_url(url)
    if url.startswith("sqlite:"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            raise ValueError("Slack OAuth mode needs a database file or PostgreSQL, not in-memory SQLite")
        return "sqlite+aiosqlite:" + url[len("sqlite:") :]
    return url  # postgresql+psycopg:// works with create_async_engine


def async_engine(url: str) -> AsyncEngine:
    # NullPool: installations are read rarely (bolt caches nothing, but each lookup is one short query),
    # and a pooled aiosqlite connection would compete with the sync engine's single writer.
    return create_async_engine(async_url(url), poolclass=NullPool)


class OAuthStores:
    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        assert settings.slack_client_id
        self.engine = async_engine(settings.database_url)
        self.installations = AsyncSQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=self.engine)
        self.states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=self.engine)

    async def close(self) -> None:
        await self.engine.dispose()


def _make_installer_admin(runtime: Runtime, team_id: str, team_name: str | None, user_id: str) -> None:
    with runtime.db.session() as session:
        workspace = people.ensure_workspace(session, "slack", team_id, team_name, runtime.clock)
        people.ensure_member(
            session, workspace, Person(platform="slack", user_id=user_id), frozenset({user_id}), runtime.clock
        )


def oauth_settings(runtime: Runtime, stores: OAuthStores) -> AsyncOAuthSettings:
    settings = runtime.settings

    async def installed(args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        if installation.team_id and installation.user_id:
            await runtime.db.run(
                _make_installer_admin, runtime, installation.team_id, installation.team_name, installation.user_id
            )
            log.info("Slack team %s installed Tandem", installation.team_id)
        return await args.default.success(args)

    async def failed(args: AsyncFailureArgs) -> BoltResponse:
        log.info("Slack install failed: %s", args.reason)
        return await args.default.failure(args)

    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=stores.installations,
        installation_store_bot_only=True,
        state_store=stores.states,
        redirect_uri=f"{settings.base_url.rstrip('/')}/slack/oauth_redirect",
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        callback_options=AsyncCallbackOptions(success=installed, failure=failed),
    )
