"""Tool replies: pure builders from the rows they are given (no queries). Every tool is shown as a link through
``/t/<id>`` made for the person who will read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.replies import (
    Block,
    Button,
    Buttons,
    Divider,
    Mention,
    Reply,
    Section,
    Span,
    b,
    code,
    context,
    link,
    p,
    section,
)
from bot.tools.service import ToolRow

DESCRIPTION_PREVIEW = 160


@dataclass(frozen=True)
class ToolCard:
    """A tool as one person sees it: the link made for them, and who owns it."""

    row: ToolRow
    url: str
    owner: Mention | None = None


@dataclass(frozen=True)
class WhoToAsk:
    marketing_channel: bool
    owners: tuple[Mention, ...]


def _short(text: str, limit: int = DESCRIPTION_PREVIEW) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _opens(count: int, last: datetime | None, *, period: str = "") -> str:
    if not count:
        return f"not opened{period}" if period else "never opened"
    times = "1 open" if count == 1 else f"{count} opens"
    return times + period + (f", last {last:%d %b %Y}" if last is not None and not period else "")


def _title_line(card: ToolCard) -> Section:
    return section(link(card.row.title, card.url), p("  "), code(card.row.label))


def _facts(card: ToolCard, usage: str | None) -> list[Span | str]:
    row = card.row
    parts: list[Span | str] = []
    if row.tags:
        parts.append(" ".join(f"#{tag}" for tag in row.tags))
    if row.campaign:
        parts.append(f"campaign {row.campaign}")
    if usage:
        parts.append(usage)
    spans: list[Span | str] = []
    for index, part in enumerate(parts):
        spans += [" · " if index else "", part]
    if card.owner is not None:
        spans += [" · by " if parts else "by ", card.owner]
    return [s for s in spans if s != ""]


def _card_blocks(card: ToolCard, usage: str | None, *, description: bool = True) -> list[Block]:
    blocks: list[Block] = [_title_line(card)]
    if description and card.row.description:
        blocks.append(context(_short(card.row.description)))
    facts = _facts(card, usage)
    if facts:
        blocks.append(context(*facts))
    return blocks


def results(query: str, cards: list[ToolCard]) -> Reply:
    """The best matches of `tool <query>`, best first."""
    count = "The best match" if len(cards) == 1 else f"The {len(cards)} best matches"
    blocks: list[Block] = [section("🔎 ", b(count), p(f" for “{_short(query, 80)}”:"))]
    for card in cards:
        blocks.append(Divider())
        usage = _opens(card.row.opens, None, period=" in 30 days") if card.row.opens else None
        blocks += _card_blocks(card, usage)
    blocks.append(
        context(
            "Open a link to use the tool; opens are counted so marketing sees what helps. `tool list` shows every tool."
        )
    )
    return Reply(blocks=tuple(blocks))


def one_tool(card: ToolCard) -> Reply:
    return Reply(blocks=tuple(_card_blocks(card, _opens(card.row.opens, card.row.last_opened))))


def no_match(query: str, closest: list[ToolCard], ask: WhoToAsk, *, live: int) -> Reply:
    blocks: list[Block] = [section("🔍 No tool matches “", p(_short(query, 80)), p("”."))]
    if closest:
        blocks.append(section(b("Closest titles:")))
        for card in closest:
            blocks.append(_title_line(card))
    elif not live:
        blocks.append(section("No tools have been published here yet."))
    who: list[Span | str] = []
    if ask.marketing_channel:
        who.append("Ask in the marketing channel")
        if ask.owners:
            who.append(", or ask ")
    elif ask.owners:
        who.append("Ask ")
    for index, owner in enumerate(ask.owners):
        who += [", " if index else "", owner]
    if who:
        blocks.append(
            section(*[s for s in who if s != ""], p(" — marketing can publish what you need with `tool add`."))
        )
    else:
        blocks.append(section("Ask marketing for it: they publish tools with `tool add`."))
    if not ask.marketing_channel:
        blocks.append(
            context("An admin can set `tandem settings marketing_channel #marketing`, so everyone knows where to ask.")
        )
    return Reply(blocks=tuple(blocks), ok=True)


def published(card: ToolCard) -> Reply:
    blocks: list[Block] = [section("✅ Published ", b(card.row.label), p(" "), link(card.row.title, card.url), p("."))]
    facts = _facts(ToolCard(card.row, card.url), None)
    if facts:
        blocks.append(context(*facts))
    blocks.append(
        context(
            f"Reps find it with `tool <words>`; `tool list` shows how often it is opened. "
            f"Remove it with `tool remove {card.row.label}`."
        )
    )
    return Reply(blocks=tuple(blocks))


def removed(row: ToolRow, restore: str, rest: list[ToolCard], *, stale_days: int) -> Reply:
    """After `tool remove`; ``rest``: the remover's other stale tools, when they came from the staleness DM."""
    blocks: list[Block] = [
        section("🗑️ Removed ", b(row.label), p(f" {row.title}. Its links now answer “not found”.")),
        context("To publish it again: ", code(restore)),
    ]
    if rest:
        blocks += [Divider(), section(f"Still unopened for {stale_days} days:")]
        blocks += _stale_blocks(rest)
    return Reply(blocks=tuple(blocks))


def catalogue(cards: list[ToolCard], total: int, tag: str | None) -> Reply:
    title = f"Tools tagged #{tag} ({total})" if tag else f"Sales tools ({total})"
    blocks: list[Block] = [section(b(title))]
    if not cards:
        blocks.append(
            section(
                f"No tool is tagged #{tag}. `tool list` shows them all."
                if tag
                else "No tools yet. Marketers publish decks, one-pagers and battlecards with "
                "`tool add <title> url:https://…`."
            )
        )
        return Reply(blocks=tuple(blocks))
    blocks.append(context("Most opened first."))
    for card in cards:
        blocks += _card_blocks(card, _opens(card.row.opens, card.row.last_opened), description=False)
    if total > len(cards):
        blocks.append(
            context(
                f"…and {total - len(cards)} more. Narrow it with a tag (`tool list pricing`) "
                "or search with `tool <words>`."
            )
        )
    return Reply(blocks=tuple(blocks))


def _stale_blocks(cards: list[ToolCard]) -> list[Block]:
    blocks: list[Block] = []
    for card in cards:
        last = card.row.last_opened
        when = f"added {card.row.created_at:%d %b %Y} · " + (f"last opened {last:%d %b %Y}" if last else "never opened")
        blocks += [
            _title_line(card),
            context(when),
            Buttons(
                buttons=(
                    Button(label=f"Remove {card.row.label}", command=f"tool remove {card.row.label}", style="danger"),
                )
            ),
        ]
    return blocks


def stale_dm(cards: list[ToolCard], more: int, *, stale_days: int) -> Reply:
    """The monthly note to a tool's owner: what nobody opened for ``stale_days``, one Remove button each."""
    count = "1 of your tools has" if len(cards) + more == 1 else f"{len(cards) + more} of your tools have"
    blocks: list[Block] = [section("🧹 ", b(count), p(f" not been opened for {stale_days} days:"))]
    blocks += _stale_blocks(cards)
    if more:
        blocks.append(context(f"…and {more} more. `tool list` shows every tool with its opens."))
    blocks.append(
        context(
            "Out of date? Remove it, so reps only find what helps. Still right? Keep it and share it "
            "with sales; you will hear again next month if nobody opens it."
        )
    )
    return Reply(blocks=tuple(blocks))


def home_blocks(cards: list[ToolCard]) -> list[Block]:
    """The member's most-used tools on their home page."""
    blocks: list[Block] = [section(b("Your most-used tools"))]
    if not cards:
        blocks.append(
            context("Find decks, one-pagers and battlecards with `/tool <words>`; the ones you open most appear here.")
        )
        return blocks
    for card in cards:
        blocks.append(_title_line(card))
    return blocks
