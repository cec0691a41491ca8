"""Writing imported leads a batch at a time, with the result a hand-off per row would give
(bot/leads/handoffs.py ``hand_off``, the reference): the same numbers, owners, round-robin cursor, statuses,
trail events and SLA clock — in a handful of statements per batch instead of a dozen per lead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlmodel import Session

from bot.admin.settings import all_settings
from bot.core.numbering import reserve_numbers
from bot.imports.matching import Candidate
from bot.leads.lifecycle import NewLead
from bot.leads.sla import sla_due_at
from storage.models import Lead, LeadEvent, LeadImport, Member, Workspace

_LEAD = Lead.__table__  # type: ignore[attr-defined]
_EVENT = LeadEvent.__table__  # type: ignore[attr-defined]
_MEMBER = Member.__table__  # type: ignore[attr-defined]
_WORKSPACE = Workspace.__table__  # type: ignore[attr-defined]
_IMPORT = LeadImport.__table__  # type: ignore[attr-defined]


_CURSOR = select(_WORKSPACE.c.routing_cursor).where(_WORKSPACE.c.id == bindparam("workspace"))
_LOCK = _CURSOR.with_for_update()
_REPS = (
    select(_MEMBER.c.id, _MEMBER.c.display_name)
    .where(_MEMBER.c.workspace_id == bindparam("workspace"), _MEMBER.c.role == "rep")
    .order_by(_MEMBER.c.id)
)
_SET_CURSOR = update(_WORKSPACE).where(_WORKSPACE.c.id == bindparam("workspace")).values(routing_cursor=bindparam("c"))


class Router:
    """Round-robin in memory, exactly as ``next_rep`` walks it: the rep after the cursor by member id, wrapping;
    nobody when there is no rep or routing is ``manual``."""

    def __init__(self, reps: Sequence[tuple[int, str]], cursor: int | None, *, manual: bool) -> None:
        self.reps = [] if manual else [rep_id for rep_id, _ in reps]
        self.names = dict(reps)
        self.cursor = cursor
        self.moved = False

    def next(self) -> int | None:
        if not self.reps:
            return None
        cursor = self.cursor or 0
        chosen = next((rep for rep in self.reps if rep > cursor), self.reps[0])
        self.cursor, self.moved = chosen, True
        return chosen


def lock_and_route(session: Session, workspace_id: int, *, lock: bool = True) -> Router:
    """Hold the workspace row for the batch, as a hand-off does (numbering and the duplicate check take the same
    lock), and read what round-robin needs. A dry run reads without the lock."""
    cursor = session.execute(_LOCK if lock else _CURSOR, {"workspace": workspace_id}).scalar_one()
    manual = all_settings(session, workspace_id)["routing"] == "manual"
    reps = [(rep_id, name) for rep_id, name in session.execute(_REPS, {"workspace": workspace_id}).all()]
    return Router(reps, cursor, manual=manual)


@dataclass(frozen=True, slots=True)
class Written:
    """A lead the batch created."""

    line: int
    number: int
    owner_id: int | None


def write_batch(
    session: Session,
    now: datetime,
    *,
    workspace_id: int,
    rows: Sequence[Candidate],
    router: Router,
    owner_names: dict[int, str],
    by_id: int | None,
    import_id: int,
) -> list[Written]:
    """Numbers, owners, leads, trail events, cursor: one statement each. ``rows`` are the batch's new leads."""
    if not rows:
        return []
    numbers = reserve_numbers(session, workspace_id, "lead_seq", len(rows))
    settings = all_settings(session, workspace_id)
    leads: list[dict[str, Any]] = []
    for row, number in zip(rows, numbers, strict=True):
        owner_id = row.owner_id if row.owner_id is not None else router.next()
        leads.append(_lead_row(row.new, workspace_id, number, owner_id, by_id, import_id, now))
    due = _accept_due(workspace_id, now, settings)
    for lead in leads:
        lead["nag_due_at"] = due if lead["owner_id"] is not None else None
    bulk_insert(session, _LEAD, leads)
    ids = _ids_of(session, workspace_id, numbers)
    names = {**router.names, **owner_names}
    events = [
        {
            "workspace_id": workspace_id,
            "lead_id": ids[lead["number"]],
            "actor_id": by_id,
            "kind": "handoff" if lead["owner_id"] is not None else "unassigned",
            "from_status": None,
            "to_status": lead["status"],
            "detail": names[lead["owner_id"]] if lead["owner_id"] is not None else None,
            "created_at": now,
        }
        for lead in leads
    ]
    bulk_insert(session, _EVENT, events)
    if router.moved:
        session.execute(_SET_CURSOR, {"workspace": workspace_id, "c": router.cursor})
    return [Written(row.line, lead["number"], lead["owner_id"]) for row, lead in zip(rows, leads, strict=True)]


def bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Many rows of one table in the session's transaction: PostgreSQL's ``COPY`` through the session's own
    connection, else one ``executemany``. On PostgreSQL ``COPY`` took a 100,000-row import from 2,100–2,600 to
    3,700 rows/s: an INSERT per row costs the server an executor start each (bench/README_imports.md)."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


# The batch's numbers were reserved in one range under the workspace lock, so its new rows are read back by that
# range. An INSERT … RETURNING of 500 rows measured 4× slower on PostgreSQL: psycopg re-parses each long statement.
_IDS = select(_LEAD.c.number, _LEAD.c.id).where(
    _LEAD.c.workspace_id == bindparam("workspace"),
    _LEAD.c.number >= bindparam("low"),
    _LEAD.c.number <= bindparam("high"),
)


def _ids_of(session: Session, workspace_id: int, numbers: range) -> dict[int, int]:
    rows = session.execute(_IDS, {"workspace": workspace_id, "low": numbers.start, "high": numbers.stop - 1})
    return {number: lead_id for number, lead_id in rows}


def _lead_row(
    new: NewLead, workspace_id: int, number: int, owner_id: int | None, by_id: int | None, import_id: int, now: datetime
) -> dict[str, Any]:
    """The row ``lifecycle.create`` writes for a hand-off (source ``marketing`` unless the file says)."""
    return {
        "workspace_id": workspace_id,
        "number": number,
        "company": new.company,
        "contact_name": new.name,
        "email": new.email,
        "source": new.source or "marketing",
        "note": new.note,
        "campaign_id": new.campaign.id if new.campaign else None,
        "owner_id": owner_id,
        "marketer_id": by_id,
        "status": "handed_off" if owner_id is not None else "unassigned",
        "stage": None,
        "amount": None,
        "outcome_reason": None,
        "created_at": now,
        "handed_off_at": now if owner_id is not None else None,
        "accepted_at": None,
        "first_touch_at": None,
        "last_touch_at": None,
        "closed_at": None,
        "nag_due_at": None,
        "nag_count": 0,
        "last_nag_at": None,
        "import_id": import_id,
    }


def _accept_due(workspace_id: int, now: datetime, settings: dict[str, str]) -> datetime | None:
    """When a lead handed off ``now`` is first due a nag: ``sla_due_at`` itself, asked about one such lead (every
    handed-off lead of the batch shares the answer)."""
    probe = Lead(workspace_id=workspace_id, number=0, company="", owner_id=0, status="handed_off", created_at=now)
    probe.handed_off_at = now
    return sla_due_at(probe, settings)


_COUNT = (
    update(_IMPORT)
    .where(_IMPORT.c.id == bindparam("import_id"), _IMPORT.c.workspace_id == bindparam("workspace"))
    .values(
        imported=_IMPORT.c.imported + bindparam("imported"), duplicates=_IMPORT.c.duplicates + bindparam("duplicates")
    )
)


def count_batch(session: Session, workspace_id: int, import_id: int, *, imported: int, duplicates: int) -> None:
    """The import's running totals, committed with the batch, so an interrupted import shows how far it got."""
    session.execute(
        _COUNT, {"import_id": import_id, "workspace": workspace_id, "imported": imported, "duplicates": duplicates}
    )
