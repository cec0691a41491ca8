"""The few SQL expressions SQLite and PostgreSQL spell differently: hours between two moments, a case-blind word
match, a stage number read from the trail, and percentiles (PostgreSQL's ``percentile_cont``; on SQLite the same
interpolation between the values at the two nearest ranks, ranked with ``row_number()``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import FromClause, Integer, Subquery, and_, bindparam, cast, func, literal, or_, select, union_all
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Select
from sqlalchemy.sql.selectable import CTE


def _sqlite_table_hint(self: SQLCompiler, table: FromClause, text: str | None) -> str | None:
    return text


# ``select.with_hint(table, "INDEXED BY ix", "sqlite")`` is how these statements pin SQLite's plan: with one
# workspace holding every row, SQLite's statistics rate ``workspace_id = ?`` as no filter at all and it may read a
# whole table through an index that does not narrow the time (1.5 s instead of 20 ms at 1M leads). SQLAlchemy
# renders table hints only for the dialects that have them; SQLite has them as INDEXED BY, so render them there.
if SQLiteCompiler.get_from_hint_text is not _sqlite_table_hint:
    SQLiteCompiler.get_from_hint_text = _sqlite_table_hint  # type: ignore[method-assign]


def hours_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    """``later - earlier`` in hours, as a float."""
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def words(text: Any) -> ColumnElement[str]:
    """``text`` with the punctuation reason tags may touch turned into spaces and a space at each end, so a tag
    is found as `` tag `` (bot/leads/feedback.py:split_tags strips ``,.;`` the same way)."""
    spaced: Any = text
    for mark in (",", ".", ";", "\n", "\t"):
        spaced = func.replace(spaced, mark, " ")
    return literal(" ") + func.coalesce(spaced, "") + literal(" ")


def has_word(spaced: ColumnElement[str], word: str, dialect: str) -> ColumnElement[bool]:
    """Whether the ``words()`` text holds ``word``, ignoring case. SQLite's LIKE already ignores ASCII case (and
    its ``lower`` is a Python function here: too dear for every row); PostgreSQL's ILIKE does."""
    pattern = f"% {word} %"
    return spaced.ilike(pattern) if dialect == "postgresql" else spaced.like(pattern)


def stage_reached(detail: Any, dialect: str) -> ColumnElement[int]:
    """The stage a ``stage`` event moved to: its detail reads ``3→5`` (bot/leads/lifecycle.py:move_stage)."""
    if dialect == "postgresql":  # split_part, not a regular expression: a regex costs microseconds a row
        return cast(func.nullif(func.split_part(detail, "→", 2), ""), Integer)
    return cast(func.substr(detail, func.instr(detail, "→") + 1), Integer)


POINTS = (0.5, 0.9)  # the median and the 90th percentile


def percentiles(values: Subquery, group: str, measures: tuple[str, ...]) -> Select[Any]:
    """PostgreSQL: per ``group`` of ``values``, each measure's count of non-NULL values (``<m>_n``) and its
    percentiles (``<m>_p50``, ``<m>_p90``) by ``percentile_cont``."""
    key = values.c[group]
    columns: list[Any] = [key]
    for m in measures:
        columns.append(func.count(values.c[m]).label(f"{m}_n"))
        for point in POINTS:
            columns.append(func.percentile_cont(point).within_group(values.c[m]).label(f"{m}_p{int(point * 100)}"))
    return select(*columns).group_by(key)


def rank_positions(count: int) -> list[int]:
    """The ranks (0-based, ascending) whose values ``percentile_cont`` interpolates between for POINTS."""
    out: list[int] = []
    for point in POINTS:
        low = int(point * (count - 1))
        out += [low, min(low + 1, count - 1)]
    return out


def interpolate(count: int, at: dict[int, float]) -> tuple[float | None, ...]:
    """``percentile_cont`` for POINTS from the values at ``rank_positions(count)``: linear between the two
    nearest ranks. None without values."""
    out: list[float | None] = []
    for point in POINTS:
        position = point * (count - 1)
        low = int(position)
        below = at.get(low) if count else None
        if below is None:
            out.append(None)
            continue
        above = at.get(low + 1, below)
        out.append(below + (position - low) * (above - below))
    return tuple(out)


def values_at_ranks(
    values: Subquery | CTE, group: str, measures: tuple[str, ...], groups: tuple[int, ...]
) -> Select[Any]:
    """SQLite: the values at chosen ranks of each measure within each group — the few rows ``interpolate`` needs,
    without a second pass to count (the counts are known beforehand and bound: ``:rank_<g>_<m>_<k>``, k < 4).
    One sort of all the values, each ranked with ``row_number()``; SQLite has no ``percentile_cont``."""
    key = values.c[group]
    lines = [
        select(key.label("g"), literal(m).label("m"), values.c[name].label("x")).where(values.c[name].is_not(None))
        for m, name in enumerate(measures)
    ]
    both = union_all(*lines).subquery("measured")
    ranked = select(
        both.c.g,
        both.c.m,
        both.c.x,
        (func.row_number().over(partition_by=(both.c.g, both.c.m), order_by=both.c.x) - 1).label("i"),
    ).subquery("ranked")
    wanted = or_(
        *[
            and_(
                ranked.c.g == g,
                ranked.c.m == m,
                ranked.c.i.in_([bindparam(f"rank_{g}_{m}_{k}") for k in range(2 * len(POINTS))]),
            )
            for g in groups
            for m in range(len(measures))
        ]
    )
    return select(ranked.c.g, ranked.c.m, ranked.c.i, ranked.c.x).where(wanted)
