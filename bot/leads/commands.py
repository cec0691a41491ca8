"""`lead` commands that create, route and show leads: handoff, add, reassign, show, list, criteria."""

from __future__ import annotations

from bot.admin.settings import get_setting
from bot.core.args import find_campaign, need, rest
from bot.core.commands import CommandSpec
from bot.core.context import Context
from bot.core.errors import NotAllowed, NotFound, UsageError
from bot.core.options import CAMPAIGN, EMAIL, FLAG, PERSON, TEXT, OptionSpec
from bot.core.people import Unmet, find_member, has_role, mention, mentions
from bot.core.replies import Block, Reply, b, context, p, say, section
from bot.leads import criteria as criteria_service
from bot.leads import lifecycle as lead_service
from bot.leads import lists as lead_lists
from bot.leads import queries as lead_views
from bot.leads.duplicates import open_duplicate
from bot.leads.handoffs import hand_off
from bot.leads.notify import handoff_dm
from bot.leads.views import duplicate_reply, lead_blocks, lead_card, list_blocks, trail_blocks
from storage.models import Member

USAGE = {
    "handoff": "lead handoff <company> [email:<addr>] [name:<contact>] [to:<user>] [campaign:<c>] [source:<s>] "
    "[note:<text>] [force:yes]",
    "add": "lead add <company> [email:…] [name:…] [campaign:…] [source:<s>] [note:…] [force:yes]",
    "reassign": "lead reassign <id> to:<user>",
    "show": "lead show <id>",
    "list": "lead list [mine|handed|unworked|open|all] [owner:<user>] [campaign:<c>]",
    "criteria": "lead criteria | lead criteria set <text>",
}
PAGE = 20

EMAIL_OPT = OptionSpec("email", EMAIL, "the contact's e-mail address")
NAME_OPT = OptionSpec("name", TEXT, "the contact's name", '"Jo Smith"')
CAMPAIGN_OPT = OptionSpec("campaign", CAMPAIGN)
SOURCE_OPT = OptionSpec("source", TEXT, "where the lead came from", "webinar")
NOTE_OPT = OptionSpec("note", TEXT, "a note for the owner (quoted)", '"call after 3pm"')
TO_OPT = OptionSpec("to", PERSON, "who owns it (@mention, @name or e-mail)")
OWNER_OPT = OptionSpec("owner", PERSON, "whose leads (@mention, @name or e-mail)")
FORCE_OPT = OptionSpec(
    "force", FLAG, "yes or no (yes creates it even when an open lead has the same e-mail or company)", "yes"
)
LEAD_OPTS = (EMAIL_OPT, NAME_OPT, CAMPAIGN_OPT, SOURCE_OPT, NOTE_OPT, FORCE_OPT)


def _new_lead(ctx: Context, args: list[str], usage: str) -> lead_service.NewLead:
    company = rest(args, 0)
    if not company:
        raise UsageError("Which company? Put its name first.", usage=usage)
    opts = ctx.opts
    named = opts.get(CAMPAIGN_OPT)
    campaign = find_campaign(ctx.session, ctx.workspace_id, named) if named else None
    return lead_service.validate(
        lead_service.NewLead(
            company=company,
            email=opts.get(EMAIL_OPT),
            name=opts.get(NAME_OPT),
            source=opts.get(SOURCE_OPT),
            note=opts.get(NOTE_OPT),
            campaign=campaign,
        )
    )


def _duplicate(ctx: Context, new: lead_service.NewLead, anyway: str) -> Reply | None:
    """The answer when ``new`` duplicates an open lead (nothing is created), else None."""
    if ctx.opts.get(FORCE_OPT):
        return None
    existing = open_duplicate(ctx.session, ctx.workspace_id, new)
    if existing is None:
        return None
    # force:yes right after the two command words, where a quote left open later in the text cannot swallow it
    words = ctx.request.text.strip().removeprefix("/").split(None, 2)
    again = " ".join([*words[:2], "force:yes", *words[2:]])
    owner = mentions(ctx.session, ctx.workspace_id, (existing.owner_id,)).get(existing.owner_id or 0)
    return duplicate_reply(existing, owner, matched=new.email or new.company, again=again, anyway=anyway)


def handoff(ctx: Context, args: list[str]) -> Reply:
    new = _new_lead(ctx, args, USAGE["handoff"])
    if (duplicate := _duplicate(ctx, new, "Hand off anyway")) is not None:
        return duplicate
    to = ctx.opts.get(TO_OPT)
    done = hand_off(
        ctx.session,
        ctx.clock,
        workspace=ctx.workspace,
        new=new,
        by=ctx.actor,
        owner=ctx.member_named(to) if to else None,
        changes=ctx.changes,
    )
    lead = done.lead
    if done.owner is None:
        where = (
            " The marketing channel has been told."
            if done.channel_told
            else " Set `tandem settings marketing_channel` so the team hears about these."
        )
        return Reply(
            blocks=(
                section(
                    "⚪ ",
                    b(f"L-{lead.number}"),
                    p(f" {lead.company} is unassigned: there is no rep to route it to." + where),
                ),
                context(f"Assign it with `lead reassign L-{lead.number} to:@rep`."),
            ),
            ok=True,
        )
    how = " (round-robin)" if done.routed else ""
    return Reply(
        blocks=(
            section(
                "✅ Handed off ",
                b(f"L-{lead.number}"),
                p(f" {lead.company} to "),
                mention(ctx.session, done.owner),
                p(f"{how}. They have been sent the lead card."),
            ),
        )
    )


def add(ctx: Context, args: list[str]) -> Reply:
    new = _new_lead(ctx, args, USAGE["add"])
    if (duplicate := _duplicate(ctx, new, "Log it anyway")) is not None:
        return duplicate
    lead = lead_service.create(
        ctx.session,
        ctx.clock,
        workspace_id=ctx.workspace_id,
        new=new,
        actor=ctx.actor,
        owner=ctx.actor,
        status="accepted",
        default_source="sales",
    )
    lead_service.refresh_sla(ctx.session, lead)
    lead_service.record(ctx.session, ctx.clock, lead, ctx.actor, "add")
    return lead_card(
        lead_views.card(ctx.session, lead),
        viewer=ctx.actor,
        intro=("✅ Logged ", b(f"L-{lead.number}"), p(" as your own lead.")),
    )


def reassign(ctx: Context, args: list[str]) -> Reply:
    need(args, 1, USAGE["reassign"], "the lead id")
    target = ctx.opts.get(TO_OPT) or (args[1] if len(args) > 1 else None)
    if not target:
        raise UsageError("Who should own it? Add `to:@person`.", usage=USAGE["reassign"])
    lead = lead_service.get(ctx.session, ctx.workspace_id, args[0], for_update=True)
    owner = ctx.member_named(target)
    event = lead_service.reassign(ctx.session, ctx.clock, lead, ctx.actor, owner, changes=ctx.changes)
    handoff_dm(
        ctx.session,
        ctx.clock,
        lead,
        owner,
        event,
        ("🤝 ", mention(ctx.session, ctx.actor), f" reassigned a lead to you: {lead.company}."),
        changes=ctx.changes,
    )
    return say(
        "✅ ",
        b(f"L-{lead.number}"),
        p(f" {lead.company} now belongs to "),
        mention(ctx.session, owner),
        p(". They have been sent the lead card."),
    )


def show(ctx: Context, args: list[str]) -> Reply:
    need(args, 1, USAGE["show"], "the lead id")
    card = lead_views.card(ctx.session, lead_views.find(ctx.session, ctx.workspace_id, args[0]), with_trail=True)
    tz = ctx.me.timezone or get_setting(ctx.session, ctx.workspace_id, "timezone")
    return Reply(blocks=(*lead_blocks(card, viewer=ctx.me), *trail_blocks(card, tz)))


LIST_TITLES = {
    "mine": "Your open leads",
    "handed": "Your hand-offs",
    "unworked": "Unworked leads",
    "open": "Open leads",
    "all": "All leads",
}
OWN_LIST_TITLES = {**LIST_TITLES, "unworked": "Your unworked leads", "open": "Your open leads", "all": "All your leads"}


def list_leads(ctx: Context, args: list[str]) -> Reply:
    scope = args[0].lower() if args else ("mine" if ctx.me.role == "rep" else "open")
    if scope not in lead_lists.SCOPES or len(args) > 1:
        raise UsageError(f"`{' '.join(args)[:40]}` is not a filter.", usage=USAGE["list"])
    owner = campaign = None
    own_only = ctx.me.role == "rep" and scope not in ("mine", "handed")  # both are the asker's own already
    title = (OWN_LIST_TITLES if own_only else LIST_TITLES)[scope]
    if owner_ref := ctx.opts.get(OWNER_OPT):
        try:
            owner = find_member(ctx.session, ctx.workspace_id, owner_ref)
        except Unmet as unmet:  # a filter introduces nobody: whoever Tandem has not met owns no leads
            raise NotFound(f"Nobody called `{unmet.ref.key}` owns leads here.") from None
        if ctx.me.role == "rep" and owner.id != ctx.me.id:
            raise NotAllowed(
                f"Reps see their own leads; `lead list` shows yours. A marketer or manager can list "
                f"{owner.display_name}'s."
            )
        if owner.id != ctx.me.id or not (own_only or scope == "mine"):  # "Your open leads" already says whose
            title += f" owned by {owner.display_name}"
    if named := ctx.opts.get(CAMPAIGN_OPT):
        campaign = find_campaign(ctx.session, ctx.workspace_id, named)
        title += f" in {campaign.name}"
    wanted = lead_lists.Wanted(
        scope,
        ctx.me.id,
        owner_id=owner.id if owner else None,
        campaign_id=campaign.id if campaign else None,
        own_only=own_only,
    )
    total, rows = lead_lists.page(ctx.session, ctx.workspace_id, wanted, PAGE)
    more = max(0, total - len(rows))
    owners = mentions(ctx.session, ctx.workspace_id, (lead.owner_id for lead in rows))
    return Reply(
        blocks=tuple(
            list_blocks(
                rows,
                owners,
                more,
                f"{title} ({total})",
                empty=_empty_hint(ctx, scope, filtered=bool(owner or campaign)),
            )
        )
    )


def _empty_hint(ctx: Context, scope: str, *, filtered: bool) -> str | None:
    """What to try when a list is empty: marketing owns few leads itself, its work is what it handed off."""
    if filtered:
        return None
    if scope == "mine" and has_role(ctx.me, "marketer"):
        return "You own no open leads. Your hand-offs: `lead list handed`"
    if scope == "handed":
        return "You have not handed off any leads. Hand one to sales with `lead handoff <company>`."
    return None


def criteria(ctx: Context, args: list[str]) -> Reply:
    s = ctx.session
    if args and args[0].lower() == "set":
        if not has_role(ctx.actor, "manager"):
            raise NotAllowed(f"`lead criteria set` needs the manager role; you are a {ctx.actor.role}.")
        text = " ".join(args[1:])
        row = criteria_service.set_text(s, ctx.clock, ctx.workspace_id, ctx.actor, text)
        return say("✅ Qualified-lead criteria updated to ", b(f"version {row.version}"), p(":\n" + row.text))
    if args:
        raise UsageError("Only `set` follows `lead criteria`.", usage=USAGE["criteria"])
    versions = criteria_service.history(s, ctx.workspace_id)
    if not versions:
        return say(
            "No qualified-lead criteria yet. A manager can agree them with marketing and write them down: "
            "`lead criteria set <text>`."
        )
    latest = versions[0]
    author = s.get(Member, latest.author_id) if latest.author_id else None
    blocks: list[Block] = [
        section(b(f"What counts as a qualified lead (version {latest.version})")),
        section(latest.text),
        context(
            "Set by ",
            mention(s, author),
            f" on {latest.created_at:%d %b %Y}. Rate every lead 1–5 "
            "against it with `lead feedback <id> <1-5> [reason]`.",
        ),
    ]
    if len(versions) > 1:
        older = ", ".join(f"v{v.version} ({v.created_at:%d %b %Y})" for v in versions[1:])
        blocks.append(context("Earlier versions: " + older))
    return Reply(blocks=tuple(blocks))


def specs() -> list[CommandSpec]:
    from bot.leads.progress import specs as progress_specs

    return [
        CommandSpec(
            ("lead", "handoff"),
            handoff,
            "marketer",
            USAGE["handoff"],
            "hand a lead from marketing to sales",
            (*LEAD_OPTS, TO_OPT),
        ),
        CommandSpec(("lead", "add"), add, "rep", USAGE["add"], "log a lead you found yourself", LEAD_OPTS),
        *progress_specs(),
        CommandSpec(
            ("lead", "reassign"), reassign, "marketer", USAGE["reassign"], "move a lead to another owner", (TO_OPT,)
        ),
        CommandSpec(("lead", "show"), show, "rep", USAGE["show"], "the lead card with its whole history"),
        CommandSpec(
            ("lead", "list"), list_leads, "rep", USAGE["list"], "leads, newest first", (OWNER_OPT, CAMPAIGN_OPT)
        ),
        CommandSpec(
            ("lead", "criteria"),
            criteria,
            "rep",
            USAGE["criteria"],
            "the shared definition of a qualified lead",
            free_text=True,
        ),
    ]
