"""`tandem apikey create|revoke|list` (admins): keys for the REST API. A new key is answered only where the asker
alone reads it (Slack's private answers, a Teams 1:1 chat)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.admin import api_keys
from bot.admin.apikey_views import created_reply, list_reply, refused_in_shared_conversation, revoked_reply
from bot.admin.settings import get_setting
from bot.core.commands import CommandSpec
from bot.core.context import Context
from bot.core.errors import UsageError
from bot.core.replies import Reply

USAGE = "tandem apikey create <label> | tandem apikey revoke <label> | tandem apikey list"
API_PATH = "/api/v1/leads"


def apikey(ctx: Context, args: list[str]) -> Reply:
    verb = args[0].lower() if args else ""
    label = " ".join(args[1:])
    if verb == "create":
        if not ctx.request.private:
            return refused_in_shared_conversation()
        made = api_keys.create(ctx.session, ctx.clock, workspace_id=ctx.workspace_id, label=label, created_by=ctx.me.id)
        return created_reply(made, api_url=ctx.settings.base_url.rstrip("/") + API_PATH)
    if verb == "revoke":
        return revoked_reply(api_keys.revoke(ctx.session, ctx.clock, workspace_id=ctx.workspace_id, label=label))
    if verb == "list" and not label:
        lines = api_keys.list_keys(ctx.session, ctx.workspace_id)
        return list_reply(lines, api_keys.revoked_count(ctx.session, ctx.workspace_id), _zone(ctx))
    raise UsageError("Create, revoke or list API keys.", usage=USAGE)


def _zone(ctx: Context) -> ZoneInfo:
    try:
        return ZoneInfo(ctx.me.timezone or get_setting(ctx.session, ctx.workspace_id, "timezone"))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def specs() -> list[CommandSpec]:
    return [
        CommandSpec(
            ("tandem", "apikey"),
            apikey,
            "admin",
            USAGE,
            "keys for the REST API: create one (shown once), revoke it, list them (admins)",
        )
    ]
