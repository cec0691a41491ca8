"""The shape every Slack request has (per Slack's documented payloads), checked before bolt sees it, so a
signed but malformed body gets a 400 with a reason instead of a crash deep inside a middleware."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

MAX_BODY = 1_000_000
_OPTIONAL_OBJECTS = ("user", "team", "channel", "container", "message", "enterprise")
_ACTION_FIELDS = {"text": dict, "value": str, "block_id": str}  # a button's, when present
# Slash commands are the hot path: checked with two patterns instead of decoding every field.
_FORM = re.compile(rb"[^&=]+=[^&]*(?:&[^&=]+=[^&]*)*")
_COMMAND_FIELD = re.compile(rb"(?:^|&)(command|team_id|user_id)=([^&]*)")


def problem(body: bytes, content_type: str) -> str | None:
    """Why ``body`` is not a Slack request we understand, or None."""
    if len(body) > MAX_BODY:
        return "request too large"
    try:
        if "application/json" in content_type:
            return _envelope(json.loads(body or b"null"))
        if b"payload=" not in body and _FORM.fullmatch(body):
            return _slash_command(body)
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
        if "payload" in form:
            return _interaction(json.loads(form["payload"][0]))
        if "command" in form:
            if not form.get("team_id", [""])[0] or not form.get("user_id", [""])[0]:
                return "a slash command needs team_id and user_id"
            return None
        return "expected a slash command, a payload or a JSON event"
    except (ValueError, UnicodeDecodeError):
        return "the body is not valid form data or JSON"


def _slash_command(body: bytes) -> str | None:
    body.decode("utf-8")  # bolt reads it as text; anything else is refused here
    fields: dict[bytes, bytes] = {}
    for match in _COMMAND_FIELD.finditer(body):
        fields.setdefault(match.group(1), match.group(2))
    if b"command" not in fields:
        return "expected a slash command, a payload or a JSON event"
    if not fields.get(b"team_id") or not fields.get(b"user_id"):
        return "a slash command needs team_id and user_id"
    return None


def _common(data: Any) -> str | None:
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return "the payload has no type"
    for key in _OPTIONAL_OBJECTS:
        if key in data and data[key] is not None and not isinstance(data[key], dict):
            return f"`{key}` must be an object"
    return None


def _envelope(data: Any) -> str | None:
    if reason := _common(data):
        return reason
    if data["type"] == "event_callback":
        event = data.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "an event_callback needs an event with a type"
    return None


def _interaction(data: Any) -> str | None:
    if reason := _common(data):
        return reason
    kind = data["type"]
    if kind in ("block_actions", "interactive_message"):
        actions = data.get("actions")
        if (
            not isinstance(actions, list)
            or not actions
            or not all(isinstance(a, dict) and isinstance(a.get("action_id", a.get("name")), str) for a in actions)
        ):
            return "block_actions needs a list of actions, each with an action_id"
        if any(
            action.get(key) is not None and not isinstance(action[key], kind)
            for action in actions
            for key, kind in _ACTION_FIELDS.items()
        ):
            return "an action's text must be an object, its value and block_id strings"
    elif kind in ("view_submission", "view_closed"):
        view = data.get("view")
        if (
            not isinstance(view, dict)
            or not isinstance(view.get("type"), str)
            or not isinstance(view.get("callback_id"), str)
        ):
            return f"{kind} needs a view with a type and a callback_id"
        state = view.get("state")
        if state is not None and not (isinstance(state, dict) and isinstance(state.get("values", {}), dict)):
            return "the view's state values must be an object"
    elif kind in ("shortcut", "message_action") and not isinstance(data.get("callback_id"), str):
        return f"a {kind} needs a callback_id"
    return None
