"""The demo team's earlier two months (bot/demo.py seeds the recent weeks): leads handed off, worked and closed
before the playground opens, so `stats 30d` has a period before it to compare with and every figure has a few
leads behind it. Every lead here ends won or lost, so nobody's inbox, home or open lists change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

Day = Callable[..., datetime]  # day(days_ago, hour, minute=0) → a past moment on a working day


class Story(Protocol):
    """Runs commands as the demo's cast at chosen moments (bot/demo.py's story)."""

    def at(self, moment: datetime) -> Story: ...

    def later(self, **delta: float) -> Story: ...

    def say(self, key: str, text: str, *, card: int | None = None) -> None: ...

    def click(self, key: str, text: str) -> None: ...


# (days ago, marketer, company, rep, source, hours to accept, hours to first touch, stages, score and tags,
#  outcome): every one a hand-off; "reject" first sends it back and the marketer gives it to the next rep.
EARLIER = (
    (58, "maya", "Abstergo", "rita", "webinar", 1.5, 6, 2, "4 great-fit", "won 36k"),
    (57, "leo", "Bluth Company", "sam", "event", 5, 30, 1, "2 wrong-persona", "lost no-decision"),
    (55, "maya", "Cheers Bar Supply", "jonas", "content", 3, 20, 0, "2 no-budget", "lost budget"),
    (54, "maya", "Dunder Mifflin", "rita", "webinar", 0.5, 4, 3, "5 great-fit", "won 54k"),
    (51, "leo", "Ewing Oil", "sam", "event", 9, 44, 2, "3", "lost competitor"),
    (50, "maya", "Frobozz", "jonas", "partner", "reject", 18, 0, "1 student", "lost timing"),
    (48, "leo", "Gringotts", "rita", "event", 2, 10, 4, "4 great-fit", "won 88k"),
    (46, "maya", "Hanso Foundation", "sam", "webinar", 6, 28, 1, "3 bad-timing", "lost price"),
    (44, "maya", "Ingen", "jonas", "content", 4, 22, 2, "3", "lost price competitor"),
    (41, "leo", "Jupiter Mining", "rita", "partner", 1, 8, 3, "4 great-fit", "won 42k"),
    (39, "maya", "Kruger Industrial", "sam", "webinar", 12, 52, 0, "2 no-need", "lost product-fit"),
    (36, "maya", "Lacuna Inc", "jonas", "webinar", 2.5, 16, 1, "3", "lost no-decision"),
    (33, "leo", "Monarch Solutions", "rita", "event", 3.5, 12, 2, "4", "lost champion-left"),
    (31, "maya", "Nakatomi Trading", "sam", "content", "reject", 26, 1, "2 wrong-persona", "lost budget"),
    (29, "leo", "Omni Consumer", "jonas", "event", 1, 9, 3, "4 great-fit", "won 64k"),
    (27, "maya", "Prestige Worldwide", "rita", "webinar", 0.75, 5, 2, "3", "lost price"),
    (26, "maya", "Quartermaine Coffee", "sam", "partner", 4, 19, 1, "2 bad-timing", "lost timing"),
    (25, "leo", "Rekall", "jonas", "event", 2, 14, 0, "3", "lost competitor"),
)
NEXT_REP = {"rita": "sam", "sam": "jonas", "jonas": "rita"}
OWN_LEADS = (  # reps' own `lead add`s, also closed: (days ago, rep, company, outcome)
    (53, "rita", "Sirius Cybernetics", "won 22k"),
    (40, "jonas", "Tessier-Ashpool", "lost price"),
    (28, "sam", "Virtucon", "lost no-decision"),
)


def earlier_history(story_at: Callable[[datetime], Story], day: Day, *, first: int) -> None:
    """Run the two earlier months through the real commands, oldest first; ``first`` is the number the first of
    these leads gets (they are created after the recent weeks' leads, at earlier moments). Each lead's story
    has a clock of its own, since leads overlap in time."""
    moves = sorted(
        [(row[0], 0, row) for row in EARLIER] + [(row[0], 1, row) for row in OWN_LEADS],
        key=lambda item: (-item[0], item[1]),
    )
    for number, (_, kind, row) in enumerate(moves, start=first):
        story = story_at(day(row[0], 9))
        if kind:
            _own_lead(story, day, f"L-{number}", *row)
        else:
            _handoff(story, day, f"L-{number}", *row)


def _handoff(
    story: Story,
    day: Day,
    lead: str,
    days_ago: int,
    marketer: str,
    company: str,
    rep: str,
    source: str,
    accept: float | str,
    touch: float,
    stages: int,
    rating: str,
    outcome: str,
) -> None:
    story.at(day(days_ago, 10, 30)).say(marketer, f'lead handoff "{company}" to:@{rep} source:{source}')
    owner = rep
    if accept == "reject":
        story.later(hours=2).say(rep, f"lead reject {lead} wrong-persona, not the buyer")
        owner = NEXT_REP[rep]
        story.later(hours=1).say(marketer, f"lead reassign {lead} to:@{owner}")
        accept = 2.0
    story.later(hours=float(accept)).say(owner, f"lead accept {lead}")
    story.later(hours=max(0.25, touch - float(accept))).say(owner, f"lead touch {lead} first call")
    for stage in range(1, stages + 1):
        story.later(days=2).say(owner, f"lead stage {lead} {stage}")
    story.later(hours=3).say(owner, f"lead feedback {lead} {rating}")
    story.later(days=3).say(owner, f"lead {outcome.replace(' ', f' {lead} ', 1)}")


def _own_lead(story: Story, day: Day, lead: str, days_ago: int, rep: str, company: str, outcome: str) -> None:
    story.at(day(days_ago, 11, 15)).say(rep, f'lead add "{company}" note:"Met through a customer"')
    story.later(hours=20).say(rep, f"lead touch {lead} intro call")
    story.later(days=6).say(rep, f"lead {outcome.replace(' ', f' {lead} ', 1)}")
