"""The SDK's FastAPI adapter, guarded: malformed bodies get a 400 with a reason (the SDK would answer 500),
oversized ones a 413, and a missing bearer token a 401 before the body is even read as an activity."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from microsoft_teams.api import ActivityTypeAdapter
from microsoft_teams.apps.http import FastAPIAdapter
from microsoft_teams.apps.http.adapter import HttpMethod, HttpRequest, HttpRouteHandler
from pydantic import ValidationError

MAX_BODY_BYTES = 512 * 1024
KNOWN_TYPES = {
    "message",
    "conversationUpdate",
    "invoke",
    "messageReaction",
    "typing",
    "event",
    "installationUpdate",
    "messageUpdate",
    "messageDelete",
    "endOfConversation",
    "command",
    "commandResult",
    "handoff",
    "trace",
    "contactRelationUpdate",
    "deleteUserData",
    "suggestion",
    "delay",
    "ping",
}


def activity_problem(body: Any) -> str | None:
    """Why ``body`` is not a Bot Framework activity the SDK can process, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object (a Bot Framework activity)"
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return "the activity has no `type`"
    if kind not in KNOWN_TYPES:
        return f"unsupported activity type {kind[:40]!r}"
    try:
        ActivityTypeAdapter.validate_python(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()) if not str(part).startswith("function-"))
        return f"invalid activity: {first.get('msg', 'invalid')} at `{where[:80]}`"
    return None


class GuardedFastAPIAdapter(FastAPIAdapter):
    def __init__(self, *args: Any, auth_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auth_required = auth_required

    def register_route(self, method: HttpMethod, path: str, handler: HttpRouteHandler) -> None:
        if method != "POST":
            raise ValueError(f"Unsupported HTTP method: {method}")

        async def messages(request: Request) -> Response:
            headers = dict(request.headers)
            if self.auth_required and not headers.get("authorization", "").startswith("Bearer "):
                return JSONResponse({"error": "Unauthorized"}, status_code=401)
            raw = await request.body()
            if len(raw) > MAX_BODY_BYTES:
                return JSONResponse({"error": "activity too large"}, status_code=413)
            try:
                body = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                return JSONResponse({"error": "the body is not valid JSON"}, status_code=400)
            problem = activity_problem(body)
            if problem:
                return JSONResponse({"error": problem}, status_code=400)
            result = await handler(HttpRequest(body=body, headers=headers))
            if result.get("body") is not None:
                return JSONResponse(content=result["body"], status_code=result["status"])
            return Response(status_code=result["status"])

        self.app.add_api_route(path, messages, methods=["POST"], include_in_schema=False)
