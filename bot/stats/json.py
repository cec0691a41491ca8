"""``figures_json``: the figures in exactly the JSON of SPEC §5 (`GET /api/v1/stats`): rates as fractions 0–1
and ``null`` where there is no data, the period's ``end`` exclusive (the day after its last day)."""

from __future__ import annotations

from typing import Any

from bot.leads.lifecycle import STAGES
from bot.stats.queries import Spread
from bot.stats.service import Figures, Quality, Ratio


def figures_json(figures: Figures) -> dict[str, Any]:
    """The current period's figures (the comparison period is not part of SPEC §5's shape)."""
    now = figures.current
    survey = figures.survey
    return {
        "period": {"start": now.window.first.isoformat(), "end": now.window.end.isoformat()},
        "leads": {"total": now.leads, "by_source": {c.name: c.count for c in now.by_source}},
        "handoffs": now.handoffs,
        "acceptance_rate": _rate(now.acceptance),
        "hours_to_accept": _spread(now.hours_to_accept),
        "hours_to_first_touch": _spread(now.hours_to_first_touch),
        "sla_breaches": [{"owner": b.owner, "count": b.count} for b in figures.sla_breaches],
        "quality": {
            "by_campaign": [_quality("campaign", q) for q in now.quality_by_campaign],
            "by_source": [_quality("source", q) for q in now.quality_by_source],
        },
        "funnel": dict(zip(STAGES, now.funnel, strict=True)),
        "win_rate": _rate(now.win_rate),
        "loss_reasons": [{"reason": c.name, "count": c.count} for c in now.loss_reasons],
        "won_amount": {
            "total": round(now.won_amount, 2),
            "by_source": {a.name: round(a.amount, 2) for a in now.won_by_source},
            "by_campaign": {a.name: round(a.amount, 2) for a in now.won_by_campaign},
        },
        "campaigns": [
            {"name": c.name, "target": c.target, "delivered": c.delivered, "accepted": c.accepted}
            for c in figures.campaigns
        ],
        "tools": {
            "most_used": [{"id": t.id, "title": t.title, "clicks": t.clicks} for t in figures.tools_most_used],
            "least_used": [{"id": t.id, "title": t.title, "clicks": t.clicks} for t in figures.tools_least_used],
        },
        "intel_count": now.intel_count,
        "survey": (
            {
                "quarter": survey.quarter,
                "average": _round(survey.average, 2),
                "responses": survey.responses,
                "asked": survey.asked,
            }
            if survey is not None
            else None
        ),
    }


def _rate(ratio: Ratio) -> float | None:
    return _round(ratio.value, 3)


def _spread(spread: Spread) -> dict[str, float | None]:
    return {"median": _round(spread.median, 2), "p90": _round(spread.p90, 2)}


def _quality(key: str, quality: Quality) -> dict[str, Any]:
    return {
        key: quality.name,
        "average": _round(quality.average, 2),
        "low_share": _rate(quality.low_share),
        "scored": quality.scored,
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
