"""The yardstick for bench/slack_wrk.py: a bare slack-bolt FastAPI app whose /lead listener only acks,
configured like Tandem's (``process_before_response=True``, signature checks on, Web API at SLACK_API_URL).
With ``BARE_ACK_PAYLOAD`` naming a JSON file, the listener acks with that payload instead of "ok": given a copy of
Tandem's own answer, it measures what carrying the card costs bolt, apart from the work of making it.

Run: SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_URL=… uvicorn bench.bare_bolt_app:api --port 8001
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

bolt = AsyncApp(
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    process_before_response=True,
)

PAYLOAD: dict[str, Any] = (
    json.loads(Path(os.environ["BARE_ACK_PAYLOAD"]).read_text())
    if os.environ.get("BARE_ACK_PAYLOAD")
    else {"text": "ok"}
)


@bolt.command("/lead")
async def lead(ack: AsyncAck) -> None:
    await ack(**PAYLOAD)


handler = AsyncSlackRequestHandler(bolt)
api = FastAPI()


@api.post("/slack/events")
async def slack_events(request: Request) -> Response:
    return await handler.handle(request)
