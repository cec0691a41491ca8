"""The home page as a Reply, drawn from what bot/home.py read (a HomePage). Pure: no query."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.commands import TopWord
from bot.core.replies import Block, Button, Buttons, Divider, Reply, Span, b, context, p, section
from bot.leads.views import action_buttons, lead_title, reassign_button, status_line
from storage.models import Lead

if TYPE_CHECKING:
    from bot.home import HomePage

HOME_LEADS = 15
HOME_HANDED_OFF = 5  # per marketing section


def home_view(page: HomePage, words: tuple[TopWord, ...], features: Sequence[Block] = ()) -> Reply:
    """The page; ``words`` are the command words this version answers, for the footer; ``features`` what other
    features add below the leads (the campaigns running now, the member's most-used sales tools), drawn by them."""
    owned = page.owned
    attention = sum(1 for why, _ in owned if why)
    blocks: list[Block] = _handed_off_sections(page) if page.marketing else []
    if page.marketing and not blocks and not owned:
        blocks.append(section("Nothing waiting on you. Leads you hand off appear here until a rep accepts them."))
    if owned or not page.marketing:
        if blocks:
            blocks.append(Divider())
        blocks.append(section(b(f"Your open leads ({len(owned)})")))
    if attention:
        blocks.append(context(f"🔔 {attention} need{'s' if attention == 1 else ''} your attention — listed first."))
    if not owned and not page.marketing:
        blocks.append(section("Nothing open right now. New hand-offs will appear here and in your DMs."))
    for why, lead in owned[:HOME_LEADS]:
        blocks.append(Divider())
        marker = f"🔔 {why} · " if why else ""
        blocks.append(section(b(lead_title(lead)), p(f"\n{marker}{status_line(lead)}")))
        row = action_buttons(lead, page.member)
        row_buttons = tuple(row) + (_show_button(lead),)
        blocks.append(Buttons(buttons=row_buttons))
    if len(owned) > HOME_LEADS:
        blocks.append(context(f"…and {len(owned) - HOME_LEADS} more. `lead list mine` shows them all."))
    if features:
        blocks += [Divider(), *features]
    blocks.append(Divider())
    blocks.append(commands_footer(words))
    return Reply(blocks=tuple(blocks))


def commands_footer(words: tuple[TopWord, ...]) -> Block:
    """The command words this version answers, from the registry's table, so a new feature shows up here too."""
    listed = " · ".join(f"`/{word.word}` {word.summary[:1].lower()}{word.summary[1:]}" for word in words)
    first = f"`/{words[0].word} help`" if words else "`/tandem help`"
    return context(
        f"{listed}. Add `help` to any of them for its commands, like {first}; "
        "`/tandem help` shows everything Tandem can do."
    )


def _handed_off_sections(page: HomePage) -> list[Block]:
    """Marketing's hand-offs back with it, then those no rep has accepted yet."""
    back, waiting = page.back, page.waiting
    blocks: list[Block] = []
    if back:
        blocks.append(section(b(f"Back with you ({len(back)})")))
        blocks.append(context("Rejected by their rep or with no rep available: give each one a new owner."))
        for lead in back[:HOME_HANDED_OFF]:
            why = f"\n{status_line(lead)}" + (f": {lead.outcome_reason}" if lead.outcome_reason else "")
            blocks += [
                Divider(),
                section(b(lead_title(lead)), p(why)),
                Buttons(buttons=(reassign_button(lead), _show_button(lead))),
            ]
        blocks += _more(len(back), "lead list all")
    if waiting:
        if blocks:
            blocks.append(Divider())
        blocks.append(section(b(f"Waiting for a rep to accept ({len(waiting)})")))
        for lead in waiting[:HOME_HANDED_OFF]:
            owner = page.people.get(lead.owner_id) if lead.owner_id else None
            line: tuple[Span | str, ...] = (b(lead_title(lead)),)
            if owner is not None:
                line += (p("\nwith "), owner)
            blocks += [Divider(), section(*line), Buttons(buttons=(_show_button(lead),))]
        blocks += _more(len(waiting), "lead list unworked")
    return blocks


def _more(count: int, command: str) -> list[Block]:
    if count <= HOME_HANDED_OFF:
        return []
    return [context(f"…and {count - HOME_HANDED_OFF} more. `{command}` shows them all.")]


def _show_button(lead: Lead) -> Button:
    return Button(label="Details", command=f"lead show L-{lead.number}")
