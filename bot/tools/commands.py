"""`tool` commands (SPEC §3 "tool"): find, add, list, remove. Each handler asks the service, then the view."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.admin.settings import get_setting
from bot.core.args import find_campaign, need, rest
from bot.core.commands import CommandSpec
from bot.core.context import Context
from bot.core.errors import UsageError
from bot.core.options import TEXT, OptionSpec
from bot.core.people import mentions
from bot.core.replies import Block, Reply, b, code, context, p, section
from bot.tools import service, views
from bot.tools.checks import NewTool, check_description, check_tag, check_title, check_url, parse_tags
from bot.tools.links import ToolLinks
from bot.tools.search import search
from bot.tools.staleness import STALE_AFTER_DAYS, STALE_KIND, still_stale
from storage.models import Outbox, Tool

USAGE = {
    "find": "tool <query>",
    "add": "tool add <title> url:<http(s)-url> [tags:a,b] [campaign:<c>] [desc:<text>]",
    "list": "tool list [tag]",
    "remove": "tool remove <id>",
}
SUMMARY = {
    "find": "find decks, one-pagers and battlecards by a few words, typos and all",
    "add": "publish a tool for sales (marketers)",
    "list": "browse the tools, most opened first",
    "remove": "remove a tool you published (managers: any)",
}
PAGE = 20
RESULTS = 5
MAX_QUERY = 200
RECENT = timedelta(days=30)  # search results show each tool's opens in this window
_TOOL_ID = re.compile(r"^[Tt]-?\d{1,12}$")
_WEB_LINK = re.compile(r"^https?://", re.IGNORECASE)


def _links(ctx: Context) -> ToolLinks:
    return ToolLinks(ctx.settings.base_url, ctx.settings.secret_key)


def _cards(ctx: Context, rows: list[service.ToolRow]) -> list[views.ToolCard]:
    """Each tool with the link made for the asker and its owner's mention (one read for all of them)."""
    links = _links(ctx)
    owners = mentions(ctx.session, ctx.workspace_id, (row.owner_id for row in rows))
    return [
        views.ToolCard(
            row,
            links.url(row.tool_id, workspace_id=ctx.workspace_id, member_id=ctx.me.id),
            owners.get(row.owner_id) if row.owner_id is not None else None,
        )
        for row in rows
    ]


def overview() -> Reply:
    blocks: list[Block] = [
        section(b("Sales tools"), p(" — the decks, one-pagers and battlecards marketing publishes, one search away."))
    ]
    for key in ("find", "add", "list", "remove"):
        blocks.append(section(code(USAGE[key]), p(" — " + SUMMARY[key])))
    blocks.append(context("For example `tool pricing deck` or `tool globex battlecard`."))
    return Reply(blocks=tuple(blocks))


def find(ctx: Context, args: list[str]) -> Reply:
    query = " ".join(args).strip()
    if not query:
        return overview()
    if len(query) > MAX_QUERY:
        raise UsageError(
            f"That search is {len(query):,} characters long; a few words are enough (at most {MAX_QUERY}).",
            usage=USAGE["find"],
        )
    if _TOOL_ID.match(query):
        tool = service.get(ctx.session, ctx.workspace_id, query)
        return views.one_tool(_cards(ctx, service.rows_by_number(ctx.session, ctx.workspace_id, [tool.number]))[0])
    found = search(ctx.session, ctx.workspace_id, query, RESULTS)
    if found.hits:
        since = ctx.clock.now() - RECENT
        return views.results(
            query, _cards(ctx, service.rows_by_number(ctx.session, ctx.workspace_id, found.hits, since=since))
        )
    closest = _cards(ctx, service.rows_by_number(ctx.session, ctx.workspace_id, found.closest))
    owners = {card.owner.name: card.owner for card in closest if card.owner is not None}  # they know the area
    ask = views.WhoToAsk(
        marketing_channel=bool(get_setting(ctx.session, ctx.workspace_id, "marketing_channel")),
        owners=tuple(owners.values())[:3],
    )
    return views.no_match(query, closest, ask, live=found.live)


def _url_of(ctx: Context, args: list[str]) -> tuple[str | None, list[str]]:
    """``url:`` as the SPEC writes it; a bare https:// link at the end of the title is taken too."""
    if ctx.command.options.get("url"):
        return ctx.command.options["url"], args
    if args and _WEB_LINK.match(args[-1]):
        return args[-1], args[:-1]
    return None, args


def add(ctx: Context, args: list[str]) -> Reply:
    opts = ctx.command.options
    url, title_words = _url_of(ctx, args)
    new = NewTool(
        title=check_title(rest(title_words, 0), USAGE["add"]),
        url=check_url(url, USAGE["add"]),
        description=check_description(opts.get("desc")),
        tags=parse_tags(opts.get("tags")),
        campaign=find_campaign(ctx.session, ctx.workspace_id, opts["campaign"]) if opts.get("campaign") else None,
    )
    tool = service.publish(ctx.session, ctx.clock, workspace_id=ctx.workspace_id, owner=ctx.actor, new=new)
    return views.published(_cards(ctx, service.rows_by_number(ctx.session, ctx.workspace_id, [tool.number]))[0])


def list_tools(ctx: Context, args: list[str]) -> Reply:
    if len(args) > 1:
        raise UsageError(
            "`tool list` takes one tag, e.g. `tool list pricing`. To search by words, type "
            f"`tool {' '.join(args)[:60]}`.",
            usage=USAGE["list"],
        )
    tag = check_tag(args[0]) if args else None
    total, rows = service.browse(ctx.session, ctx.workspace_id, tag=tag, limit=PAGE)
    return views.catalogue(_cards(ctx, rows), total, tag)


def _quoted(value: str) -> str:
    for opening, closing in (('"', '"'), ("“", "”"), ("'", "'")):
        if opening not in value and closing not in value:
            return f"{opening}{value}{closing}"
    return '"' + value.replace('"', "'") + '"'


def restore_command(tool: Tool, campaign: str | None) -> str:
    """The `tool add` line that publishes a removed tool again, as it was."""
    parts = ["tool add", _quoted(tool.title), f"url:{tool.url}"]
    if tool.tags:
        parts.append(f"tags:{tool.tags}")
    if campaign:
        parts.append(f"campaign:{_quoted(campaign)}")
    if tool.description:
        parts.append(f"desc:{_quoted(tool.description)}")
    return " ".join(parts)


def _from_stale_note(ctx: Context) -> bool:
    """Pressed on this month's staleness note (not typed): the answer then lists what is still stale."""
    source = ctx.request.source_message
    row = ctx.session.get(Outbox, source) if source is not None else None
    return (
        row is not None
        and row.kind == STALE_KIND
        and row.workspace_id == ctx.workspace_id
        and row.target_member_id == ctx.me.id
    )


def remove(ctx: Context, args: list[str]) -> Reply:
    need(args, 1, USAGE["remove"], "the tool id (e.g. `T-4`)")
    tool = service.get(ctx.session, ctx.workspace_id, args[0], for_update=True)
    [row] = service.rows_by_number(ctx.session, ctx.workspace_id, [tool.number])
    service.remove(ctx.session, ctx.clock, tool, ctx.me, ctx.me.id)
    rest_of_note = (
        still_stale(ctx.session, _links(ctx), ctx.workspace_id, ctx.me.id, ctx.clock.now())
        if _from_stale_note(ctx)
        else []
    )
    return views.removed(row, restore_command(tool, row.campaign), rest_of_note, stale_days=STALE_AFTER_DAYS)


# Text-typed: bot/tools/checks.py checks each value with the tool's own wording (limits, refused link kinds).
ADD_OPTIONS = (
    OptionSpec("url", TEXT, "an http(s) link", "https://example.com/deck"),
    OptionSpec("tags", TEXT, "tags separated by commas", "pricing,enterprise"),
    OptionSpec("campaign", TEXT, "a campaign name (or its start) or C-<n>", '"Q4 Webinar"'),
    OptionSpec("desc", TEXT, "a short description (quoted)", '"the 2027 price list"'),
)


def specs() -> list[CommandSpec]:
    summary = SUMMARY["find"] + "; also `tool add`, `tool list`, `tool remove` (`help tool` shows them)"
    return [
        CommandSpec(("tool",), find, "rep", USAGE["find"], summary, free_text=True),
        CommandSpec(("tool", "add"), add, "marketer", USAGE["add"], SUMMARY["add"], ADD_OPTIONS),
        CommandSpec(("tool", "list"), list_tools, "rep", USAGE["list"], SUMMARY["list"]),
        CommandSpec(("tool", "remove"), remove, "marketer", USAGE["remove"], SUMMARY["remove"]),
    ]
