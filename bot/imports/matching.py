"""The duplicate rule (SPEC §3 Duplicates) for a batch of imported rows: which open leads, and which leads of an
earlier import of the same file, the rows' keys meet — one query per kind of key, each through its index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, BindParameter, Select, String, bindparam, func, literal_column, select, text, true
from sqlmodel import Session

from bot.leads.lifecycle import NewLead
from storage.models import OPEN_STATUSES, Lead

_LEAD = Lead.__table__  # type: ignore[attr-defined]
_OPEN: BindParameter[Any] = bindparam("open_statuses", OPEN_STATUSES, expanding=True, literal_execute=True)
Key = tuple[str, str]  # ("email", "jo@acme.com") or ("company", "acme")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A row that passed its checks, with its campaign and named owner found."""

    line: int
    new: NewLead
    owner_id: int | None

    @property
    def key(self) -> Key:
        """What the duplicate rule compares: the e-mail (``validate`` lower-cased it), or without one the
        company, ignoring case."""
        return ("email", self.new.email) if self.new.email else ("company", self.new.company.lower())


class FileKeys:
    """The keys of the leads this file has created so far, with the line of each: the rows after them that
    repeat one are duplicates. Two plain dicts of strings: an import of 100,000 rows holds 200,000 keys."""

    def __init__(self) -> None:
        self._lines: dict[str, dict[str, int]] = {"email": {}, "company": {}}

    def line_of(self, key: Key) -> int | None:
        return self._lines[key[0]].get(key[1])

    def add(self, row: Candidate) -> None:
        if row.new.email:
            self._lines["email"].setdefault(row.new.email, row.line)
        self._lines["company"].setdefault(row.new.company.lower(), row.line)


@dataclass(frozen=True, slots=True)
class Match:
    """A lead a row duplicates."""

    number: int
    company: str
    status: str
    import_id: int | None


_COLUMNS = (_LEAD.c.id, _LEAD.c.number, _LEAD.c.company, _LEAD.c.status, _LEAD.c.import_id)


def _in_list(column: str) -> Select[Any]:
    """SQLite: ``lower(column) IN (…)``, which its planner answers with one probe of the partial index per key."""
    return select(*_COLUMNS, func.lower(_LEAD.c[column])).where(
        _LEAD.c.workspace_id == bindparam("workspace"),
        func.lower(_LEAD.c[column]).in_(bindparam("keys", expanding=True)),
        _LEAD.c.status.in_(_OPEN),
    )


def _per_key(column: str) -> Select[Any]:
    """PostgreSQL: one index probe per key, as a lateral join over the keys. Its planner estimates any
    ``lower(column) = …`` at 0.5% of the table (it keeps no statistics for a partial index's expression), so a
    500-key ``IN`` looked like the whole table and was read as a sequential scan; ``OFFSET 0`` keeps the
    subquery a per-key probe instead of letting it be flattened into that same join."""
    keys = func.unnest(bindparam("keys", type_=ARRAY(String))).table_valued("key").render_derived("k")
    probe = (
        select(*_COLUMNS)
        .where(
            _LEAD.c.workspace_id == bindparam("workspace"),
            func.lower(_LEAD.c[column]) == keys.c.key,
            _LEAD.c.status.in_(_OPEN),
        )
        .offset(literal_column("0"))
        .lateral("m")
    )
    return select(
        probe.c.id, probe.c.number, probe.c.company, probe.c.status, probe.c.import_id, keys.c.key
    ).select_from(keys.join(probe, true()))


_STATEMENTS = {
    "sqlite": {"email": _in_list("email"), "company": _in_list("company")},
    "postgresql": {"email": _per_key("email"), "company": _per_key("company")},
}


def open_matches(session: Session, workspace_id: int, candidates: Sequence[Candidate]) -> dict[Key, Match]:
    """The open leads the rows' keys meet, the oldest per key (as ``open_duplicate`` picks)."""
    statements = _STATEMENTS[session.get_bind().dialect.name]
    found: dict[Key, tuple[int, Match]] = {}
    for kind in ("email", "company"):
        keys = sorted({key for k, key in (c.key for c in candidates) if k == kind})
        if not keys:
            continue
        rows = session.execute(statements[kind], {"workspace": workspace_id, "keys": keys})
        for lead_id, number, company, status, import_id, key in rows:
            if (kind, key) not in found or lead_id < found[(kind, key)][0]:
                found[(kind, key)] = (lead_id, Match(number, company, status, import_id))
    return {key: match for key, (_, match) in found.items()}


_OF_IMPORTS = select(
    _LEAD.c.number, _LEAD.c.company, _LEAD.c.status, _LEAD.c.import_id, func.lower(_LEAD.c.email)
).where(_LEAD.c.workspace_id == bindparam("workspace"), _LEAD.c.import_id.in_(bindparam("imports", expanding=True)))


def leads_of_imports(session: Session, workspace_id: int, import_ids: Sequence[int]) -> dict[Key, Match]:
    """Every lead the given imports created, by both its keys, whatever its status now: an import of the same
    file again skips them even once they are closed. Read once per import, through its index."""
    found: dict[Key, Match] = {}
    if not import_ids:
        return found
    rows = session.execute(_OF_IMPORTS, {"workspace": workspace_id, "imports": list(import_ids)}).all()
    for number, company, status, import_id, email in rows:
        match = Match(number, company, status, import_id)
        if email:
            found.setdefault(("email", email), match)
        found.setdefault(("company", company.lower()), match)
    return found


# Never analysed (a new install), or changed by more rows than it held when last analysed.
_STALE = text(
    "SELECT c.reltuples < 0 OR s.n_mod_since_analyze > GREATEST(c.reltuples, 10000) "
    "FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = 'lead'::regclass"
)


def refresh_statistics(session: Session) -> bool:
    """PostgreSQL only: ``ANALYZE lead`` when its statistics are missing or far behind. A table never analysed
    looks empty to the planner, which then reads every open lead for each key (seconds per batch at 30,000
    leads); a big import is what makes them fall behind. Without the right to analyse, PostgreSQL only warns."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    if not session.execute(_STALE).scalar():
        return False
    session.execute(text("ANALYZE lead"))
    return True
