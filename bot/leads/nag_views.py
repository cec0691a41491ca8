"""What a nag says (SPEC §4): the owner's reminder with one-click buttons, the managers' escalation, the
marketer's heads-up, and the trail's wording for both. Pure: built from the lead's card and the round's step."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.core.replies import Button, Buttons, Mention, Reply, Span, b, context, p
from bot.leads.nag_rules import NagStep, phase_start
from bot.leads.queries import LeadCard
from bot.leads.views import lead_blocks
from storage.models import Lead, Member


def describe_span(span: timedelta) -> str:
    hours = max(0, int(span.total_seconds() // 3600))
    if hours < 1:
        return f"{max(1, int(span.total_seconds() // 60))} min"
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def overdue_reason(lead: Lead, settings: Mapping[str, str], now: datetime) -> str:
    """Which SLA the lead has missed, and by how long: the trail and the escalation both say it."""
    waited = describe_span(now - phase_start(lead))
    if lead.status == "handed_off":
        return f"not accepted {waited} after hand-off (SLA {settings['accept_sla_hours']} h)"
    if lead.last_touch_at is None:
        return f"accepted {waited} ago, no first touch yet (SLA {settings['first_touch_sla_hours']} h)"
    days = int(settings["stale_after_days"])
    return f"no touch for {waited} (stale after {days} day{'s' if days != 1 else ''})"


def nag_detail(step: NagStep, owner: Member, reason: str) -> str:
    return f"reminder {step.reminder} to {owner.display_name}: {reason}"


def escalation_detail(nags: int, told: list[str]) -> str:
    return f"after {_reminders(nags)}; told {', '.join(told) or 'nobody (no managers)'}"


def nag_reply(
    card: LeadCard, lead: Lead, owner: Member, step: NagStep, now: datetime, marketer: Member | None
) -> Reply:
    """The owner's DM: what is overdue and why, the lead card, and one-click Accept / Log touch."""
    waited = describe_span(now - phase_start(lead))
    ref = f"L-{lead.number}"
    if lead.status == "handed_off":
        intro: tuple[Span | str, ...] = (
            "⏰ ",
            b(f"{ref} is waiting for you"),
            p(
                f" — handed to you {waited} ago and not accepted yet. Accept it, or reject it with a reason so "
                "marketing can route it to someone else."
            ),
        )
    elif lead.last_touch_at is None:
        intro = (
            "⏰ ",
            b(f"{ref} needs a first touch"),
            p(f" — you accepted it {waited} ago. A quick call or e-mail keeps it warm; log it with one click."),
        )
    else:
        intro = ("⏰ ", b(f"{ref} has gone quiet"), p(f" — no touch for {waited}. Log your next step."))
    blocks = lead_blocks(card, viewer=owner, intro=intro)
    if step.escalate:
        who = ["your managers"] + ([marketer.display_name] if marketer else [])
        blocks.append(context(f"Reminder {step.reminder}. I have also let {' and '.join(who)} know."))
    elif step.reminder <= step.threshold:
        blocks.append(context(f"Reminder {step.reminder} of {step.threshold} before your managers are told."))
    else:
        blocks.append(context(f"Reminder {step.reminder}."))
    return Reply(blocks=tuple(blocks))


def _reminders(nags: int) -> str:
    return f"{nags} reminder{'s' if nags != 1 else ''}"


def escalation_reply(card: LeadCard, owner: Mention, problem: str, nags: int, *, in_channel: bool) -> Reply:
    """For the managers (their channel, or each by DM): the card without the owner's buttons, and a way in."""
    lead = card.lead
    ref = f"L-{lead.number}"
    intro: tuple[Span | str, ...] = (
        "🚨 ",
        b(f"{ref} · {lead.company}"),
        p(" — "),
        owner,
        p(f" has had {_reminders(nags)}: {problem}." if nags else f" is overdue: {problem}."),
    )
    show = Buttons(buttons=(Button(label="Show lead", command=f"lead show {ref}"),))
    blocks = (*lead_blocks(card, intro=intro, with_buttons=False), show)
    return Reply(blocks=blocks, visibility="in_channel") if in_channel else Reply(blocks=blocks)


def heads_up_reply(card: LeadCard, marketer: Member, owner: Mention, problem: str, nags: int) -> Reply:
    """For the marketer who handed the lead off: it is stuck, and managers know."""
    lead = card.lead
    after = f", after {_reminders(nags)}." if nags else "."
    intro = (
        "👀 ",
        b(f"Heads-up on L-{lead.number} · {lead.company}"),
        p(", which you handed to "),
        owner,
        p(f": {problem}{after} Managers have been told."),
    )
    return Reply(blocks=tuple(lead_blocks(card, viewer=marketer, intro=intro, with_buttons=False)))
