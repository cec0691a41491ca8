"""The agenda as a reply: pure, from ``AgendaFacts``. Each part says plainly when it has nothing (``—``, never a
made-up 0%), and parts other features provide (intel, the pulse survey) appear only when they do."""

from __future__ import annotations

from bot.core.replies import (
    Block,
    Button,
    Buttons,
    Divider,
    Reply,
    b,
    context,
    fields,
    line_chart,
    p,
    section,
    series,
    when,
)
from bot.meetings.agenda import AgendaFacts, CampaignResult
from bot.meetings.service import Shown

MAX_COMMENTS = 5

# The blocks every agenda shares, built once: replies are immutable, so one object can sit in many of them (a
# firing may post a thousand agendas at once).
_RULE = Divider()
_UNTITLED = section("📋 ", b("Agenda for the next sales & marketing meeting"))
_OPEN_ITEMS = section(b("1. Open items from last time"))
_FIRST_MEETING = context("This is the first meeting Tandem knows of.")
_NONE_NOTED = context("None were noted (`- [ ]`, `TODO` or `action:` in `meeting done` notes).")
_QUALITY = section(b("2. Lead quality"), p(" — average rating (1–5) by month"))
_UNRATED = context("No lead was rated this quarter: ask reps to use `lead feedback`.")
_RETURNS = section(b("3. Why leads came back and deals were lost"))
_WORK_NOW = section(b("4. Leads that need work now"))
_CAMPAIGNS = section(b("5. Campaigns against their targets"))
_NO_CAMPAIGN = context("No campaign ran this quarter.")
_NEXT = section(b("6. The next meeting"), p(" — book it before you leave: `meeting schedule`."))
_NEXT_BUTTON = Buttons(buttons=(Button(label="Next meeting", command="meeting next"),))


def agenda(facts: AgendaFacts, shown: Shown | None, *, posted: bool = False) -> Reply:
    """``posted``: the post in both channels at the start (everyone sees it), rather than an answer to one person."""
    period = facts.period
    blocks: list[Block] = []
    if shown is not None:
        blocks.append(section("📋 ", b("Agenda: " + " ".join(shown.meeting.title.split()))))
        blocks.append(section("🕒 ", when(shown.meeting.starts_at, shown.zone)))
    else:
        blocks.append(_UNTITLED)
    blocks.append(context(f"Reviewing {period.label}, from Tandem's lead trail as of now."))
    blocks += _open_items(facts)
    blocks += _quality(facts)
    blocks += _returns(facts)
    blocks += _work_now(facts)
    blocks += _campaigns(facts.campaigns)
    blocks += _intel(facts)
    blocks += _survey(facts)
    blocks += (_RULE, _NEXT)
    if not posted:
        blocks.append(_NEXT_BUTTON)
    return Reply(blocks=tuple(blocks), visibility="in_channel" if posted else "ephemeral")


def _open_items(facts: AgendaFacts) -> list[Block]:
    blocks: list[Block] = [_RULE, _OPEN_ITEMS]
    if facts.last_meeting is None:
        blocks.append(_FIRST_MEETING)
    elif facts.open_items:
        blocks.append(section(p("\n".join(f"☐ {item}" for item in facts.open_items))))
    else:
        blocks.append(_NONE_NOTED)
    return blocks


def _quality(facts: AgendaFacts) -> list[Block]:
    blocks: list[Block] = [_RULE, _QUALITY]
    months = facts.quality
    if not any(month.scored for month in months):
        blocks.append(_UNRATED)
        return blocks
    blocks.append(
        line_chart("Average lead quality", series("Quality", [(m.month, m.average) for m in months]), unit="/ 5")
    )
    rated = sum(m.scored for m in months)
    counts = ", ".join(f"{m.month} {m.scored}" for m in months)
    blocks.append(context(f"{rated} rating{'s' if rated != 1 else ''} this quarter ({counts})."))
    return blocks


def _counted(pairs: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{name} {count}" for name, count in pairs)


def _returns(facts: AgendaFacts) -> list[Block]:
    blocks: list[Block] = [_RULE, _RETURNS]
    rejected = f"{facts.rejected} rejected" if facts.rejected else "No lead was rejected"
    if facts.rejection_reasons:
        rejected += f" — most named: {_counted(facts.rejection_reasons)}"
    items: list[tuple[str, str]] = [("Rejections", rejected)]
    lost = f"{facts.lost} lost" if facts.lost else "No deal was lost"
    if facts.loss_reasons:
        lost += f" — {_counted(facts.loss_reasons)}"
    items.append(("Losses", lost))
    blocks.append(fields(*items))
    if facts.latest_rejection:
        blocks.append(context("Latest rejection: “", p(_short(facts.latest_rejection)), p("”")))
    return blocks


def _work_now(facts: AgendaFacts) -> list[Block]:
    blocks: list[Block] = [_RULE, _WORK_NOW]
    breaching = f"{facts.breaching_total} past their SLA" if facts.breaching_total else "None past their SLA"
    if facts.breaching:
        breaching += " (" + _counted(facts.breaching[:5]) + ")"
    blocks.append(fields(("Unworked", f"{facts.unworked} not accepted or not yet touched"), ("Overdue", breaching)))
    return blocks


def _campaign_line(result: CampaignResult) -> str:
    accepted = f" · {result.accepted} accepted"
    if result.target:
        share = round(100 * result.delivered / result.target)
        return f"{result.delivered} of {result.target} leads ({share}%){accepted}"
    return f"{result.delivered} leads (no target){accepted}"


def _campaigns(results: tuple[CampaignResult, ...]) -> list[Block]:
    blocks: list[Block] = [_RULE, _CAMPAIGNS]
    if not results:
        blocks.append(_NO_CAMPAIGN)
        return blocks
    blocks.append(fields(*((r.name + ("" if r.active else " (closed)"), _campaign_line(r)) for r in results)))
    return blocks


def _intel(facts: AgendaFacts) -> list[Block]:
    intel = facts.extra.intel
    if intel is None:
        return []
    line = f"{intel.notes} notes from sales" if intel.notes else "No intel was logged"
    if intel.competitors:
        line += " — most about " + _counted(intel.competitors)
    return [context("🕵️ ", b("Competitive intel: "), p(line))]


def _survey(facts: AgendaFacts) -> list[Block]:
    survey = facts.extra.survey
    if survey is None:
        return []
    score = f"{survey.average:.1f} / 5" if survey.average is not None else "—"
    blocks: list[Block] = [
        context(
            "📣 ",
            b(f"Pulse survey {survey.quarter}: "),
            p(f"{score} from {survey.responses} of {survey.asked} reps (how much marketing helped them sell)"),
        )
    ]
    if survey.comments:
        quoted = "\n".join(f"“{_short(comment)}”" for comment in survey.comments[:MAX_COMMENTS])
        blocks.append(context(p(quoted)))
    return blocks


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
