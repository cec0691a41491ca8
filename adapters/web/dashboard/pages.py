"""The dashboard's HTML: Jinja2 templates rendered on the server with autoescaping, charts drawn as inline SVG by
the shared renderer, and headers that load nothing from anywhere else (Tandem is self-hosted and works offline)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from adapters.web.charts import render_chart
from adapters.web.dashboard.model import Board, Table
from adapters.web.dashboard.query import PERIODS, PageQuery
from bot.core.replies import Chart
from bot.stats.dashboard_filters import Choices, Chosen

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
Refusal = Literal["expired", "used", "invalid", "signed-out", "not-allowed", "ended"]
REFUSALS: dict[Refusal, tuple[str, str]] = {
    "expired": ("This sign-in link has expired or was already used", "Sign-in links work for 15 minutes."),
    "used": ("This sign-in link has expired or was already used", "Each sign-in link works once."),
    "invalid": ("This sign-in link is not valid", "It may have been cut short when it was copied."),
    "signed-out": ("You are not signed in to the dashboard", "The dashboard opens from a sign-in link."),
    "ended": ("Your dashboard session has ended", "A session lasts 12 hours, or until you sign out."),
    "not-allowed": (
        "The dashboard is for managers",
        "Your role in this workspace no longer includes the dashboard; an admin can change it with `tandem role`.",
    ),
}


@dataclass(frozen=True, slots=True)
class Viewing:
    """Everything the page shows: who, which workspace, the period and filters, the board."""

    workspace: str
    viewer: str
    role: str
    query: PageQuery
    choices: Choices
    chosen: Chosen
    title: str = ""
    span: str = ""
    compared: str = ""
    board: Board | None = None
    problem: str = ""  # a filter the page could not use, said in place of the figures


def _chart(chart: Chart, paired: bool = False) -> Markup:
    drawn = render_chart(chart)
    return Markup('<div class="plot{}">{}</div>').format(" is-paired" if paired else "", drawn)


def _numeric(table: Table, index: int) -> bool:
    return index in table.numeric


def _ticks(text: str) -> Markup:
    """``type `stats dashboard` `` → the command in ``<code>``; everything else escaped."""
    parts = str(text).split("`")
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if odd else Markup("{}").format(part)
        for odd, part in ((index % 2 == 1 and index < len(parts) - 1, part) for index, part in enumerate(parts))
    )


def environment() -> Environment:
    pages = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    pages.globals.update(chart=_chart, numeric=_numeric, periods=PERIODS)
    pages.filters["ticks"] = _ticks
    return pages


class Pages:
    def __init__(self) -> None:
        self._env = environment()

    def render(self, name: str, **values: Any) -> str:
        return self._env.get_template(name).render(**values)

    def dashboard(self, viewing: Viewing, *, status: int = 200) -> HTMLResponse:
        html = self.render("dashboard.html", v=viewing)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def refused(self, why: Refusal, *, status: int = 401) -> HTMLResponse:
        title, reason = REFUSALS[why]
        html = self.render("refused.html", title=title, reason=reason, why=why)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def message(self, title: str, text: str, *, status: int = 200) -> HTMLResponse:
        html = self.render("refused.html", title=title, reason=text, why="message")
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
