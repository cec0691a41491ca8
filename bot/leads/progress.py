"""`lead` commands an owner uses to work a lead: accept, reject, touch, stage, won, lost — and feedback."""

from __future__ import annotations

from decimal import Decimal

from bot.core.args import need, rest
from bot.core.commands import CommandSpec
from bot.core.context import Context
from bot.core.errors import UsageError
from bot.core.grammar import Word
from bot.core.options import AMOUNT_FORMS, Invalid, format_amount, looks_like_amount, parse_amount, shown
from bot.core.people import mention
from bot.core.replies import Reply, b, code, p, say
from bot.leads import feedback as feedback_service
from bot.leads import lifecycle as lead_service
from bot.leads.notify import campaign_owner_of, marketer_of, tell
from bot.leads.queries import card
from bot.leads.views import lead_card

USAGE = {
    "accept": "lead accept <id>",
    "reject": "lead reject <id> <reason>",
    "feedback": "lead feedback <id> <1-5> [reason]",
    "touch": "lead touch <id> [note]",
    "stage": "lead stage <id> <stage>",
    "won": "lead won <id> [amount] [reason]",
    "lost": "lead lost <id> <reason>",
}


def accept(ctx: Context, args: list[str]) -> Reply:
    need(args, 1, USAGE["accept"], "the lead id")
    s = ctx.session
    lead = lead_service.get(s, ctx.workspace_id, args[0], for_update=True)
    event = lead_service.accept(s, ctx.clock, lead, ctx.actor, changes=ctx.changes)
    tell(
        s,
        ctx.clock,
        marketer_of(s, lead),
        lead,
        event,
        "accepted",
        ("👍 ", mention(s, ctx.actor), f" accepted L-{lead.number} {lead.company}."),
        changes=ctx.changes,
        skip=ctx.actor,
    )
    intro = (
        "✅ Accepted by ",
        mention(s, ctx.actor),
        p(". It's yours — log your first touch with "),
        code(f"lead touch L-{lead.number}"),
        p("."),
    )
    return lead_card(card(s, lead), viewer=ctx.actor, intro=intro)


def reject(ctx: Context, args: list[str]) -> Reply:
    need(args, 1, USAGE["reject"], "the lead id")
    s = ctx.session
    lead = lead_service.get(s, ctx.workspace_id, args[0], for_update=True)
    event = lead_service.reject(s, ctx.clock, lead, ctx.actor, rest(args, 1) or "", changes=ctx.changes)
    tell(
        s,
        ctx.clock,
        marketer_of(s, lead),
        lead,
        event,
        "rejected",
        (
            "↩️ ",
            mention(s, ctx.actor),
            f" returned L-{lead.number} {lead.company} to marketing: ",
            p(lead.outcome_reason or ""),
        ),
        changes=ctx.changes,
        skip=ctx.actor,
    )
    return say(
        "↩️ Rejected by ",
        mention(s, ctx.actor),
        p(f": L-{lead.number} {lead.company} went back to marketing with your reason."),
    )


def feedback(ctx: Context, args: list[str]) -> Reply:
    need(args, 2, USAGE["feedback"], "the lead id and a score from 1 to 5")
    s = ctx.session
    # Held, though the lead itself is not changed: the replace-your-own-score read below is then race-free.
    lead = lead_service.get(s, ctx.workspace_id, args[0], for_update=True)
    score = feedback_service.parse_score(args[1])
    row, replaced = feedback_service.give(s, ctx.clock, lead, ctx.actor, score, args[2:])
    detail = (
        f"{score}/5"
        + (f" {row.tags.replace(',', ', ')}" if row.tags else "")
        + (f" — {row.reason}" if row.reason else "")
    )
    event = lead_service.record(s, ctx.clock, lead, ctx.actor, "feedback", from_status=lead.status, detail=detail)
    intro = (
        "⭐ ",
        mention(s, ctx.actor),
        f" rated L-{lead.number} {lead.company} ",
        b(f"{score}/5"),
        p(f" ({row.tags.replace(',', ', ')})" if row.tags else ""),
        p(f": {row.reason}" if row.reason else ""),
    )
    marketer = marketer_of(s, lead)
    tell(s, ctx.clock, marketer, lead, event, "feedback", intro, changes=ctx.changes, skip=ctx.actor)
    owner = campaign_owner_of(s, lead)
    if owner is not None and (marketer is None or owner.id != marketer.id):
        tell(s, ctx.clock, owner, lead, event, "feedback", intro, changes=ctx.changes, skip=ctx.actor)
    verb = "Updated your rating" if replaced else "Thanks — rated"
    return say(f"⭐ {verb} L-{lead.number} {lead.company} ", b(f"{score}/5"), p(". Marketing will see it."))


def touch(ctx: Context, args: list[str]) -> Reply:
    need(args, 1, USAGE["touch"], "the lead id")
    s = ctx.session
    lead = lead_service.get(s, ctx.workspace_id, args[0], for_update=True)
    event = lead_service.touch(s, ctx.clock, lead, ctx.actor, rest(args, 1))
    first = " (first touch)" if event.kind == "first_touch" else ""
    return say("📞 Touch logged on ", b(f"L-{lead.number}"), p(f" {lead.company}{first}."))


def stage(ctx: Context, args: list[str]) -> Reply:
    need(args, 2, USAGE["stage"], "the lead id and a stage (1–7 or its name)")
    s = ctx.session
    lead = lead_service.get(s, ctx.workspace_id, args[0], for_update=True)
    number = lead_service.parse_stage(" ".join(args[1:]) if not args[1].isdigit() else args[1])
    lead_service.move_stage(s, ctx.clock, lead, ctx.actor, number, changes=ctx.changes)
    return lead_card(
        card(s, lead),
        viewer=ctx.actor,
        intro=("➡️ ", b(f"L-{lead.number}"), p(f" moved to stage {number}: {lead_service.STAGE_TITLES[number - 1]}.")),
    )


def won_amount(lead_number: int, word: Word) -> Decimal | None:
    """The amount after ``lead won <id>``, or None when the word starts the reason. A word that starts like a
    number is meant as the amount: when it is not a plausible one it is refused, never kept as the reason."""
    if word.quoted or not looks_like_amount(word.text):
        return None
    try:
        return parse_amount(word.text)
    except Invalid as error:
        raise UsageError(
            f"`{shown(word.text)}` can't be the amount. {error} Write amounts like {AMOUNT_FORMS}; "
            f"a reason that starts with a number goes in quotes: "
            f'`lead won L-{lead_number} "3rd demo did it"`.',
            usage=USAGE["won"],
        ) from None


def won(ctx: Context, args: list[str]) -> Reply:
    need(args, 1, USAGE["won"], "the lead id")
    s = ctx.session
    lead = lead_service.get(s, ctx.workspace_id, args[0], for_update=True)
    words = ctx.command.words[len(ctx.command.words) - len(args) :]  # the args, with whether each was quoted
    amount = won_amount(lead.number, words[1]) if len(words) > 1 else None
    reason = rest(args, 2 if amount is not None else 1)
    event = lead_service.close(
        s, ctx.clock, lead, ctx.actor, "won", reason, float(amount) if amount is not None else None, changes=ctx.changes
    )
    tell(
        s,
        ctx.clock,
        marketer_of(s, lead),
        lead,
        event,
        "won",
        ("🏆 ", mention(s, ctx.actor), f" won L-{lead.number} {lead.company} — a lead you handed off!"),
        changes=ctx.changes,
        skip=ctx.actor,
    )
    worth = p(f" is won, for {format_amount(amount)}.") if amount is not None else p(" is won.")
    return say("🏆 Congratulations! ", b(f"L-{lead.number} {lead.company}"), worth)


def lost(ctx: Context, args: list[str]) -> Reply:
    need(args, 1, USAGE["lost"], "the lead id")
    s = ctx.session
    lead = lead_service.get(s, ctx.workspace_id, args[0], for_update=True)
    reason = rest(args, 1)
    if not reason:
        raise UsageError(
            "Please say why it was lost (price, competitor, no-decision, timing, product-fit, budget, "
            "champion-left, or your own words).",
            usage=USAGE["lost"],
        )
    tags, _ = feedback_service.split_tags(reason.split(), feedback_service.LOSS_REASONS)
    event = lead_service.close(s, ctx.clock, lead, ctx.actor, "lost", reason, changes=ctx.changes)
    tell(
        s,
        ctx.clock,
        marketer_of(s, lead),
        lead,
        event,
        "lost",
        ("⛔ ", mention(s, ctx.actor), f" lost L-{lead.number} {lead.company}: ", p(reason)),
        changes=ctx.changes,
        skip=ctx.actor,
    )
    known = f" (recorded as {', '.join(tags)})" if tags else ""
    return say("⛔ ", b(f"L-{lead.number} {lead.company}"), p(f" marked lost{known}. Thanks for closing the loop."))


def specs() -> list[CommandSpec]:
    return [
        CommandSpec(("lead", "accept"), accept, "rep", USAGE["accept"], "take a lead handed to you"),
        CommandSpec(
            ("lead", "reject"),
            reject,
            "rep",
            USAGE["reject"],
            "return a lead to marketing with a reason",
            free_text=True,
        ),
        CommandSpec(
            ("lead", "feedback"),
            feedback,
            "rep",
            USAGE["feedback"],
            "rate a lead's quality against the criteria",
            free_text=True,
        ),
        CommandSpec(("lead", "touch"), touch, "rep", USAGE["touch"], "log a call, e-mail or meeting", free_text=True),
        CommandSpec(("lead", "stage"), stage, "rep", USAGE["stage"], "move a lead along the seven selling steps"),
        CommandSpec(("lead", "won"), won, "rep", USAGE["won"], "report a win", free_text=True),
        CommandSpec(("lead", "lost"), lost, "rep", USAGE["lost"], "report a loss and why", free_text=True),
    ]
