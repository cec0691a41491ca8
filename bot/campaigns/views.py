"""Campaign replies: pure builders from the rows they are given (no queries). User text (names, goals, talking
points, comments) only ever travels in plain or bold spans, which every renderer escapes for its platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.campaigns.pages import CampaignPage
from bot.campaigns.progress import Progress
from bot.core.replies import (
    Block,
    Button,
    Buttons,
    Divider,
    Mention,
    Reply,
    Span,
    b,
    code,
    context,
    fields,
    link,
    p,
    said,
    section,
)
from storage.models import Campaign

PREVIEW = 160
INTEL_SHOWN = 5


@dataclass(frozen=True)
class ToolLink:
    """A tool linked to the campaign, with the link made for the person reading (``/t/<id>?m=…``)."""

    title: str
    label: str
    url: str


@dataclass(frozen=True)
class IntelLine:
    """A competitive note sales logged that bears on the campaign's talking points."""

    competitor: str
    text: str
    author: str
    at: date | datetime


@dataclass(frozen=True)
class LeadRules:
    """What a rep owes a campaign's lead, from the workspace's settings."""

    accept_hours: int
    touch_hours: int


@dataclass(frozen=True)
class Comment:
    author: Mention | None
    text: str
    at: datetime


def short(text: str, limit: int = PREVIEW) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def first_line(text: str, limit: int = PREVIEW) -> str:
    return short(text.strip().split("\n", 1)[0], limit)


def day(value: date | datetime) -> str:
    return f"{value:%d %b %Y}"


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%"


def quality_text(progress: Progress) -> str:
    if progress.quality is None:
        return "— (no lead rated yet)"
    rated = "1 lead rated" if progress.rated == 1 else f"{progress.rated} leads rated"
    return f"{progress.quality:.1f} / 5 ({rated})"


def target_text(campaign: Campaign, progress: Progress) -> str:
    """Delivered against the target: ``12 of 40 (30%)``; ``—`` when the campaign set no target."""
    if not campaign.target:
        return f"— (no target set; {progress.delivered} delivered)"
    reached = " ✅ reached" if progress.delivered >= campaign.target else ""
    return f"{progress.delivered} of {campaign.target} ({_percent(progress.delivered, campaign.target)}){reached}"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


def progress_fields(page: CampaignPage, *, full: bool = False) -> Block:
    """The live figures; ``full`` adds the rates and rejections (`campaign show`, reports)."""
    progress, campaign = page.progress, page.campaign
    accepted = f"{progress.accepted}"
    if full:
        accepted += f" (acceptance rate {_rate(progress.acceptance_rate)})"
    items: list[tuple[str, Span | str]] = [
        ("Target", target_text(campaign, progress)),
        ("Delivered", f"{progress.delivered} lead{'s' if progress.delivered != 1 else ''} handed to sales"),
        ("Accepted", accepted),
    ]
    if full:
        items.append(("Rejected", str(progress.rejected)))
    items.append(("Average quality", quality_text(progress)))
    won_lost = f"{progress.won} won · {progress.lost} lost"
    if full:
        won_lost += f" (win rate {_rate(progress.win_rate)})"
    items.append(("Won / lost", won_lost))
    return fields(*items)


def _when_line(page: CampaignPage, closer: Mention | None = None) -> list[Span | str]:
    campaign = page.campaign
    parts: list[Span | str] = []
    if page.owner is not None:
        parts += ["Owner ", page.owner, " · "]
    if campaign.status == "active":
        parts.append(f"running since {day(page.started_on)}")
        if campaign.ends_on is not None:
            parts.append(f" · ends {day(campaign.ends_on)}")
    else:
        parts.append(f"closed {day(page.closed_on or page.started_on)}")
        if closer is not None:
            parts += [" by ", closer]
    return parts


def _buttons(page: CampaignPage, *, why: bool = True) -> Buttons:
    owner = page.owner.name if page.owner is not None else "the campaign's owner"
    row: list[Button] = []
    if why:
        row.append(Button(label="Why?", command=f"campaign why {page.label}", style="primary"))
    row.append(
        Button(
            label="Comment",
            command=f"campaign comment {page.label}",
            prompt=f"What should {owner} know about this campaign or its leads?",
        )
    )
    return Buttons(buttons=tuple(row))


def _labelled(label: str, text: str) -> Block:
    return section(b(label + ": "), said(text))


def announcement(page: CampaignPage) -> Reply:
    """The sales channel's post: what the campaign is for, who it speaks to, and the Why? / Comment buttons."""
    campaign = page.campaign
    head: list[Span | str] = ["📣 ", b("New campaign: "), b(campaign.name), p(f"  {page.label}")]
    if page.owner is not None:
        head += [p(" · from "), page.owner]
    blocks: list[Block] = [section(*head), _labelled("Goal", campaign.goal)]
    facts: list[tuple[str, Span | str]] = []
    if campaign.audience:
        facts.append(("Audience", said(campaign.audience)))
    if campaign.target:
        facts.append(("Target", f"{campaign.target} leads"))
    if campaign.ends_on is not None:
        facts.append(("Ends", day(campaign.ends_on)))
    if facts:
        blocks.append(fields(*facts))
    if campaign.talking_points:
        blocks.append(_labelled("Talking points", campaign.talking_points))
    blocks.append(_buttons(page))
    blocks.append(
        context(
            f"Its leads reach you as hand-offs naming {page.label}. Why? explains what to do with them; "
            "Comment tells marketing what you hear."
        )
    )
    return Reply(blocks=tuple(blocks), visibility="in_channel")


def announced(page: CampaignPage, *, posted: bool) -> Reply:
    """The answer to the marketer who announced it."""
    campaign = page.campaign
    where = " and posted it to the sales channel." if posted else "."
    blocks: list[Block] = [section("✅ Announced ", b(page.label), p(" "), said(campaign.name), p(where))]
    if not posted:
        blocks.append(
            section(
                "No sales channel is set, so nobody was told yet: an admin sets it with "
                "`tandem settings sales_channel #sales` (typed in that channel, or `here`)."
            )
        )
    blocks.append(
        context(
            f"Reps read it with `campaign why {page.label}`. Hand its leads off with `campaign:{page.label}`, and "
            f"link decks and battlecards with `tool add … campaign:{page.label}`."
        )
    )
    return Reply(blocks=tuple(blocks))


def _intel_blocks(intel: Sequence[IntelLine]) -> list[Block]:
    if not intel:
        return []
    names = list(dict.fromkeys(line.competitor for line in intel))
    blocks: list[Block] = [section(b(f"What sales hears about {', '.join(names[:4])}:"))]
    for line in intel[:INTEL_SHOWN]:
        quote = (p("“"), said(short(line.text, 240)), p("” — "), said(line.competitor), p(", "), said(line.author))
        blocks.append(context(*quote, p(f", {day(line.at)}")))
    return blocks


def _tool_blocks(page: CampaignPage, tools: Sequence[ToolLink]) -> list[Block]:
    if not tools:
        return [
            context(
                "No decks or battlecards are linked to it yet; marketing links them with "
                f"`tool add <title> url:<link> campaign:{page.label}`."
            )
        ]
    blocks: list[Block] = [section(b("Tools for it:"))]
    for tool in tools:
        blocks.append(section(link(tool.title, tool.url), p("  "), code(tool.label)))
    return blocks


def why(page: CampaignPage, tools: Sequence[ToolLink], rules: LeadRules, intel: Sequence[IntelLine] = ()) -> Reply:
    """What a rep needs to work the campaign's leads: its goal and audience, what to do with the leads, the
    talking points, the tools, how it is going, and (when given) what sales hears about the competitors."""
    campaign = page.campaign
    blocks: list[Block] = [section("🎯 ", b("Why "), b(campaign.name), b("?"), p(f"  {page.label}"))]
    if campaign.status != "active":
        blocks.append(context(f"This campaign is closed ({day(page.closed_on or page.started_on)})."))
    blocks.append(_labelled("Goal", campaign.goal))
    if campaign.audience:
        blocks.append(_labelled("Audience", campaign.audience))
    owner: list[Span | str] = [page.owner] if page.owner is not None else ["marketing"]
    blocks.append(
        section(
            b("What to do with its leads: "),
            p(
                f"they reach you as hand-offs naming {page.label}. Accept within {rules.accept_hours} h, make the "
                f"first touch within {rules.touch_hours} h, and rate each one "
                "(`lead feedback L-<n> 1-5`) so "
            ),
            *owner,
            p(f" learns what works. `lead list campaign:{page.label}` shows them."),
        )
    )
    if campaign.talking_points:
        blocks.append(_labelled("Talking points", campaign.talking_points))
    blocks += _intel_blocks(intel)
    blocks += _tool_blocks(page, tools)
    blocks += [Divider(), section(b("How it is going")), progress_fields(page)]
    blocks.append(context(*_when_line(page)))
    blocks.append(_buttons(page, why=False))
    return Reply(blocks=tuple(blocks))


def catalogue(pages: Sequence[CampaignPage], total: int, *, scope: str) -> Reply:
    """`campaign list`: the running campaigns (or all), each with its owner and delivery so far."""
    title = f"Running campaigns ({total})" if scope == "active" else f"Campaigns ({total})"
    blocks: list[Block] = [section(b(title))]
    if not pages:
        blocks.append(
            section(
                "No campaign is running. Marketers announce one with `campaign announce <name> goal:<text>`."
                + (" `campaign list all` shows the closed ones too." if scope == "active" else "")
            )
        )
        return Reply(blocks=tuple(blocks))
    for page in pages:
        campaign = page.campaign
        blocks.append(
            section(code(page.label), p(" "), b(campaign.name), p(" — "), said(first_line(campaign.goal, 100)))
        )
        facts: list[Span | str] = _when_line(page)
        delivered = page.progress.delivered
        facts.append(
            f" · {delivered} of {campaign.target} leads delivered"
            if campaign.target
            else f" · {delivered} lead{'s' if delivered != 1 else ''} delivered"
        )
        blocks.append(context(*facts))
    if total > len(pages):
        blocks.append(context(f"…and {total - len(pages)} more."))
    blocks.append(context("`campaign why <c>` explains one; `campaign show <c>` adds its figures and comments."))
    return Reply(blocks=tuple(blocks))


def show(page: CampaignPage, comments: Sequence[Comment], comment_total: int, closer: Mention | None = None) -> Reply:
    """`campaign show`: the campaign, its full figures and the latest comments from sales."""
    campaign = page.campaign
    state = "running" if campaign.status == "active" else "closed"
    blocks: list[Block] = [
        section("📋 ", b(campaign.name), p(f"  {page.label} · {state}")),
        context(*_when_line(page, closer)),
        _labelled("Goal", campaign.goal),
    ]
    if campaign.audience:
        blocks.append(_labelled("Audience", campaign.audience))
    if campaign.talking_points:
        blocks.append(_labelled("Talking points", campaign.talking_points))
    blocks += [Divider(), section(b("Figures")), progress_fields(page, full=True), Divider()]
    if not comment_total:
        blocks.append(context(f"No comments yet. `campaign comment {page.label} <text>` sends one to its owner."))
    else:
        blocks.append(section(b(f"Comments from sales ({comment_total})")))
        for comment in comments:
            who: list[Span | str] = [comment.author] if comment.author is not None else ["someone"]
            blocks.append(context(*who, p(f", {day(page.local_day(comment.at))}: "), said(short(comment.text, 300))))
        if comment_total > len(comments):
            blocks.append(context(f"…and {comment_total - len(comments)} earlier."))
    blocks.append(_buttons(page))
    return Reply(blocks=tuple(blocks))


def comment_dm(page: CampaignPage, author: Mention, text: str) -> Reply:
    """To the campaign's owner: what a colleague in sales said, attributed."""
    return Reply(
        blocks=(
            section("💬 ", author, p(" commented on "), b(page.campaign.name), p(f" {page.label}:")),
            section(said(text)),
            context(f"Kept on the campaign: `campaign show {page.label}` lists every comment."),
        )
    )


def commented(page: CampaignPage, total: int) -> Reply:
    told: list[Span | str] = ["✅ Sent to ", page.owner] if page.owner is not None else ["✅ Noted"]
    count = "1 comment" if total == 1 else f"{total} comments"
    kept = (p(f" and kept on {page.label} "), said(page.campaign.name), p(f" ({count} so far)."))
    return Reply(blocks=(section(*told, *kept),))


def _report_blocks(page: CampaignPage) -> list[Block]:
    blocks: list[Block] = [progress_fields(page, full=True), context("Goal: ", said(first_line(page.campaign.goal)))]
    if page.owner is not None:
        blocks.append(context("Owner ", page.owner, f" · `campaign show {page.label}` has its comments from sales."))
    return blocks


def report(page: CampaignPage, closer: Mention | None, *, in_channel: bool = False) -> Reply:
    """The closing report (`campaign close`, or the campaign end job when ``closer`` is None): what it
    delivered against its target."""
    campaign = page.campaign
    if closer is not None:
        how: list[Span | str] = [p(" was closed by "), closer]
    else:
        how = [p(f" ended on {day(campaign.ends_on)}" if campaign.ends_on is not None else " ended")]
    head = section("📊 ", b(f"{page.label} {campaign.name}"), *how, p(". Its report:"))
    return Reply(blocks=(head, *_report_blocks(page)), visibility="in_channel" if in_channel else "ephemeral")


def closed(page: CampaignPage, told: str) -> Reply:
    """The answer to whoever closed it: done, who heard, and the report itself."""
    head = section("✅ Closed ", b(page.label), p(" "), said(page.campaign.name), p(f". {told}"))
    return Reply(blocks=(head, *_report_blocks(page)))


def home_blocks(pages: Sequence[CampaignPage], more: int) -> list[Block]:
    """Everyone's home page: the campaigns running now, each with its goal and progress."""
    blocks: list[Block] = [section(b("Campaigns running now"))]
    if not pages:
        blocks.append(context("None right now. New campaigns are announced in the sales channel."))
        return blocks
    for page in pages:
        campaign = page.campaign
        blocks.append(section(b(campaign.name), p(f"  {page.label}\n"), said(first_line(campaign.goal, 120))))
        progress = page.progress
        blocks.append(context(f"Target: {target_text(campaign, progress)} · quality {quality_text(progress)}"))
        blocks.append(Buttons(buttons=(Button(label="Why?", command=f"campaign why {page.label}"),)))
    if more:
        blocks.append(context(f"…and {more} more. `/campaign list` shows them all."))
    return blocks
