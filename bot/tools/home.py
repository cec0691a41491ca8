"""What a member's home page shows of sales tools: the ones they open most, each a link made for them."""

from __future__ import annotations

from sqlmodel import Session

from bot.core.config import Settings
from bot.core.replies import Block
from bot.tools import service
from bot.tools.links import ToolLinks
from bot.tools.views import ToolCard, home_blocks
from storage.models import Member

HOME_TOOLS = 5


def home_section(session: Session, settings: Settings, member: Member) -> list[Block]:
    """Reps always see the section (with how to fill it); others only once they have opened a tool."""
    assert member.id is not None
    rows = service.favourites(session, member.workspace_id, member.id, HOME_TOOLS)
    if not rows and member.role != "rep":
        return []
    links = ToolLinks(settings.base_url, settings.secret_key)
    return home_blocks(
        [ToolCard(row, links.url(row.tool_id, workspace_id=member.workspace_id, member_id=member.id)) for row in rows]
    )
