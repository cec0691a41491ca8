"""`tandem link`: an admin gets a one-time code; `tandem link <code>`, typed by an admin in the other chat
tool, joins the two workspaces so one company works from Slack and Teams alike."""

from __future__ import annotations

from bot.admin import linking
from bot.core.commands import CommandSpec
from bot.core.context import Context
from bot.core.replies import Block, Reply, b, code, context, p, section

USAGE = "tandem link [<code>]"


def link(ctx: Context, args: list[str]) -> Reply:
    if not args:
        return _new_code(ctx)
    return _join(ctx, " ".join(args))


def _new_code(ctx: Context) -> Reply:
    made = linking.create_code(ctx.session, ctx.clock, workspace_id=ctx.workspace_id, created_by=ctx.actor.id)
    return Reply(
        blocks=(
            section("🔗 Your link code: ", code(made)),
            section(
                p("In the other chat tool, an admin types "),
                code(f"tandem link {made}"),
                p(" within 15 minutes. The code works once; "),
                b("keep it private"),
                p(" — it joins workspaces."),
            ),
            context(
                "People with the same e-mail in both tools become one person; leads, campaigns and history are kept "
                "(the other side's lead numbers continue after this workspace's)."
            ),
        )
    )


def _join(ctx: Context, raw: str) -> Reply:
    result = linking.redeem(ctx.session, ctx.clock, code=raw, workspace_id=ctx.workspace_id)
    tools = " and ".join(_platform_name(p) for p in result.platforms) or "this workspace"
    blocks: list[Block] = [
        section("✅ Linked: ", b(tools), p(" now works with "), b(result.workspace.name), p(" as one team.")),
        section(f"{result.merged} people matched by e-mail became one person; {result.moved} more joined."),
    ]
    if result.renumbered:
        pairs = sorted(result.renumbered.items())
        shown = ", ".join(f"L-{old}→L-{new}" for old, new in pairs[:10])
        more = f" and {len(pairs) - 10} more" if len(pairs) > 10 else ""
        blocks.append(context(f"Leads from here were renumbered: {shown}{more}."))
    return Reply(blocks=tuple(blocks))


def _platform_name(platform: str) -> str:
    return {"slack": "Slack", "teams": "Microsoft Teams"}.get(platform, platform)


def specs() -> list[CommandSpec]:
    return [
        CommandSpec(
            ("tandem", "link"), link, "admin", USAGE, "join a Slack workspace and a Teams tenant into one (admins)"
        )
    ]
