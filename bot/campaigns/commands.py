"""`campaign` commands (SPEC §3 "campaign"): announce, why, list, show, comment, close. Each handler asks the
service, then the view."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.admin.settings import get_int, get_setting
from bot.campaigns import closing, service, views
from bot.campaigns.checks import ANNOUNCE_USAGE, check_comment, check_new
from bot.campaigns.pages import page_of, pages_of
from bot.core.args import need, rest
from bot.core.commands import CommandSpec
from bot.core.context import Context
from bot.core.errors import NotAllowed, UsageError
from bot.core.options import DATE, INT, TEXT, OptionSpec, shown
from bot.core.outbox import enqueue_channel, enqueue_dm
from bot.core.people import has_role, members_with_role, mention, mentions
from bot.core.replies import Reply
from bot.intel.service import notes_naming
from bot.tools.links import ToolLinks
from bot.tools.service import for_campaign
from storage.models import Campaign, Member

USAGE = {
    "announce": ANNOUNCE_USAGE,
    "why": "campaign why <c>",
    "list": "campaign list [active|all]",
    "show": "campaign show <c>",
    "comment": "campaign comment <c> <text>",
    "close": "campaign close <c>",
}
SUMMARY = {
    "announce": "state a campaign and its goal; it is posted to the sales channel (marketers)",
    "why": "what a campaign is for and what to do with its leads, with its tools and progress",
    "list": "the running campaigns (`all`: closed ones too)",
    "show": "one campaign with its figures and the comments from sales",
    "comment": "tell a campaign's owner what you hear from its leads",
    "close": "end a campaign; its report goes to the owner and the managers (owner or manager)",
}
ANNOUNCE_KIND = "campaign_announce"
COMMENT_KIND = "campaign_comment"
PAGE = 20
SHOWN_COMMENTS = 3
NAME_WORDS = 8  # an unquoted name before a comment: at most this many words are tried as the name

GOAL = OptionSpec("goal", TEXT, "what the campaign is for (quoted)", '"60 qualified RevOps leads"')
AUDIENCE = OptionSpec("audience", TEXT, "who it speaks to (quoted)", '"RevOps leaders at SaaS companies"')
TARGET = OptionSpec("target", INT, "the number of leads you aim to hand to sales, a whole number", "40")
ENDS = OptionSpec("ends", DATE, "the day it ends, as YYYY-MM-DD", "2027-03-31")
TALKING = OptionSpec("talking", TEXT, "talking points for the first call (quoted)", '"Lead with the 15-minute setup"')
ANNOUNCE_OPTIONS = (GOAL, AUDIENCE, TARGET, ENDS, TALKING)


def _today(ctx: Context) -> date:
    """Today in the workspace's time zone: a campaign ending today is still running there."""
    return ctx.clock.now().astimezone(ZoneInfo(get_setting(ctx.session, ctx.workspace_id, "timezone"))).date()


def _campaign(ctx: Context, args: list[str], key: str, *, for_update: bool = False) -> Campaign:
    need(args, 1, USAGE[key], "the campaign (its name, the start of it, or `C-<n>`)")
    return service.get(ctx.session, ctx.workspace_id, " ".join(args), for_update=for_update)


def announce(ctx: Context, args: list[str]) -> Reply:
    new = check_new(
        name=rest(args, 0),
        goal=ctx.opts.get(GOAL),
        audience=ctx.opts.get(AUDIENCE),
        target=ctx.opts.get(TARGET),
        ends_on=ctx.opts.get(ENDS),
        talking=ctx.opts.get(TALKING),
        today=_today(ctx),
    )
    campaign = service.announce(ctx.session, ctx.clock, workspace_id=ctx.workspace_id, owner=ctx.actor, new=new)
    page = page_of(ctx.session, campaign)
    channel = get_setting(ctx.session, ctx.workspace_id, "sales_channel")
    if channel:
        enqueue_channel(
            ctx.session,
            ctx.clock,
            workspace_id=ctx.workspace_id,
            channel=channel,
            reply=views.announcement(page),
            kind=ANNOUNCE_KIND,
            key=f"c{campaign.id}",
            changes=ctx.changes,
        )
    return views.announced(page, posted=bool(channel))


def why(ctx: Context, args: list[str]) -> Reply:
    campaign = _campaign(ctx, args, "why")
    assert campaign.id is not None
    links = ToolLinks(ctx.settings.base_url, ctx.settings.secret_key)
    tools = [
        views.ToolLink(row.title, row.label, links.url(row.tool_id, workspace_id=ctx.workspace_id, member_id=ctx.me.id))
        for row in for_campaign(ctx.session, ctx.workspace_id, campaign.id)
    ]
    rules = views.LeadRules(
        accept_hours=get_int(ctx.session, ctx.workspace_id, "accept_sla_hours"),
        touch_hours=get_int(ctx.session, ctx.workspace_id, "first_touch_sla_hours"),
    )
    intel = [
        views.IntelLine(note.competitor, note.text, note.author or "someone in sales", note.created_at)
        for note in notes_naming(ctx.session, ctx.workspace_id, campaign.talking_points)
    ]
    return views.why(page_of(ctx.session, campaign), tools, rules, intel)


def list_campaigns(ctx: Context, args: list[str]) -> Reply:
    scope = (args[0].lower() if args else "active").strip()
    if len(args) > 1 or scope not in ("active", "all"):
        raise UsageError(
            f"`campaign list` shows `active` campaigns or `all` of them, not `{shown(' '.join(args))}`. "
            "To read one, type `campaign why <name>`.",
            usage=USAGE["list"],
        )
    total, rows = service.listing(
        ctx.session, ctx.workspace_id, scope="active" if scope == "active" else "all", limit=PAGE
    )
    return views.catalogue(pages_of(ctx.session, ctx.workspace_id, rows), total, scope=scope)


def show(ctx: Context, args: list[str]) -> Reply:
    campaign = _campaign(ctx, args, "show")
    assert campaign.id is not None
    total, rows = service.comments(ctx.session, ctx.workspace_id, campaign.id, SHOWN_COMMENTS)
    named = mentions(ctx.session, ctx.workspace_id, [row.member_id for row in rows] + [campaign.closed_by_id])
    comments = [
        views.Comment(named.get(row.member_id) if row.member_id is not None else None, row.text, row.created_at)
        for row in rows
    ]
    closer = named.get(campaign.closed_by_id) if campaign.closed_by_id is not None else None
    return views.show(page_of(ctx.session, campaign), comments, total, closer)


def _named_campaign(ctx: Context, args: list[str]) -> tuple[Campaign, list[str]]:
    """The campaign a comment is about, and the words left: a quoted name, ``C-<n>`` or a name's start comes
    first; an unquoted full name works too (the longest run of leading words that is a campaign's name)."""
    need(args, 1, USAGE["comment"], "the campaign (its name, the start of it, or `C-<n>`) and your comment")
    runs = {" ".join(args[:count]).lower(): count for count in range(2, min(len(args), NAME_WORDS) + 1)}
    if runs:
        table = Campaign.__table__  # type: ignore[attr-defined]
        found = ctx.session.execute(
            select(func.lower(table.c.name)).where(
                table.c.workspace_id == ctx.workspace_id, func.lower(table.c.name).in_(list(runs))
            )
        ).scalars()
        longest = max((runs[name] for name in found), default=0)
        if longest:
            return service.get(ctx.session, ctx.workspace_id, " ".join(args[:longest])), args[longest:]
    return service.get(ctx.session, ctx.workspace_id, args[0]), args[1:]


def comment(ctx: Context, args: list[str]) -> Reply:
    campaign, words = _named_campaign(ctx, args)
    text = check_comment(" ".join(words), USAGE["comment"])
    kept = service.add_comment(ctx.session, ctx.clock, campaign, ctx.actor, text)
    assert campaign.id is not None
    page = page_of(ctx.session, campaign)
    owner = ctx.session.get(Member, campaign.owner_id) if campaign.owner_id is not None else None
    if owner is not None and owner.id != ctx.me.id:
        enqueue_dm(
            ctx.session,
            ctx.clock,
            member=owner,
            reply=views.comment_dm(page, mention(ctx.session, ctx.actor), text),
            kind=COMMENT_KIND,
            key=f"k{kept.id}",
            changes=ctx.changes,
        )
    total, _ = service.comments(ctx.session, ctx.workspace_id, campaign.id, 0)
    return views.commented(page, total)


def close(ctx: Context, args: list[str]) -> Reply:
    campaign = _campaign(ctx, args, "close", for_update=True)
    if campaign.owner_id != ctx.me.id and not has_role(ctx.me, "manager"):
        owner = ctx.session.get(Member, campaign.owner_id) if campaign.owner_id is not None else None
        managers = [m.display_name for m in members_with_role(ctx.session, ctx.workspace_id, "manager")[:3]]
        who = f"{owner.display_name} (its owner)" if owner is not None else "its owner"
        also = f", or a manager ({', '.join('@' + name for name in managers)})" if managers else ", or a manager"
        raise NotAllowed(f"C-{campaign.number} “{campaign.name}” is closed by {who}{also}.")
    done = closing.close(ctx.session, ctx.clock, campaign, closer=ctx.actor, changes=ctx.changes)
    return views.closed(done.page, done.told)


def specs() -> list[CommandSpec]:
    return [
        CommandSpec(
            ("campaign", "announce"), announce, "marketer", USAGE["announce"], SUMMARY["announce"], ANNOUNCE_OPTIONS
        ),
        CommandSpec(("campaign", "why"), why, "rep", USAGE["why"], SUMMARY["why"]),
        CommandSpec(("campaign", "list"), list_campaigns, "rep", USAGE["list"], SUMMARY["list"]),
        CommandSpec(("campaign", "show"), show, "rep", USAGE["show"], SUMMARY["show"]),
        CommandSpec(("campaign", "comment"), comment, "rep", USAGE["comment"], SUMMARY["comment"], free_text=True),
        CommandSpec(("campaign", "close"), close, "marketer", USAGE["close"], SUMMARY["close"]),
    ]
