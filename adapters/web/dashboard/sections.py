"""The dashboard's sections, read from the stats JSON (SPEC §5) and the drill-down rows: pipeline, follow-up,
lead quality, wins and losses, campaigns, and what sales uses and says."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from adapters.web.dashboard.model import (
    NONE,
    STAGE_NAMES,
    STAGE_TITLES,
    STAGES,
    Card,
    Panel,
    Section,
    Table,
    amount,
    as_mapping,
    as_number,
    as_rows,
    count,
    percent,
    score,
)
from bot.core.replies import Chart, Series
from bot.stats.drilldown import Breaches, LowLeads

Points = Sequence[tuple[str, float | None]]
TOP_OWNERS = 10  # the rest of the owners with breaching leads are added up in one bar


def _bar(title: str, points: Points, *, axis: str = "") -> Chart:
    """One series of bars; ``axis`` names what the bars count (no unit after each figure: "1 leads")."""
    return Chart(shape="bar", title=title, series=(Series(name=title, points=tuple(points)),), y_label=axis)


def _largest_first(mapping: Any) -> list[tuple[str, float | None]]:
    pairs = [(str(key), as_number(value)) for key, value in as_mapping(mapping).items()]
    return sorted(pairs, key=lambda pair: -(pair[1] or 0))


def _more(shown: int, total: int, which: str) -> str:
    return f"Showing the {shown:,} {which} of {total:,}; the CSV export has the same rows." if total > shown else ""


def pipeline(figures: Mapping[str, Any]) -> Section:
    leads = as_mapping(figures.get("leads"))
    by_source = _largest_first(leads.get("by_source"))
    total = as_number(leads.get("total")) or 0
    funnel = as_mapping(figures.get("funnel"))
    stages = [(title, as_number(funnel.get(stage))) for stage, title in zip(STAGES, STAGE_TITLES, strict=True)]
    shares = tuple((name, count(value), percent((value or 0) / total) if total else NONE) for name, value in by_source)
    return Section(
        "pipeline",
        "Pipeline",
        "Where the period's leads came from, and how far they got along the seven selling steps.",
        panels=(
            Panel(
                _bar("Leads by source", by_source, axis="leads") if by_source else None,
                Table("Leads by source", ("Source", "Leads", "Share"), shares, numeric=(1, 2)),
            ),
            Panel(
                _bar("Stage funnel: leads that reached each step", stages, axis="leads"),
                Table(
                    "Stage funnel: leads that reached each step",
                    ("Step", "Leads"),
                    tuple(
                        (f"{n}. {name}", count(value))
                        for n, (name, (_short, value)) in enumerate(zip(STAGE_NAMES, stages, strict=True), start=1)
                    ),
                    numeric=(1,),
                ),
            ),
        ),
    )


def follow_up(figures: Mapping[str, Any], breaches: Breaches) -> Section:
    ranked = sorted(
        (
            (str(row.get("owner") or "Unassigned"), as_number(row.get("count")))
            for row in as_rows(figures.get("sla_breaches"))
        ),
        key=lambda pair: -(pair[1] or 0),
    )
    owners = ranked[:TOP_OWNERS]
    if rest := ranked[TOP_OWNERS:]:
        owners.append((f"{len(rest)} other owners", sum(value or 0 for _name, value in rest)))
    late = tuple(
        (f"L-{row.number}", row.company, row.owner or "Unassigned", row.waiting, _late(row.late.total_seconds()))
        for row in breaches.rows
    )
    drill = Table(
        "Leads breaching SLA now",
        ("Lead", "Company", "Owner", "Waiting for", "Late by"),
        late,
        empty="Every open lead is within its service level. 🎉",
        note=_more(len(late), breaches.total, "most overdue"),
        numeric=(4,),
        drill=True,
    )
    by_owner = Table(
        "Breaching SLA by owner", ("Owner", "Leads"), tuple((o, count(n)) for o, n in owners), numeric=(1,)
    )
    chart = _bar("Leads breaching SLA now, by owner", ranked[:TOP_OWNERS], axis="leads")
    panels = [Panel(chart, by_owner)] if owners else []
    return Section(
        "follow-up",
        "Follow-up",
        "Open leads past their service level right now, whose they are and how late.",
        panels=(*panels, Panel(table=drill, wide=not panels)),
    )


def _late(seconds: float) -> str:
    hours_late = seconds / 3600
    if hours_late < 1:
        return f"{max(1, round(seconds / 60))} min"
    if hours_late < 48:
        return f"{hours_late:.0f} h"
    return f"{hours_late / 24:.0f} days"


def _quality_rows(rows: Sequence[Mapping[str, Any]], kind: str) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            str(row.get(kind) or ("No campaign" if kind == "campaign" else "—")),
            count(as_number(row.get("scored"))),
            score(as_number(row.get("average"))),
            percent(as_number(row.get("low_share"))),
        )
        for row in rows
    )


def quality(figures: Mapping[str, Any], low: LowLeads, cards: tuple[Card, ...]) -> Section:
    by = as_mapping(figures.get("quality"))
    by_campaign, by_source = as_rows(by.get("by_campaign")), as_rows(by.get("by_source"))
    head = ("Scored", "Average", "Scored ≤ 2")
    chart = _bar(
        "Average quality by campaign (1–5)",
        [(str(row.get("campaign") or "No campaign"), as_number(row.get("average"))) for row in by_campaign],
    )
    weak = tuple(
        (
            lead.campaign or "No campaign",
            f"L-{lead.number}",
            lead.company,
            lead.source,
            score(lead.score),
            ", ".join(lead.tags) or NONE,
            " · ".join(lead.reasons) or NONE,
            lead.rejection or NONE,
        )
        for lead in low.rows
    )
    return Section(
        "quality",
        "Lead quality",
        "How sales rated the period's leads against the shared criteria, and what it said about the weak ones.",
        cards=cards,
        panels=(
            Panel(
                chart if by_campaign else None,
                Table(
                    "Quality by campaign",
                    ("Campaign", *head),
                    _quality_rows(by_campaign, "campaign"),
                    empty="No lead of this period was scored yet.",
                    numeric=(1, 2, 3),
                ),
            ),
            Panel(
                table=Table(
                    "Quality by source",
                    ("Source", *head),
                    _quality_rows(by_source, "source"),
                    empty="No lead of this period was scored yet.",
                    numeric=(1, 2, 3),
                )
            ),
            Panel(
                table=Table(
                    "Low-quality leads by campaign (scored ≤ 2)",
                    ("Campaign", "Lead", "Company", "Source", "Score", "Tags", "Feedback", "Rejected because"),
                    weak,
                    empty="No lead of this period was scored 2 or lower.",
                    note=_more(len(weak), low.total, "weakest"),
                    numeric=(4,),
                    drill=True,
                ),
                wide=True,
            ),
        ),
    )


def win_loss(figures: Mapping[str, Any]) -> Section:
    reasons = [(str(row.get("reason")), as_number(row.get("count"))) for row in as_rows(figures.get("loss_reasons"))]
    won = as_mapping(figures.get("won_amount"))
    losses = Table(
        "Top loss reasons",
        ("Reason", "Losses"),
        tuple((name, count(value)) for name, value in reasons),
        empty="No lead of this period was lost.",
        numeric=(1,),
    )
    panels = [Panel(_bar("Top loss reasons", reasons, axis="losses") if reasons else None, losses)]
    for title, key in (("Won amount by source", "by_source"), ("Won amount by campaign", "by_campaign")):
        pairs = _largest_first(won.get(key))
        table = Table(
            title,
            (title.rsplit(" ", 1)[-1].capitalize(), "Won"),
            tuple((name, amount(value)) for name, value in pairs),
            empty="Nothing won from this period's leads yet.",
            numeric=(1,),
        )
        panels.append(Panel(_bar(title, pairs) if pairs else None, table))
    return Section(
        "win-loss",
        "Wins and losses",
        "What the period's leads earned, by where they came from, and why the lost ones were lost.",
        panels=tuple(panels),
        columns=3,
    )


def campaigns(figures: Mapping[str, Any]) -> Section:
    rows = as_rows(figures.get("campaigns"))

    def of_target(row: Mapping[str, Any]) -> str:
        target, delivered = as_number(row.get("target")), as_number(row.get("delivered"))
        return percent(delivered / target) if target and delivered is not None else NONE

    table = Table(
        "Campaign target progress",
        ("Campaign", "Target", "Delivered", "Accepted", "Of target"),
        tuple(
            (
                str(row.get("name")),
                count(as_number(row.get("target"))),
                count(as_number(row.get("delivered"))),
                count(as_number(row.get("accepted"))),
                of_target(row),
            )
            for row in rows
        ),
        empty="No campaign ran in this period.",
        numeric=(1, 2, 3, 4),
    )
    chart = Chart(
        shape="bar",
        title="Campaign targets: leads delivered and accepted",
        series=tuple(
            Series(name=name, points=tuple((str(row.get("name")), as_number(row.get(key))) for row in rows))
            for name, key in (("Target", "target"), ("Delivered", "delivered"), ("Accepted", "accepted"))
        ),
        y_label="leads",
    )
    return Section(
        "campaigns",
        "Campaigns",
        "Each campaign's target against the leads it delivered and sales accepted.",
        panels=(Panel(chart if rows else None, table, wide=True),),
    )


def enablement(figures: Mapping[str, Any]) -> Section:
    tools = as_mapping(figures.get("tools"))

    def used(key: str) -> tuple[tuple[str, ...], ...]:
        return tuple(
            (str(row.get("id") or ""), str(row.get("title") or ""), count(as_number(row.get("clicks"))))
            for row in as_rows(tools.get(key))
        )

    survey = as_mapping(figures.get("survey"))
    answered = f"{count(as_number(survey.get('responses')))} of {count(as_number(survey.get('asked')))} reps answered"
    quarter = str(survey.get("quarter") or "")
    cards = (
        Card("Intel notes", count(as_number(figures.get("intel_count"))), "competitive notes from sales", key="intel"),
        Card(
            "Pulse survey",
            score(as_number(survey.get("average"))),
            f"of 5 · {answered}" + (f" · {quarter}" if quarter else "") if survey else "no survey answers yet",
            key="survey",
        ),
    )
    columns = ("Tool", "Title", "Opens")
    return Section(
        "enablement",
        "Tools, intel and the pulse",
        "What sales uses from marketing, what it feeds back, and how much it says marketing helps it sell.",
        cards=cards,
        panels=(
            Panel(
                table=Table("Most used tools", columns, used("most_used"), empty="No tool was opened.", numeric=(2,))
            ),
            Panel(table=Table("Least used tools", columns, used("least_used"), empty="Nothing to show.", numeric=(2,))),
        ),
    )


def survey_trend(trend: Points | None) -> Section | None:
    """The pulse survey's average by quarter, when the survey feature supplies it; absent → no section."""
    if not trend:
        return None
    chart = Chart(
        shape="line", title="Pulse survey average by quarter", series=(Series(name="Average", points=tuple(trend)),)
    )
    return Section(
        "survey-trend",
        "The pulse by quarter",
        "“How much did marketing help you sell this quarter?” — the reps' average answer, 1 to 5.",
        panels=(Panel(chart, wide=True),),
    )
