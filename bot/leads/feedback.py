"""Lead-quality feedback: one 1–5 score per person per lead, with recognised reason tags."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.errors import UsageError
from bot.leads.lifecycle import check_length
from storage.models import Feedback, Lead, Member

QUALITY_TAGS = (
    "no-budget",
    "wrong-persona",
    "no-need",
    "bad-timing",
    "bad-contact",
    "duplicate",
    "competitor",
    "student",
    "great-fit",
)
POSITIVE_TAGS = frozenset({"great-fit"})  # every other quality tag names a way the lead falls short
LOSS_REASONS = ("price", "competitor", "no-decision", "timing", "product-fit", "budget", "champion-left")


def parse_score(raw: str) -> int:
    if raw.strip() in {"1", "2", "3", "4", "5"}:
        return int(raw)
    raise UsageError(
        f"`{raw[:20]}` is not a score; rate the lead from 1 (poor) to 5 (great).",
        usage="lead feedback <id> <1-5> [reason]",
    )


def split_tags(words: list[str], known: tuple[str, ...]) -> tuple[list[str], str | None]:
    """Recognised tags (in order, once each) and the free text that remains."""
    tags: list[str] = []
    rest: list[str] = []
    for word in words:
        tag = word.lower().strip(",.;")
        if tag in known:
            if tag not in tags:
                tags.append(tag)
        else:
            rest.append(word)
    return tags, (" ".join(rest) or None)


def check_tags_agree(tags: list[str], lead: Lead, score: int) -> None:
    """A rating's tags roll up per campaign and source: one that says both "great fit" and "no budget" would
    count on both sides, so it is refused with the way to say what was meant."""
    good = [tag for tag in tags if tag in POSITIVE_TAGS]
    bad = [tag for tag in tags if tag not in POSITIVE_TAGS]
    if not (good and bad):
        return
    named = " and ".join(f"`{tag}`" for tag in bad)
    raise UsageError(
        f"`{good[0]}` says L-{lead.number} fits the criteria, but {named} "
        f"{'say' if len(bad) > 1 else 'says'} it falls short: a rating's tags are either positive (`great-fit`) "
        f"or negative (`no-budget`, `wrong-persona`, …), not both. Keep the tags that hold and put the rest in "
        f"your own words, e.g. `lead feedback L-{lead.number} {score} {good[0]} budget only next year`.",
        usage="lead feedback <id> <1-5> [reason]",
    )


def give(
    session: Session, clock: Clock, lead: Lead, member: Member, score: int, words: list[str]
) -> tuple[Feedback, bool]:
    """Store the score (replacing this person's earlier one); returns (row, replaced)."""
    tags, text = split_tags(words, QUALITY_TAGS)
    check_tags_agree(tags, lead, score)
    text = check_length("reason", text)
    row = session.exec(select(Feedback).where(Feedback.lead_id == lead.id, Feedback.member_id == member.id)).first()
    replaced = row is not None
    if row is None:
        assert lead.id is not None and member.id is not None
        row = Feedback(
            workspace_id=lead.workspace_id, lead_id=lead.id, member_id=member.id, score=score, created_at=clock.now()
        )
    row.campaign_id = lead.campaign_id  # the campaign's quality is read from its ratings (bot/campaigns/progress)
    row.score = score
    row.tags = ",".join(tags)
    row.reason = text
    row.created_at = clock.now()
    session.add(row)
    session.flush()
    return row, replaced
