"""The `stats` answer and the weekly report: pure Reply builders from the ``Figures`` they are given. Charts carry
the figures as data (bar: leads by source and the funnel; line: hand-offs over the period); each platform draws
them natively and lists the same figures as text beside them. The two charts Slack draws natively come first."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.replies import (
    Block,
    Button,
    Buttons,
    Chart,
    Reply,
    b,
    bar_chart,
    code,
    context,
    fields,
    line_chart,
    link,
    p,
    section,
    series,
)
from bot.leads.lifecycle import STAGES
from bot.stats import wording as w
from bot.stats.service import Count, Figures, Quality, Tally

QUALITY_ROWS = 6
SOURCES_DRAWN = 8  # sources are free text: beyond these, the rest are one bar
CAMPAIGN_ROWS = 6
REASONS = 4
PERIOD_BUTTONS = (("7 days", "7d"), ("30 days", "30d"), ("This quarter", "quarter"), ("Last quarter", "last-quarter"))
REACH = {
    "own": "Your own leads only.",
    "marketing": "The leads you handed off and the leads of your campaigns.",
    "workspace": "",
}


def stats_reply(figures: Figures, *, again: str = "") -> Reply:
    """The answer to `stats …`. ``again`` is the command's filters as typed (``campaign:"Q4" owner:@rita``), kept
    on the buttons that show another period."""
    period, now = figures.period, figures.current
    blocks: list[Block] = [
        section("📊 ", b(f"Stats — {period.title}"), p(f" · {period.span}" if period.span != period.title else "")),
        context(_about(figures, f"compared with {period.compared}")),
        headline(figures),
    ]
    if now.leads:
        blocks += charts(figures)
        blocks += _quality_blocks(now)
        blocks.append(_reasons_and_wins(now))
    blocks += _campaign_blocks(figures)
    blocks.append(_tools(figures))
    if figures.survey is not None:
        survey = figures.survey
        blocks.append(
            section(
                b(f"Pulse survey {survey.quarter}: "),
                p(
                    f"{survey.average:.1f} of 5 — {survey.responses} of {survey.asked} reps answered"
                    if survey.average is not None
                    else f"no answers yet — {survey.asked} reps asked"
                ),
            )
        )
    blocks.append(_period_buttons(period.form, again))
    blocks.append(context("Type `stats help` for the periods and filters; the README defines every figure."))
    return Reply(blocks=tuple(blocks))


def _about(figures: Figures, compared: str) -> str:
    parts = [f"Leads created in the period, {compared}; days in {figures.period.zone}."]
    if note := REACH[figures.scope.reach]:
        parts.append(note)
    if figures.filters:
        parts.append("Only " + ", ".join(figures.filters) + ".")
    return " ".join(parts)


def headline(figures: Figures) -> Block:
    """The ten figures everyone looks at first, each against the period before."""
    now, before = figures.current, figures.previous
    breaches = figures.sla_breaches
    if not breaches:
        breaching = "none"
    elif figures.scope.reach == "own":
        breaching = f"{w.plural(figures.sla_breaching, 'lead')} of yours"
    else:
        breaching = f"{w.number(figures.sla_breaching)} — " + ", ".join(f"{x.owner} {x.count}" for x in breaches[:4])
        breaching += f", {len(breaches) - 4} more people" if len(breaches) > 4 else ""
    intel = (
        w.with_change(w.number(now.intel_count), w.change(now.intel_count, before.intel_count or 0))
        if now.intel_count is not None
        else w.NONE
    )
    return fields(
        ("Leads", w.with_change(w.number(now.leads), w.change(now.leads, before.leads))),
        ("Hand-offs", w.with_change(w.number(now.handoffs), w.change(now.handoffs, before.handoffs))),
        (
            "Acceptance",
            w.with_change(w.rate(now.acceptance, "decided"), w.rate_change(now.acceptance, before.acceptance)),
        ),
        (
            "Hours to accept",
            w.with_change(w.spread(now.hours_to_accept), w.hours_change(now.hours_to_accept, before.hours_to_accept)),
        ),
        (
            "Hours to first touch",
            w.with_change(
                w.spread(now.hours_to_first_touch),
                w.hours_change(now.hours_to_first_touch, before.hours_to_first_touch),
            ),
        ),
        ("Breaching SLA now", breaching),
        ("Win rate", w.with_change(w.rate(now.win_rate, "closed"), w.rate_change(now.win_rate, before.win_rate))),
        ("Won", w.with_change(_won(now), w.change(now.won_amount, before.won_amount) if now.won_amount else "")),
        ("Lead quality", w.with_change(w.average(now.quality), _quality_change(now.quality, before.quality))),
        ("Intel notes", intel),
    )


def _won(tally: Tally) -> str:
    if not tally.win_rate.part:
        return "nothing won yet" if tally.win_rate.whole else w.NONE
    deals = "1 deal" if tally.win_rate.part == 1 else f"{w.number(tally.win_rate.part)} deals"
    return f"{w.amount(tally.won_amount)} from {deals}"


def _quality_change(now: Quality, before: Quality) -> str:
    if now.average is None or before.average is None or round(now.average, 1) == round(before.average, 1):
        return "" if now.average is None or before.average is None else "same as before"
    return f"{'▲' if now.average > before.average else '▼'} from {before.average:.1f}"


def charts(figures: Figures) -> list[Block]:
    """Leads by source (bar), hand-offs over the period against the period before (line), the funnel (bar)."""
    now = figures.current
    blocks: list[Block] = [_by_source(now)]
    shares = " · ".join(f"{c.name} {w.percent(c.count / now.leads)}" for c in _top_sources(now))
    blocks.append(context(f"Share of the {w.number(now.leads)} leads: {shares}."))
    blocks.append(handoffs_line(figures))
    blocks.append(
        bar_chart(
            "Funnel: leads that reached each stage",
            series(
                "Leads",
                (
                    (f"{n} {name.capitalize()}", count)
                    for n, (name, count) in enumerate(zip(STAGES, now.funnel, strict=True), start=1)
                ),
            ),
            x_label="Stage",
            y_label="Leads",
        )
    )
    return blocks


def _top_sources(tally: Tally) -> list[Count]:
    """The sources with the most leads, and the rest added up as one (``5 other sources``)."""
    top = list(tally.by_source[:SOURCES_DRAWN])
    rest = tally.by_source[SOURCES_DRAWN:]
    if rest:
        top.append(Count(f"{len(rest)} other sources", sum(c.count for c in rest)))
    return top


def _by_source(tally: Tally) -> Chart:
    return bar_chart(
        "Leads by source",
        series("Leads", ((c.name, c.count) for c in _top_sources(tally))),
        x_label="Source",
        y_label="Leads",
    )


def handoffs_line(figures: Figures) -> Chart:
    buckets = figures.period.buckets()
    per = "day" if figures.period.current.days <= 14 else ("week" if figures.period.current.days <= 140 else "month")
    labels = [bucket.label for bucket in buckets]
    before = figures.previous.handoffs_line
    return line_chart(
        f"Hand-offs per {per}",
        series("This period", zip(labels, figures.current.handoffs_line, strict=True)),
        series("Period before", ((label, before[n] if n < len(before) else None) for n, label in enumerate(labels))),
        x_label=per.capitalize(),
        y_label="Hand-offs",
    )


def _quality_blocks(tally: Tally) -> list[Block]:
    blocks: list[Block] = []
    for title, rows in (
        ("Lead quality by campaign", tally.quality_by_campaign),
        ("Lead quality by source", tally.quality_by_source),
    ):
        if not rows:
            continue
        blocks.append(section(b(title)))
        shown = rows[:QUALITY_ROWS]
        items = [(q.name, w.average(q)) for q in shown]
        if len(rows) > len(shown):
            items.append(("…", f"{len(rows) - len(shown)} more"))
        blocks.append(fields(*items))
    return blocks


def _reasons(counts: tuple[Count, ...], total: int, what: str) -> str:
    if not total:
        return w.NONE
    named = " · ".join(f"{c.name} {w.number(c.count)}" for c in counts[:REASONS])
    return f"{named} (of {w.plural(total, what)})" if named else w.plural(total, what)


def _reasons_and_wins(tally: Tally) -> Block:
    def money(items: tuple[object, ...]) -> str:
        return " · ".join(f"{a.name} {w.amount(a.amount)}" for a in items[:REASONS]) or w.NONE  # type: ignore[attr-defined]

    return fields(
        ("Lost because", _reasons(tally.loss_reasons, tally.win_rate.whole - tally.win_rate.part, "lost lead")),
        ("Rejected because", _reasons(tally.rejection_reasons, tally.rejections, "rejection")),
        ("Won by source", money(tally.won_by_source)),
        ("Won by campaign", money(tally.won_by_campaign)),
    )


def _campaign_blocks(figures: Figures) -> list[Block]:
    if not figures.campaigns:
        return []
    items = []
    for c in figures.campaigns[:CAMPAIGN_ROWS]:
        if c.target:
            progress = f"{w.number(c.delivered)} of {w.number(c.target)} leads ({w.percent(c.delivered / c.target)})"
        else:
            progress = f"{w.number(c.delivered)} leads (no target)"
        items.append((c.name, f"{progress} · {w.number(c.accepted)} accepted"))
    return [section(b("Campaign targets"), p(" — leads so far")), fields(*items)]


def _tools(figures: Figures) -> Block:
    def listed(tools: tuple[object, ...]) -> str:
        return " · ".join(f"{t.title} ({t.clicks})" for t in tools) or w.NONE  # type: ignore[attr-defined]

    return fields(
        ("Tools opened most", listed(figures.tools_most_used)), ("Opened least", listed(figures.tools_least_used))
    )


def _period_buttons(form: str, again: str) -> Buttons:
    suffix = f" {again}" if again else ""
    return Buttons(
        buttons=tuple(
            Button(label=label, command=f"stats {value}{suffix}") for label, value in PERIOD_BUTTONS if value != form
        )
    )


@dataclass(frozen=True)
class Attention:
    """The three things a manager should look at after the weekly report."""

    breaching: int
    breaching_by: tuple[tuple[str, int], ...]
    weakest: Quality | None
    top_rejection: Count | None
    rejections: int


def attention(figures: Figures) -> Attention:
    scored = [q for q in figures.current.quality_by_campaign if q.scored]
    weakest = min(scored, key=lambda q: (q.average or 0, -q.scored, q.name)) if scored else None
    named = [c for c in figures.current.rejection_reasons if c.name != "other"] or list(
        figures.current.rejection_reasons
    )
    return Attention(
        figures.sla_breaching,
        tuple((x.owner, x.count) for x in figures.sla_breaches),
        weakest,
        named[0] if named else None,
        figures.current.rejections,
    )


def report_reply(figures: Figures, dashboard_url: str) -> Reply:
    """The weekly report (SPEC §4): the last 7 days against the week before, what needs attention, the link."""
    period = figures.period
    needs = attention(figures)
    lines: list[str] = []
    if needs.breaching:
        who = ", ".join(f"{name} {count}" for name, count in needs.breaching_by[:5])
        lines.append(f"🚨 {w.plural(needs.breaching, 'open lead')} breaching the SLA now — {who}")
    else:
        lines.append("✅ No open lead is breaching its SLA.")
    if needs.weakest is not None:
        lines.append(f"📉 Lowest lead quality: {needs.weakest.name} — {w.average(needs.weakest)}")
    else:
        lines.append("📉 No campaign lead was scored this week.")
    if needs.top_rejection is not None:
        lines.append(
            f"↩️ Top rejection reason: {needs.top_rejection.name} — {needs.top_rejection.count} of "
            f"{needs.rejections} rejection{'s' if needs.rejections != 1 else ''}"
        )
    else:
        lines.append("↩️ No lead was rejected this week.")
    blocks: list[Block] = [
        section("📈 ", b(f"Weekly report — {period.span}")),
        context(_about(figures, f"compared with the week before ({_span(figures)})")),
        headline(figures),
        section(b("Needs attention")),
        section("\n".join(lines)),
    ]
    if figures.current.leads:
        blocks += [handoffs_line(figures), _by_source(figures.current)]
    blocks.append(
        section(
            "📊 ",
            link("Open the dashboard", dashboard_url),
            p(" — type "),
            code("stats dashboard"),
            p(" for a sign-in link, or "),
            code("stats 7d"),
            p(" for the full figures."),
        )
    )
    blocks.append(
        Buttons(
            buttons=(Button(label="Full stats", command="stats 7d"), Button(label="Last 30 days", command="stats 30d"))
        )
    )
    return Reply(blocks=tuple(blocks), visibility="in_channel")


def _span(figures: Figures) -> str:
    from bot.stats.periods import day_span

    return day_span(figures.period.previous.first, figures.period.previous.last)
