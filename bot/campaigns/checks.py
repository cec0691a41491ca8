"""What `campaign announce` and `campaign comment` accept, one small check per field, each refusing with what is
wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.errors import UsageError

LIMITS = {"name": 200, "goal": 2000, "audience": 2000, "talking points": 2000, "comment": 2000}
ANNOUNCE_USAGE = (
    "campaign announce <name> goal:<text> [audience:<text>] [target:<n leads>] [ends:<YYYY-MM-DD>] [talking:<points>]"
)


@dataclass(frozen=True)
class NewCampaign:
    name: str
    goal: str
    audience: str = ""
    target: int | None = None
    ends_on: date | None = None
    talking_points: str = ""


def check_length(field: str, value: str | None) -> str:
    text = (value or "").strip()
    limit = LIMITS[field]
    if len(text) > limit:
        raise UsageError(
            f"The {field} is {len(text):,} characters long; the limit is {limit:,}. Please shorten it and try again."
        )
    return text


def check_new(
    *,
    name: str | None,
    goal: str | None,
    audience: str | None,
    target: int | None,
    ends_on: date | None,
    talking: str | None,
    today: date,
) -> NewCampaign:
    """``today`` is the date in the workspace's time zone: a campaign may end today, not yesterday."""
    checked_name = " ".join(check_length("name", name).split())  # one line: it heads every post and list
    if not checked_name:
        raise UsageError(
            'What is the campaign called? Put its name first, e.g. `campaign announce "Q4 Webinar" goal:"…"`.',
            usage=ANNOUNCE_USAGE,
        )
    checked_goal = check_length("goal", goal)
    if not checked_goal:
        raise UsageError(
            "Every campaign states its goal, so sales knows why it gets these leads: add "
            '`goal:"60 qualified RevOps leads for Q4"`.',
            usage=ANNOUNCE_USAGE,
        )
    if target is not None and target < 1:
        raise UsageError(
            "`target:` is the number of leads you aim to deliver: a positive whole number, like `target:40`."
        )
    if ends_on is not None and ends_on < today:
        raise UsageError(
            f"`ends:{ends_on.isoformat()}` is in the past (today is {today.isoformat()} here). "
            "Give the day the campaign ends, today or later."
        )
    return NewCampaign(
        name=checked_name,
        goal=checked_goal,
        audience=check_length("audience", audience),
        target=target,
        ends_on=ends_on,
        talking_points=check_length("talking points", talking),
    )


def check_comment(raw: str | None, usage: str) -> str:
    text = check_length("comment", raw)
    if not text:
        raise UsageError(
            "What would you like to tell the campaign's owner? Add it after the campaign, e.g. "
            "`campaign comment C-1 the leads are students, not buyers`.",
            usage=usage,
        )
    return text
