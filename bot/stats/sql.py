"""The few SQL expressions SQLite and PostgreSQL spell differently: hours between two moments, a case-blind word
match, a stage number read from the trail, and percentiles (PostgreSQL's ``percentile_cont``; on SQLite the same
interpolation over ``row_number()`` and ``count() OVER``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, FromClause, Integer, Subquery, case, cast, func, literal, select
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Select


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
    if dialect == "postgresql":
        return cast(func.substring(detail, "→([0-9]+)$"), Integer)
    return cast(func.substr(detail, func.instr(detail, "→") + 1), Integer)


def percentiles(
    values: Subquery, group: str, measures: tuple[str, ...], dialect: str, points: tuple[float, ...] = (0.5, 0.9)
) -> Select[Any]:
    """Per ``group`` of ``values``: for each measure column, its count of non-NULL values and its percentiles
    (linear interpolation between the two nearest ranks, as ``percentile_cont``). Columns: ``group``, then per
    measure ``<m>_n`` and ``<m>_p<50|90>``."""
    key = values.c[group]
    if dialect == "postgresql":
        columns: list[Any] = [key]
        for m in measures:
            columns.append(func.count(values.c[m]).label(f"{m}_n"))
            for point in points:
                columns.append(func.percentile_cont(point).within_group(values.c[m]).label(f"{m}_p{int(point * 100)}"))
        return select(*columns).group_by(key)
    ranked_columns: list[Any] = [key]
    for m in measures:
        value = values.c[m]
        ranked_columns += [
            value.label(m),
            (func.row_number().over(partition_by=(key, value.is_(None)), order_by=value) - 1).label(f"{m}_i"),
            func.count(value).over(partition_by=key).label(f"{m}_n"),
        ]
    ranked = select(*ranked_columns).subquery("ranked")
    picks: list[Any] = [ranked.c[group]]
    for m in measures:
        n, index, value = ranked.c[f"{m}_n"], ranked.c[f"{m}_i"], ranked.c[m]
        picks.append(func.max(n).label(f"{m}_n"))
        for point in points:
            position = cast(n - 1, Float) * point
            low = cast(position, Integer)  # floor: positions are never negative
            tag = f"{m}_{int(point * 100)}"
            picks += [
                func.max(case((value.is_not(None) & (index == low), value))).label(f"{tag}_lo"),
                func.max(case((value.is_not(None) & (index == low + 1), value))).label(f"{tag}_hi"),
                func.max(position - low).label(f"{tag}_frac"),
            ]
    picked = select(*picks).group_by(ranked.c[group]).subquery("picked")
    out: list[Any] = [picked.c[group]]
    for m in measures:
        out.append(picked.c[f"{m}_n"])
        for point in points:
            tag = f"{m}_{int(point * 100)}"
            lo, hi, frac = picked.c[f"{tag}_lo"], picked.c[f"{tag}_hi"], picked.c[f"{tag}_frac"]
            out.append((lo + frac * (func.coalesce(hi, lo) - lo)).label(f"{m}_p{int(point * 100)}"))
    return select(*out)
