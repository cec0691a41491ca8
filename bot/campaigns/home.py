"""What everyone's home page shows of campaigns: the ones running now, each with its goal and progress."""

from __future__ import annotations

from sqlmodel import Session

from bot.campaigns import service
from bot.campaigns.pages import pages_of
from bot.campaigns.views import home_blocks
from bot.core.replies import Block
from storage.models import Member

HOME_CAMPAIGNS = 5


def home_section(session: Session, member: Member) -> list[Block]:
    total, running = service.listing(session, member.workspace_id, scope="active", limit=HOME_CAMPAIGNS)
    return home_blocks(pages_of(session, member.workspace_id, running), total - len(running))
