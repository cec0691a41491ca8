"""The cards across the top of the dashboard, each with its change against the previous period when the stats
give one (▲/▼, green when it is good news)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from adapters.web.dashboard.model import (
    Better,
    Card,
    Delta,
    amount,
    as_mapping,
    as_number,
    as_rows,
    count,
    hours,
    percent,
    score,
)

Kind = Literal["count", "amount", "rate", "hours", "score"]
SHOWN: dict[Kind, Callable[[float | None], str]] = {
    "count": count,
    "amount": amount,
    "rate": percent,
    "hours": hours,
    "score": score,
}
# key, label, where in the JSON, which way is good news, what kind of figure
HEADLINE: tuple[tuple[str, str, tuple[str, ...], Better, Kind], ...] = (
    ("leads", "Leads", ("leads", "total"), "up", "count"),
    ("handoffs", "Hand-offs", ("handoffs",), "up", "count"),
    ("acceptance", "Acceptance rate", ("acceptance_rate",), "up", "rate"),
    ("win_rate", "Win rate", ("win_rate",), "up", "rate"),
    ("won", "Won amount", ("won_amount", "total"), "up", "amount"),
    ("accept_hours", "Time to accept", ("hours_to_accept", "median"), "down", "hours"),
    ("touch_hours", "Time to first touch", ("hours_to_first_touch", "median"), "down", "hours"),
    ("breaches", "Breaching SLA now", ("sla_breaches",), "down", "count"),
)


def pick(figures: Mapping[str, Any], path: tuple[str, ...]) -> float | None:
    """A figure by its path in the JSON; the SLA breaches are the sum over owners."""
    if path == ("sla_breaches",):
        if "sla_breaches" not in figures:
            return None
        return float(sum(as_number(row.get("count")) or 0 for row in as_rows(figures["sla_breaches"])))
    value: Any = figures
    for part in path:
        value = as_mapping(value).get(part)
    return as_number(value)


def breaches_in(figures: Mapping[str, Any]) -> int:
    """How many open leads breach their SLA now, by the stats figure (the sum over owners)."""
    return int(pick(figures, ("sla_breaches",)) or 0)


def delta(now: float | None, before: float | None, better: Better, kind: Kind, compared: str) -> Delta | None:
    """``▲ 12%`` for counts and amounts, ``▲ 5 pts`` for rates, ``▼ 1.5 h`` for durations, against ``compared``."""
    if now is None or before is None:
        return None
    change = now - before
    points = abs(change) * 100
    if abs(change) < 1e-9 or (kind == "rate" and points < 0.05):
        return Delta("=", f"same as {compared}", None)
    arrow: Literal["▲", "▼"] = "▲" if change > 0 else "▼"
    good = (change > 0) == (better == "up")
    if kind == "rate":
        text = f"{points:.0f} pts" if points >= 1 else f"{points:.1f} pts"
    elif kind in ("hours", "score") or before == 0:
        text = SHOWN[kind](abs(change))
    else:
        text = f"{abs(change) / before * 100:.0f}%"
    return Delta(arrow, f"{text} vs {compared}", good)


def _detail(key: str, figures: Mapping[str, Any]) -> str:
    spread = as_mapping(figures.get("hours_to_accept" if key == "accept_hours" else "hours_to_first_touch"))
    return {
        "leads": "created in the period, from every source",
        "handoffs": "from marketing, the API and imports",
        "acceptance": "accepted ÷ (accepted + rejected)",
        "win_rate": "won ÷ (won + lost)",
        "won": "by the period's leads",
        "accept_hours": f"median from hand-off · p90 {hours(as_number(spread.get('p90')))}",
        "touch_hours": f"median from hand-off · p90 {hours(as_number(spread.get('p90')))}",
        "breaches": "open leads past their service level",
    }.get(key, "")


def headline(figures: Mapping[str, Any], previous: Mapping[str, Any] | None, compared: str) -> tuple[Card, ...]:
    """The cards across the top: the figures a head of revenue reads first."""
    cards = []
    for key, label, path, better, kind in HEADLINE:
        now = pick(figures, path)
        before = pick(previous, path) if previous is not None else None
        cards.append(
            Card(label, SHOWN[kind](now), _detail(key, figures), delta(now, before, better, kind, compared), key)
        )
    return tuple(cards)


def overall_quality(figures: Mapping[str, Any]) -> tuple[float | None, float | None, int]:
    """The average score and low share over every scored lead of the period (the sources' weighted by their
    scored leads: every scored lead has exactly one source)."""
    rows = as_rows(as_mapping(figures.get("quality")).get("by_source"))
    scored = sum(int(as_number(row.get("scored")) or 0) for row in rows)
    if not scored:
        return None, None, 0
    total = sum((as_number(row.get("average")) or 0.0) * (as_number(row.get("scored")) or 0.0) for row in rows)
    low = sum((as_number(row.get("low_share")) or 0.0) * (as_number(row.get("scored")) or 0.0) for row in rows)
    return total / scored, low / scored, scored


def quality_cards(figures: Mapping[str, Any], previous: Mapping[str, Any] | None, compared: str) -> tuple[Card, ...]:
    """Average quality, the share scored 2 or lower, and how many leads were scored."""
    average, low, scored = overall_quality(figures)
    was_average, was_low, was_scored = overall_quality(previous) if previous is not None else (None, None, 0)
    return (
        Card(
            "Average quality",
            score(average),
            "of 5, the mean of each lead's score",
            delta(average, was_average, "up", "score", compared),
            "quality",
        ),
        Card(
            "Scored 2 or lower",
            percent(low),
            "share of the scored leads",
            delta(low, was_low, "down", "rate", compared),
            "low_share",
        ),
        Card(
            "Leads scored",
            count(float(scored) if scored else None),
            "rated 1–5 by sales against the criteria",
            delta(float(scored), float(was_scored), "up", "count", compared) if previous is not None else None,
            "scored",
        ),
    )
