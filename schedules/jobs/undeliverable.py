"""When a message cannot be delivered, the workspace's admins hear who was missed and why."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.core.outbox import enqueue_dm, reply_of
from bot.core.people import members_with_role, mention
from bot.core.replies import Block, Reply, b, code, context, p, section
from storage.models import Member, Outbox

log = logging.getLogger("tandem.delivery")
NOTICE_KIND = "delivery_failed"


class _At:
    """The moment the failure was recorded, as the Clock the outbox service expects."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment


def tell_admins_undeliverable(session: Session, now: datetime, row: Outbox, reason: str) -> int:
    """DM every admin of the row's workspace; returns how many were told. A failed notice is not itself
    reported again (that would loop); it is logged."""
    if row.kind == NOTICE_KIND:
        log.error("could not tell an admin about an undeliverable message (outbox %s): %s", row.id, reason)
        return 0
    admins = members_with_role(session, row.workspace_id, "admin")
    if not admins:
        log.error("outbox row %s undeliverable and the workspace has no admin to tell: %s", row.id, reason)
        return 0
    member = session.get(Member, row.target_member_id) if row.target_member_id else None
    who = (mention(session, member),) if member else (p("the channel "), code(row.target_channel or "?"))
    try:
        what = reply_of(row).summary
    except ValueError:
        what = ""
    blocks: list[Block] = [
        section(p("⚠️ "), b("I couldn't deliver a message"), p(" to "), *who, p(".")),
        section(b("Why: "), p(reason)),
    ]
    if what:
        blocks.append(section(b("It said: "), p(what[:300])))
    blocks.append(
        context(
            "Check their chat account or the channel setting (`tandem settings`). "
            f"The message is kept (outbox #{row.id}, {row.kind}); I tell you once a day per person."
        )
    )
    notice = Reply(blocks=tuple(blocks))
    # one notice per unreachable person or channel per day, however many messages were waiting for them
    missed = f"m{row.target_member_id}" if row.target_member_id else f"c{row.target_channel}"
    key = f"{now.date().isoformat()}:{missed}"[:150]
    told = 0
    for admin in admins:
        if enqueue_dm(session, _At(now), member=admin, reply=notice, kind=NOTICE_KIND, key=key) is not None:
            told += 1
    return told
