"""`stats [period] [campaign:] [owner:] [source:]` (SPEC §3): who may see what, the period in the workspace's time
zone, then the service's figures and the view's answer. `stats dashboard` is the dashboard's own command."""

from __future__ import annotations

import re

from bot.admin.settings import get_setting
from bot.core.args import find_campaign
from bot.core.commands import CommandSpec, Handler
from bot.core.context import Context
from bot.core.errors import NotAllowed, NotFound, UsageError
from bot.core.options import CAMPAIGN, PERSON, TEXT, OptionSpec
from bot.core.people import Unmet, find_member
from bot.core.replies import Reply
from bot.stats.periods import FORMS, USAGE, local_today, parse_period
from bot.stats.scope import Scope, reach_of
from bot.stats.service import Providers, compute
from bot.stats.views import stats_reply

CAMPAIGN_OPT = OptionSpec("campaign", CAMPAIGN)
OWNER_OPT = OptionSpec("owner", PERSON, "whose leads (@mention, @name or e-mail)")
SOURCE_OPT = OptionSpec("source", TEXT, "where the leads came from", "webinar")
MAX_SOURCE = 60
_SPACED_RANGE = re.compile(r"\s*\.\.\s*")


def period_text(args: list[str]) -> str | None:
    """The period as typed, forgiving ``last quarter`` and ``2026-11-01 .. 2026-11-30``."""
    if not args:
        return None
    text = _SPACED_RANGE.sub("..", " ".join(args).strip().lower())
    if text == "dashboard":  # its own command once the dashboard is part of Tandem (it is looked up first)
        raise UsageError("The web dashboard is not part of this version of Tandem yet; `stats` shows its figures here.")
    if text in ("last quarter", "previous quarter", "last-quarter"):
        return "last-quarter"
    if text == "this quarter":
        return "quarter"
    if " " in text:
        raise UsageError(f"`{text[:40]}` is more than one period. Periods: {FORMS}.", usage=USAGE)
    return text


def handler(providers: Providers) -> Handler:
    """The `stats` handler with the figures other features provide (intel, the survey) plugged in."""

    def stats(ctx: Context, args: list[str]) -> Reply:
        zone = get_setting(ctx.session, ctx.workspace_id, "timezone")
        now = ctx.clock.now()
        period = parse_period(period_text(args), today=local_today(now, zone), zone=zone)
        scope, filters = _scope(ctx)
        figures = compute(
            ctx.session,
            workspace_id=ctx.workspace_id,
            period=period,
            scope=scope,
            now=now,
            providers=providers,
            filters=filters,
        )
        return stats_reply(figures, again=_filters_as_typed(ctx))

    return stats


def _scope(ctx: Context) -> tuple[Scope, tuple[str, ...]]:
    reach = reach_of(ctx.me.role)
    words: list[str] = []
    owner_id = campaign_id = None
    if owner_ref := ctx.opts.get(OWNER_OPT):
        try:
            owner = find_member(ctx.session, ctx.workspace_id, owner_ref)
        except Unmet as unmet:  # a filter introduces nobody: whoever Tandem has not met owns no leads
            raise NotFound(f"Nobody called `{unmet.ref.key}` owns leads here.") from None
        if reach == "own" and owner.id != ctx.me.id:
            raise NotAllowed(
                "Reps see the figures of their own leads; `stats` shows yours. A manager can see "
                f"{owner.display_name}'s with `stats owner:@{owner.display_name.split(' ')[0].lower()}`."
            )
        owner_id = owner.id
        words.append(f"{owner.display_name}'s leads")
    if named := ctx.opts.get(CAMPAIGN_OPT):
        campaign = find_campaign(ctx.session, ctx.workspace_id, named)
        campaign_id = campaign.id
        words.append(f"campaign {campaign.name}")
    source = ctx.opts.get(SOURCE_OPT)
    if source is not None:
        source = source.strip().lower()
        if len(source) > MAX_SOURCE:
            raise UsageError(f"`source:` is at most {MAX_SOURCE} characters, like `source:webinar`.", usage=USAGE)
        words.append(f"source {source}")
    assert ctx.me.id is not None
    return Scope(ctx.me.id, reach, owner_id, campaign_id, source or None), tuple(words)


def _filters_as_typed(ctx: Context) -> str:
    """The filters of this command as options, for the buttons that show another period."""
    out = []
    for token in ctx.command.option_tokens:
        value = token.value.replace('"', "")
        out.append(f'{token.key}:"{value}"' if " " in value else f"{token.key}:{value}")
    return " ".join(out)


def specs(providers: Providers | None = None) -> list[CommandSpec]:
    return [
        CommandSpec(
            ("stats",),
            handler(providers or Providers()),
            "rep",
            USAGE,
            "how sales and marketing work together: leads, hand-offs, acceptance, speed, quality, funnel, wins",
            (CAMPAIGN_OPT, OWNER_OPT, SOURCE_OPT),
        )
    ]
