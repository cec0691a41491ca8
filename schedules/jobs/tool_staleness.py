"""The tool staleness job (SPEC §4): daily at 09:00 UTC, each owner of tools nobody opened for 180 days gets one DM
a calendar month (``bot.tools.staleness``). Each workspace is its own transaction."""

from __future__ import annotations

from datetime import datetime

from bot.core.runtime import Runtime
from bot.tools.links import ToolLinks
from bot.tools.service import workspaces_with_old_tools
from bot.tools.staleness import STALE_AFTER_DAYS, StaleRound, flag_stale_tools


async def run_tool_staleness(runtime: Runtime) -> StaleRound:
    links = ToolLinks(runtime.settings.base_url, runtime.settings.secret_key)
    total = StaleRound()
    for workspace_id in await runtime.db.run(_workspaces, runtime, runtime.clock.now()):
        total.add(await runtime.db.run(_one_workspace, runtime, links, workspace_id))
    return total


def _workspaces(runtime: Runtime, now: datetime) -> list[int]:
    with runtime.db.session() as session:
        return workspaces_with_old_tools(session, now, STALE_AFTER_DAYS)


def _one_workspace(runtime: Runtime, links: ToolLinks, workspace_id: int) -> StaleRound:
    with runtime.db.session() as session:
        return flag_stale_tools(session, runtime.clock, links, workspace_id)
