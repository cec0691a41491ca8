"""The weekly report job (SPEC §4): every few minutes it looks for workspaces whose `weekly_report` moment has come
this week and sends each one's report once (bot/stats/report.py); `tandem jobs run report` sends this week's
reports now. Each workspace is its own transaction."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.runtime import Runtime
from bot.features import stats_providers
from bot.stats.report import Due, due_reports, send_report

CHECK_EVERY_SECONDS = 300.0


@dataclass
class ReportRound:
    workspaces: int = 0
    messages: int = 0

    def __str__(self) -> str:
        places = "workspace" if self.workspaces == 1 else "workspaces"
        return f"sent the weekly report of {self.workspaces} {places} ({self.messages} messages)"


async def run_report(runtime: Runtime, owner: str, *, manual: bool = False) -> ReportRound:
    done = ReportRound()
    for due in await runtime.db.run(_due, runtime, manual):
        written = await runtime.db.run(_one_workspace, runtime, due, owner)
        if written:
            done.workspaces += 1
            done.messages += written
    return done


def _due(runtime: Runtime, manual: bool) -> list[Due]:
    with runtime.db.session() as session:
        return due_reports(session, runtime.clock.now(), manual=manual)


def _one_workspace(runtime: Runtime, due: Due, owner: str) -> int:
    with runtime.db.session() as session:
        return send_report(
            session,
            runtime.clock,
            due,
            owner=owner,
            dashboard_url=f"{runtime.settings.base_url.rstrip('/')}/dashboard",
            providers=stats_providers(),
        )
