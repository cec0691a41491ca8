"""`tandem survey` (SPEC §4 "pulse survey"): a rep answers (the question card's buttons are these commands, run as
the clicker), adds a comment, sees where they stand; managers read the results. The commands hang under the
existing `tandem` word rather than a new `survey` word: SPEC §3's words are fixed, and each word is a Slack slash
command every install would have to add to its app."""

from __future__ import annotations

from bot.core.commands import CommandSpec
from bot.core.context import Context
from bot.core.errors import NotAllowed, UsageError
from bot.core.options import Invalid, OptionSpec
from bot.core.people import has_role, members_with_role
from bot.core.quarters import Quarter
from bot.core.replies import Reply
from bot.survey import answers, views
from bot.survey.quarters import QUARTER, parse_quarter
from bot.survey.rounds import TREND_QUARTERS
from bot.survey.service import current_quarter, latest_round, results, trend

USAGE = "tandem survey [answer <1-5> [comment] | comment <text> | results [quarter]]"
SUB_USAGE = {
    "answer": "tandem survey answer <1-5> [comment]",
    "comment": "tandem survey comment <text>",
    "results": "tandem survey results [quarter]",
}
SUMMARY = "the quarterly pulse survey: answer it (1–5) and comment, anonymously; managers see the results"
RESULTS_ROLE = "manager"
QUARTER_OPTION = OptionSpec("quarter", QUARTER, "the quarter a question card is for", "2026-Q4")


def survey(ctx: Context, args: list[str]) -> Reply:
    if not args:
        return mine(ctx)
    sub, rest = args[0].lower(), args[1:]
    if sub == "answer":
        return answer(ctx, rest)
    if sub.isdigit():  # `tandem survey 4` answers too
        return answer(ctx, args)
    if sub == "comment":
        return comment(ctx, rest)
    if sub == "results":
        return show_results(ctx, rest)
    raise UsageError(
        f"`tandem survey {args[0][:30]}` is not a survey command. Answer with `tandem survey answer 4`, comment "
        "with `tandem survey comment <text>`, or (managers) see `tandem survey results`.",
        usage=USAGE,
    )


def mine(ctx: Context) -> Reply:
    status = answers.my_answer(
        ctx.session, ctx.clock, secret=ctx.settings.secret_key, workspace_id=ctx.workspace_id, me=ctx.me
    )
    manager = has_role(ctx.me, RESULTS_ROLE)
    if status.score is None and not status.asked and (ctx.me.role == answers.ANSWERS_ROLE) and not status.open:
        return views.not_open(answers.not_open_text(ctx.session, ctx.workspace_id, status.quarter, ctx.clock.now()))
    return views.mine(status, asked=status.asked or ctx.me.role == answers.ANSWERS_ROLE, manager=manager)


def _score(raw: str) -> int:
    if raw.isdigit() and 1 <= int(raw) <= 5:
        return int(raw)
    raise UsageError(
        f"`{raw[:20]}` is not a score: answer with a whole number from 1 (not at all) to 5 (a great deal), "
        "like `tandem survey answer 4`.",
        usage=SUB_USAGE["answer"],
    )


def answer(ctx: Context, rest: list[str]) -> Reply:
    if not rest:
        raise UsageError("Which score? From 1 (not at all) to 5 (a great deal).", usage=SUB_USAGE["answer"])
    done = answers.answer(
        ctx.session,
        ctx.clock,
        secret=ctx.settings.secret_key,
        workspace_id=ctx.workspace_id,
        me=ctx.me,
        score=_score(rest[0]),
        comment=answers.check_comment(" ".join(rest[1:])),
        quarter=ctx.opts.get(QUARTER_OPTION),
    )
    return views.answered(done)


def comment(ctx: Context, rest: list[str]) -> Reply:
    text = answers.check_comment(" ".join(rest))
    if text is None:
        raise UsageError(
            "Type your comment after the command, like `tandem survey comment The webinar leads were spot on`.",
            usage=SUB_USAGE["comment"],
        )
    done = answers.answer(
        ctx.session,
        ctx.clock,
        secret=ctx.settings.secret_key,
        workspace_id=ctx.workspace_id,
        me=ctx.me,
        score=None,
        comment=text,
        quarter=ctx.opts.get(QUARTER_OPTION),
    )
    return views.answered(done)


def show_results(ctx: Context, rest: list[str]) -> Reply:
    if not has_role(ctx.me, RESULTS_ROLE):
        admins = members_with_role(ctx.session, ctx.workspace_id, "admin")
        names = ", ".join("@" + a.display_name for a in admins[:3]) or "An admin"
        raise NotAllowed(
            f"`tandem survey results` needs the {RESULTS_ROLE} role; you are a {ctx.me.role}. Answers stay "
            f"anonymous either way. {names} can grant it with `tandem role @you {RESULTS_ROLE}`."
        )
    current = current_quarter(ctx.session, ctx.workspace_id, ctx.clock.now())
    quarter = _quarter_asked(ctx, rest, current)
    found = results(ctx.session, ctx.workspace_id, quarter)
    points = trend(ctx.session, ctx.workspace_id, quarter.back(TREND_QUARTERS))
    return views.results_reply(found, quarter, points, closed=quarter < current)


def _quarter_asked(ctx: Context, rest: list[str], current: Quarter) -> Quarter:
    option = ctx.opts.get(QUARTER_OPTION)
    raw = option or " ".join(rest).strip()
    if not raw:
        return latest_round(ctx.session, ctx.workspace_id, current) or current
    try:
        quarter = parse_quarter(raw, current)
    except Invalid:
        raise UsageError(
            f"`{raw[:30]}` is not a quarter. Name one like `2026-Q3`, `Q3 2026`, `Q3` or `last`.",
            usage=SUB_USAGE["results"],
        ) from None
    if quarter > current:
        raise UsageError(f"{quarter.label} has not started yet; the latest survey is this quarter's or earlier.")
    return quarter


def specs() -> list[CommandSpec]:
    return [
        CommandSpec(("tandem", "survey"), survey, "rep", USAGE, SUMMARY, (QUARTER_OPTION,), free_text=True),
    ]
