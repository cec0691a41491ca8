"""The managers' dashboard (SPEC §5 ``GET /dashboard``): one page rendered on the server — the figures are in
the first HTML, so it prints, loads fast and works without JavaScript — with its filters as a GET form (the URL
is shareable), the figures as cards and charts, drill-down tables, and ``/dashboard/export.csv`` of the same.
The workspace comes from the session alone; no parameter can point the page at another one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from adapters.web.dashboard import export
from adapters.web.dashboard.board import build_board
from adapters.web.dashboard.figures import FiguresSource, SurveyTrend
from adapters.web.dashboard.headline import breaches_in
from adapters.web.dashboard.pages import HERE, SECURITY_HEADERS, Pages, Viewing
from adapters.web.dashboard.query import PageQuery, page_query
from adapters.web.dashboard.signin import PATH, Viewer, mount_signin, refused_response, viewer_of
from bot.admin.settings import all_settings
from bot.core.errors import NotFound, UsageError
from bot.core.runtime import Runtime
from bot.stats import drilldown
from bot.stats.dashboard_filters import Chosen, choices, chosen
from storage.models import Workspace

Outcome = tuple[Viewing, Literal[200, 400]]
BREACHES_SHOWN = 25  # the most overdue leads breaching SLA; the card and the chart count them all
LOW_SHOWN = 30  # the weakest low-quality leads; the quality table counts them all


@dataclass(frozen=True)
class Sources:
    """What the page reads beyond its own drill-downs: the stats figures, and the survey's trend if plugged in."""

    figures: FiguresSource
    survey_trend: SurveyTrend | None = None


def gather(runtime: Runtime, sources: Sources, viewer: Viewer, query: PageQuery) -> Outcome:
    """One transaction: the filters checked against the viewer's workspace, then the figures and drill-downs.
    A filter the page cannot use is said in place of the figures (400), with the form to fix it."""
    workspace_id = viewer.workspace_id
    with runtime.db.session() as session:
        workspace = session.get(Workspace, workspace_id)
        offered = choices(session, workspace_id)
        base = Viewing(
            workspace=workspace.name if workspace else "",
            viewer=viewer.member.display_name,
            role=viewer.member.role,
            query=query,
            choices=offered,
            chosen=Chosen(),
        )
        try:
            picked = chosen(session, workspace_id, campaign=query.campaign, owner=query.owner, source=query.source)
            settings = all_settings(session, workspace_id)
            now = runtime.clock.now()
            read = sources.figures(
                session,
                workspace_id=workspace_id,
                viewer=viewer.member,
                period=query.form,
                chosen=picked,
                now=now,
                settings=settings,
            )
        except (UsageError, NotFound) as problem:
            return replace(base, problem=str(problem)), 400
        narrowing = drilldown.Narrowing(workspace_id, picked.owner_id, picked.campaign_id, picked.source)
        breaching = drilldown.sla_breaches(session, narrowing, settings, now, limit=BREACHES_SHOWN)
        breaches = drilldown.Breaches(breaching, breaches_in(read.figures))
        low = drilldown.low_quality(session, narrowing, read.start, read.stop, limit=LOW_SHOWN)
        trend = sources.survey_trend(session, workspace_id, now) if sources.survey_trend is not None else None
    board = build_board(
        read.figures, breaches=breaches, low=low, previous=read.previous, compared=read.compared, trend=trend
    )
    viewing = replace(base, chosen=picked, title=read.title, span=read.span, compared=read.compared, board=board)
    return viewing, 200


def mount_dashboard(app: FastAPI, runtime: Runtime, sources: Sources) -> None:
    pages = Pages()
    app.mount(f"{PATH}/static", StaticFiles(directory=HERE / "static"), name="dashboard-static")
    mount_signin(app, runtime, pages)

    @app.get(PATH, include_in_schema=False)
    async def dashboard(request: Request) -> Response:
        viewer = await viewer_of(runtime, request)
        if isinstance(viewer, str):
            return refused_response(pages, runtime, viewer)
        viewing, status = await runtime.db.run(gather, runtime, sources, viewer, page_query(request.query_params))
        return pages.dashboard(viewing, status=status)

    @app.get(f"{PATH}/export.csv", include_in_schema=False)
    async def export_csv(request: Request) -> Response:
        viewer = await viewer_of(runtime, request)
        if isinstance(viewer, str):
            return refused_response(pages, runtime, viewer)
        viewing, status = await runtime.db.run(gather, runtime, sources, viewer, page_query(request.query_params))
        if status != 200:
            return pages.dashboard(viewing, status=status)
        name = f"tandem-dashboard-{viewing.query.form}-{runtime.clock.now():%Y-%m-%d}.csv".replace("..", "-to-")
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
        return StreamingResponse(
            export.stream(export.rows(viewing)), media_type="text/csv; charset=utf-8", headers=headers
        )
