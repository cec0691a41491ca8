"""Slack wiring: one slack-bolt ``AsyncApp`` (``process_before_response=True``: no 10 ms ack-polling floor)
mounted at ``POST /slack/events``, the OAuth routes in multi-workspace mode, and the outbox Sender."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.lazy_listener.async_internals import to_runnable_function
from slack_bolt.lazy_listener.asyncio_runner import AsyncioLazyListenerRunner
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.slack import actions, commands, events, home, shapes, submissions
from adapters.slack.bridge import SlackBridge
from adapters.slack.clients import TokenBook, web_client
from adapters.slack.directory import Directory
from adapters.slack.oauth import OAuthStores, oauth_settings
from adapters.slack.sender import SlackSender
from bot.core.runtime import Runtime


@dataclass
class SlackAdapter:
    bolt: AsyncApp
    bridge: SlackBridge
    sender: SlackSender
    home: home.Home
    oauth: OAuthStores | None

    async def close(self) -> None:
        await self.bridge.drain()
        if self.oauth is not None:
            await self.oauth.close()


class TrackedLazyListeners(AsyncioLazyListenerRunner):
    """bolt's lazy listeners (work done after the ack) as the bridge's follow-ups, so shutdown waits for a
    click or a mention already acknowledged instead of dropping it."""

    def __init__(self, bridge: SlackBridge, logger: logging.Logger) -> None:
        super().__init__(logger=logger)
        self.bridge = bridge

    def start(self, function: Callable[..., Awaitable[None]], request: AsyncBoltRequest) -> None:
        self.bridge.follow_up(to_runnable_function(internal_func=function, logger=self.logger, request=request))


def build(runtime: Runtime) -> SlackAdapter:
    """The bolt app. Signatures are checked once, by ``mount``'s route, before bolt sees the request."""
    settings = runtime.settings
    oauth = OAuthStores(runtime) if settings.slack_client_id and settings.slack_client_secret else None
    tokens = TokenBook(settings, oauth.installations if oauth else None)
    bridge = SlackBridge(runtime=runtime, tokens=tokens, directory=Directory(runtime))
    if oauth is not None:
        bolt = AsyncApp(
            signing_secret=settings.slack_signing_secret,
            client=web_client(settings),
            oauth_settings=oauth_settings(runtime, oauth),
            process_before_response=True,
            request_verification_enabled=False,
        )
        bolt.enable_token_revocation_listeners()  # an uninstall deletes the team's stored tokens
    else:
        bolt = AsyncApp(
            signing_secret=settings.slack_signing_secret,
            client=web_client(settings, settings.slack_bot_token),
            process_before_response=True,
            request_verification_enabled=False,
        )
    bolt.listener_runner.lazy_listener_runner = TrackedLazyListeners(bridge, bolt.logger)
    page = home.Home(bridge)
    commands.register(bolt, bridge)
    actions.register(bolt, bridge, page.publish)
    submissions.register(bolt, bridge, page.publish)
    events.register(bolt, bridge)
    home.register(bolt, page)
    return SlackAdapter(bolt=bolt, bridge=bridge, sender=SlackSender(tokens), home=page, oauth=oauth)


def signed(verifier: SignatureVerifier, request: Request, body: bytes) -> bool:
    """Slack's HMAC over ``v0:timestamp:body``, at most five minutes old; anything unreadable is unsigned."""
    try:
        return verifier.is_valid(
            body, request.headers.get("x-slack-request-timestamp"), request.headers.get("x-slack-signature")
        )
    except (ValueError, UnicodeDecodeError, OverflowError):
        return False


def mount(
    app: FastAPI,
    runtime: Runtime,
    startups: list[Callable[[], Awaitable[None]]],
    shutdowns: list[Callable[[], Awaitable[None]]],
) -> SlackAdapter:
    adapter = build(runtime)
    runtime.add_sender(adapter.sender)
    handler = AsyncSlackRequestHandler(adapter.bolt)
    verifier = SignatureVerifier(runtime.settings.slack_signing_secret or "")

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if not signed(verifier, request, body):
            return JSONResponse({"error": "invalid or stale Slack signature"}, status_code=401)
        reason = shapes.problem(body, request.headers.get("content-type", ""))
        if reason:
            return JSONResponse({"error": reason}, status_code=400)
        return await handler.handle(request)

    if adapter.oauth is not None:

        @app.get("/slack/install", include_in_schema=False)
        async def slack_install(request: Request) -> Response:
            return await handler.handle(request)

        @app.get("/slack/oauth_redirect", include_in_schema=False)
        async def slack_oauth_redirect(request: Request) -> Response:
            return await handler.handle(request)

    shutdowns.append(adapter.close)
    app.state.slack = adapter
    return adapter
