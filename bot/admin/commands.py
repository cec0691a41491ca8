"""`tandem` commands: roles and workspace settings (admins). `tandem help` is the overview, answered by dispatch."""

from __future__ import annotations

from bot.admin.settings import CHANNEL_KEYS, SPECS, all_settings, set_setting
from bot.core import people
from bot.core.args import need
from bot.core.commands import CommandSpec
from bot.core.context import Context
from bot.core.errors import UsageError
from bot.core.grammar import parse_channel
from bot.core.replies import Reply, b, code, context, fields, p, say, section
from bot.leads.lifecycle import refresh_open_slas
from storage.models import ROLES

USAGE = {
    "role": "tandem role <user> <rep|marketer|manager|admin>",
    "settings": "tandem settings [<key> <value>]",
}


def role(ctx: Context, args: list[str]) -> Reply:
    need(args, 2, USAGE["role"], "the person and the role")
    new_role = args[-1].lower()
    if new_role not in ROLES:
        raise UsageError(f"`{args[-1][:30]}` is not a role. Roles: {', '.join(ROLES)}.", usage=USAGE["role"])
    member = ctx.member_named(" ".join(args[:-1]))
    if member.id == ctx.actor.id and new_role != "admin":
        admins = people.members_with_role(ctx.session, ctx.workspace_id, "admin")
        if len(admins) <= 1:
            raise UsageError("You are the only admin; make someone else admin first so the workspace keeps one.")
    before = member.role
    member.role = new_role
    ctx.session.add(member)
    return say("✅ ", people.mention(ctx.session, member), p(f" is now a {new_role} (was {before})."))


def settings(ctx: Context, args: list[str]) -> Reply:
    if not args:
        return _show_settings(ctx)
    if len(args) < 2:
        raise UsageError("Give the setting and its new value.", usage=USAGE["settings"])
    key = args[0].lower()
    value = " ".join(args[1:])
    if key in CHANNEL_KEYS:
        value = _channel_address(ctx, value)
    stored = set_setting(ctx.session, ctx.workspace_id, key, value)
    if key in ("accept_sla_hours", "first_touch_sla_hours", "stale_after_days"):
        refresh_open_slas(ctx.session, ctx.workspace_id)
    return say("✅ ", code(key), p(" is now "), b(display_value(key, stored)), p("."))


def _show_settings(ctx: Context) -> Reply:
    values = all_settings(ctx.session, ctx.workspace_id)
    items = [(key, f"{display_value(key, value)}  — {SPECS[key].help}") for key, value in values.items()]
    return Reply(
        blocks=(
            section(b("Workspace settings")),
            fields(*items),
            context("Change one with `tandem settings <key> <value>`; channels take a #channel or `here`."),
        )
    )


def display_value(key: str, value: str) -> str:
    if key in CHANNEL_KEYS:
        return value.partition(":")[2] or "not set" if value else "not set"
    return value


def _channel_address(ctx: Context, value: str) -> str:
    """Store a channel as ``platform:address`` so delivery knows where it lives."""
    value = value.strip()
    if value.lower() == "here":
        if not ctx.request.channel:
            raise UsageError("`here` works when typed in a channel; name the channel instead.")
        return f"{ctx.request.platform}:{ctx.request.channel}"
    channel = parse_channel(value)
    if channel is not None:
        return f"{channel.platform or ctx.request.platform}:{channel.address}"
    raise UsageError(f"`{value[:60]}` is not a channel. Mention a channel (#sales) or type `here` in it.")


def specs() -> list[CommandSpec]:
    return [
        CommandSpec(("tandem", "role"), role, "admin", USAGE["role"], "give someone a role"),
        CommandSpec(
            ("tandem", "settings"),
            settings,
            "admin",
            USAGE["settings"],
            "show or change workspace settings",
            free_text=True,
        ),
    ]
