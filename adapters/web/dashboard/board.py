"""The whole dashboard from the stats JSON (the same the API answers), the drill-down rows and, when the survey
feature supplies it, the pulse trend by quarter. Pure: it is given everything and runs no query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from adapters.web.dashboard.headline import headline, quality_cards
from adapters.web.dashboard.model import Board
from adapters.web.dashboard.sections import campaigns, enablement, follow_up, pipeline, quality, survey_trend, win_loss
from bot.stats.drilldown import Breaches, LowLeads


def build_board(
    figures: Mapping[str, Any],
    *,
    breaches: Breaches,
    low: LowLeads,
    previous: Mapping[str, Any] | None = None,
    compared: str = "the period before",
    trend: Sequence[tuple[str, float | None]] | None = None,
) -> Board:
    sections = [
        pipeline(figures),
        follow_up(figures, breaches),
        quality(figures, low, quality_cards(figures, previous, compared)),
        win_loss(figures),
    ]
    sections += [campaigns(figures), enablement(figures)]
    if (pulse := survey_trend(trend)) is not None:
        sections.append(pulse)
    return Board(headline(figures, previous, compared), tuple(sections))
