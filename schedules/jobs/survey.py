"""The pulse-survey job (SPEC §4): hourly, each workspace with `survey on` gets what is due there now
(``bot.survey.rounds``): the question on the quarter's first working day, one reminder on the third, the closed
quarter's result to marketing. `tandem jobs run survey` asks this quarter's question of every rep not yet asked,
whatever the date. Each workspace is its own transaction."""

from __future__ import annotations

from bot.core.runtime import Runtime
from bot.survey.rounds import RoundReport, run_round, surveyed_workspaces

SURVEY_EVERY_SECONDS = 3600.0


async def run_survey(runtime: Runtime, *, ask_anyway: bool = False) -> RoundReport:
    total = RoundReport()
    for workspace_id in await runtime.db.run(_workspaces, runtime):
        total.add(await runtime.db.run(_one_workspace, runtime, workspace_id, ask_anyway))
    return total


def _workspaces(runtime: Runtime) -> list[int]:
    with runtime.db.session() as session:
        return surveyed_workspaces(session)


def _one_workspace(runtime: Runtime, workspace_id: int, ask_anyway: bool) -> RoundReport:
    with runtime.db.session() as session:
        return run_round(session, runtime.clock, workspace_id, ask_anyway=ask_anyway)
