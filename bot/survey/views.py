"""What the pulse survey says: pure builders from the values they are given (no queries). Results are averages and
counts only; comments are listed without authors; under three answers nothing but the counts is shown."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.quarters import Quarter
from bot.core.replies import (
    Bar,
    Bars,
    Block,
    Button,
    Buttons,
    Reply,
    Span,
    b,
    code,
    context,
    fields,
    line_chart,
    p,
    section,
    series,
)
from bot.survey.answers import Answered, MyAnswer
from bot.survey.service import MIN_ANSWERS, QUESTION, SCALE, SurveyPulse, SurveyResult, TrendPoint

COMMENT_PROMPT = "What helped you most, or what could marketing do better? Shown without your name."
ANONYMOUS = (
    "Anonymous: results show only averages and counts, never names, and comments without their authors; "
    f"nothing but the counts until {MIN_ANSWERS} reps have answered."
)
CHANGE_IT = "You can change your answer until the quarter ends; it stays anonymous."
MAX_COMMENTS_SHOWN = 20
SECTION_BUDGET = 2_400  # characters of comments per section
COMMENT_PREVIEW = 300


def score_buttons(quarter: Quarter, *, chosen: int | None = None, commented: bool = False) -> Buttons:
    """1–5 (each a command run as the clicker, for this quarter only) and the comment prompt."""
    scores = [
        Button(
            label=str(score),
            command=f"tandem survey answer {score} quarter:{quarter.key}",
            style="primary" if score == chosen else None,
        )
        for score in range(1, 6)
    ]
    comment = Button(
        label="Change your comment" if commented else "Add a comment",
        command=f"tandem survey comment quarter:{quarter.key}",
        prompt=COMMENT_PROMPT,
    )
    return Buttons(buttons=(*scores, comment))


def _scale() -> str:
    return f"1 = {SCALE[1]} · 5 = {SCALE[5]}. One click answers; click again to change it."


def question(quarter: Quarter, *, reminder: bool = False) -> Reply:
    """The DM every rep gets on the quarter's first working day (and, still unanswered, on the third)."""
    opening: list[Block] = (
        [section("⏰ ", b("A reminder"), p(f" — the {quarter.label} pulse survey is still open. One click is enough."))]
        if reminder
        else [section("📝 ", b(f"Pulse survey · {quarter.label}"))]
    )
    return Reply(
        blocks=(
            *opening,
            section(b(QUESTION)),
            context(_scale()),
            score_buttons(quarter),
            context(ANONYMOUS),
        )
    )


def _said(comment: str) -> str:
    text = " ".join(comment.split())
    return "“" + (text if len(text) <= COMMENT_PREVIEW else text[: COMMENT_PREVIEW - 1].rstrip() + "…") + "”"


def answered(done: Answered) -> Reply:
    """The answer to a click or a typed answer: what was recorded, what it replaced, and the buttons to change it."""
    blocks: list[Block] = []
    if done.score is not None:
        if done.previous is not None and done.previous != done.score:
            blocks.append(
                section("✅ Thanks — you answered ", b(str(done.score)), p(f" (replacing your {done.previous})."))
            )
        elif done.previous == done.score:
            blocks.append(section("✅ You had already answered ", b(str(done.score)), p(" — it stays as it is.")))
        else:
            blocks.append(
                section(
                    "✅ Thanks — you answered ",
                    b(str(done.score)),
                    p(f" for {done.quarter.label} ({SCALE[done.score]})."),
                ),
            )
    if done.comment is not None:
        replaced = " It replaces your earlier comment." if done.comment_before else ""
        blocks.append(section("💬 Your comment is saved: ", p(_said(done.comment)), p(f".{replaced}")))
    score = done.standing
    if score is None:
        blocks.append(section("Now pick a score from 1 to 5 — the comment counts with it."))
    has_comment = done.comment is not None or done.comment_before is not None
    blocks.append(score_buttons(done.quarter, chosen=score, commented=has_comment))
    blocks.append(context(CHANGE_IT))
    return Reply(blocks=tuple(blocks))


def not_open(text: str) -> Reply:
    return Reply(blocks=(section("📝 ", b("Pulse survey"), p(" — " + text)),))


def mine(status: MyAnswer, *, asked: bool, manager: bool) -> Reply:
    """`tandem survey`: where the asker stands this quarter. ``asked``: the question is theirs to answer (they
    were asked, or are a rep who may answer now)."""
    quarter = status.quarter
    hint = [context("See the results with ", code("tandem survey results"), ".")] if manager else []
    if status.score is None and not asked:
        return Reply(
            blocks=(
                section("📝 ", b("Pulse survey"), p(f" — “{QUESTION}” Every quarter Tandem asks each rep by DM.")),
                section(f"The survey asks reps, so there is nothing for you to answer in {quarter.label}."),
                *hint,
            )
        )
    if status.score is None:
        return Reply(blocks=(*question(quarter).blocks, *hint))
    blocks: list[Block] = [
        section("📝 ", b(f"Pulse survey · {quarter.label}"), p(" — you answered "), b(str(status.score)), p(".")),
    ]
    if status.comment:
        blocks.append(section("💬 Your comment: ", p(_said(status.comment))))
    blocks += [
        section(b(QUESTION)),
        score_buttons(quarter, chosen=status.score, commented=bool(status.comment)),
        context(CHANGE_IT),
        *hint,
    ]
    return Reply(blocks=tuple(blocks))


def _rate(result: SurveyResult) -> str:
    rate = result.response_rate
    share = f" ({rate:.0%})" if rate is not None else ""
    reps = "rep" if result.asked == 1 else "reps"
    return f"{result.responses} of {result.asked} {reps}{share}"


def average_text(average: float) -> str:
    return f"{average:.1f} / 5"


def result_blocks(
    result: SurveyResult, points: Sequence[TrendPoint] = (), *, closed: bool = False, heading: bool = True
) -> list[Block]:
    """A quarter's result as blocks any feature can embed (stats, the weekly report, the meeting agenda)."""
    quarter = result.quarter
    blocks: list[Block] = (
        [section("📊 ", b(f"Pulse survey · {quarter.label}"), p(f" — “{QUESTION}”"))] if heading else []
    )
    if not result.enough:
        yet = "" if closed else " yet"
        blocks.append(
            section(
                f"Not enough answers{yet}: {_rate(result)} answered. Scores are shown from {MIN_ANSWERS} answers on, "
                "so no answer can be traced to the rep who gave it."
            )
        )
        return blocks
    assert result.average is not None
    blocks.append(fields(("Average", average_text(result.average)), ("Answered", _rate(result))))
    top = max(result.scores) if result.scores else 0
    blocks.append(
        Bars(
            title="How reps answered",
            bars=tuple(
                Bar(label=f"{score} · {SCALE[score]}", value=float(count), maximum=float(top), caption=str(count))
                for score, count in zip(range(5, 0, -1), reversed(result.scores), strict=True)
            ),
        )
    )
    if result.comments:
        blocks += _comment_sections(result.comments)
    drawn = [point for point in points if point.average is not None]
    if len(drawn) >= 2:
        blocks.append(
            line_chart(
                "Average by quarter",
                series("Average", [(p.quarter.label, _one_decimal(p.average)) for p in points]),
                x_label="Quarter",
                y_label="Average (1–5)",
            )
        )
    return blocks


def _comment_sections(comments: Sequence[str]) -> list[Block]:
    """The comments as a list, in sections short enough for every platform (Slack cuts a section at 3,000
    characters), so none is cut off."""
    shown = comments[:MAX_COMMENTS_SHOWN]
    sections: list[Block] = []
    spans: list[Span | str] = [b(f"Comments ({len(comments)}, without names)")]
    length = 0
    for comment in shown:
        said = _said(comment)
        if length + len(said) > SECTION_BUDGET:
            sections.append(section(*spans))
            spans, length = [], 0
        spans += ["\n• " if spans else "• ", said]
        length += len(said) + 3
    if len(comments) > len(shown):
        spans.append(f"\n…and {len(comments) - len(shown)} more")
    sections.append(section(*spans))
    return sections


def _one_decimal(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def results_reply(
    result: SurveyResult | None, quarter: Quarter, points: Sequence[TrendPoint], *, closed: bool
) -> Reply:
    """`tandem survey results [quarter]` for managers."""
    if result is None:
        return Reply(
            blocks=(
                section(f"📊 There was no pulse survey in {quarter.label}."),
                context("The survey asks every rep on the first working day of each quarter (setting `survey`)."),
            )
        )
    return Reply(blocks=(*result_blocks(result, points, closed=closed), context(ANONYMOUS)))


def closing_dm(result: SurveyResult, points: Sequence[TrendPoint]) -> Reply:
    """What the marketing team gets when a quarter's survey closes: the headline figure first, so a collapsed
    notification already says it."""
    closed = b(f"The {result.quarter.label} pulse survey has closed")
    if result.average is not None:
        said = p(f": sales rated marketing's help {average_text(result.average)}, from {_rate(result)}.")
    else:
        said = p(f" with too few answers to show a score: {_rate(result)} answered.")
    intro = section("🏁 ", closed, said)
    asked = context(f"The question: “{QUESTION}”")
    return Reply(blocks=(intro, asked, *result_blocks(result, points, closed=True, heading=False), context(ANONYMOUS)))


def pulse_line(pulse: SurveyPulse) -> str:
    """One line for stats and the weekly report: ``Pulse survey Q4 2026: 3.8 / 5 (7 of 10 reps answered)``."""
    counts = f"{pulse.responses} of {pulse.asked} reps answered"
    if pulse.average is None:
        return f"Pulse survey {pulse.quarter.label}: not enough answers to show a score ({counts})"
    return f"Pulse survey {pulse.quarter.label}: {average_text(pulse.average)} ({counts})"
