"""Writing imported leads a batch at a time, with the result a hand-off per row would give
(bot/leads/handoffs.py ``hand_off``, the reference): the same numbers, owners, round-robin cursor, statuses,
trail events and SLA clock — in a handful of statements per batch instead of a dozen per lead."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, func, insert, select, update
from sqlmodel import Session

from bot.admin.settings import all_settings
from bot.core.numbering import reserve_numbers
from bot.leads.lifecycle import NewLead
from bot.leads.sla import sla_due_at
from storage.models import OPEN_STATUSES, Lead, LeadEvent, LeadImport, Member, Workspace

_LEAD = Lead.__table__  # type: ignore[attr-defined]
_EVENT = LeadEvent.__table__  # type: ignore[attr-defined]
_MEMBER = Member.__table__  # type: ignore[attr-defined]
_WORKSPACE = Workspace.__table__  # type: ignore[attr-defined]
_IMPORT = LeadImport.__table__  # type: ignore[attr-defined]
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
        """What the duplicate rule (SPEC §3) compares: the e-mail, or without one the company, ignoring case."""
        return ("email", self.new.email.lower()) if self.new.email else ("company", self.new.company.lower())

    def keys_it_creates(self) -> Iterable[Key]:
        """What a lead made from this row makes a later row a duplicate of."""
        if self.new.email:
            yield ("email", self.new.email.lower())
        yield ("company", self.new.company.lower())


@dataclass(frozen=True, slots=True)
class Match:
    """A lead a row duplicates."""

    number: int
    company: str
    status: str
    import_id: int | None


# The duplicate check of a batch: one query per kind of key, each served by its partial index (migration 0005).
_OPEN_BY_EMAIL = (
    select(_LEAD.c.number, _LEAD.c.company, _LEAD.c.status, _LEAD.c.import_id, func.lower(_LEAD.c.email))
    .where(
        _LEAD.c.workspace_id == bindparam("workspace"),
        func.lower(_LEAD.c.email).in_(bindparam("keys", expanding=True)),
        _LEAD.c.status.in_(_OPEN),
    )
    .order_by(_LEAD.c.id.desc())
)
_OPEN_BY_COMPANY = (
    select(_LEAD.c.number, _LEAD.c.company, _LEAD.c.status, _LEAD.c.import_id, func.lower(_LEAD.c.company))
    .where(
        _LEAD.c.workspace_id == bindparam("workspace"),
        func.lower(_LEAD.c.company).in_(bindparam("keys", expanding=True)),
        _LEAD.c.status.in_(_OPEN),
    )
    .order_by(_LEAD.c.id.desc())
)
_OF_IMPORTS = select(
    _LEAD.c.number, _LEAD.c.company, _LEAD.c.status, _LEAD.c.import_id, func.lower(_LEAD.c.email)
).where(_LEAD.c.workspace_id == bindparam("workspace"), _LEAD.c.import_id.in_(bindparam("imports", expanding=True)))


def open_matches(session: Session, workspace_id: int, candidates: Sequence[Candidate]) -> dict[Key, Match]:
    """The open leads the rows' keys meet, the oldest per key (as ``open_duplicate`` picks)."""
    found: dict[Key, Match] = {}
    for kind, statement in (("email", _OPEN_BY_EMAIL), ("company", _OPEN_BY_COMPANY)):
        keys = sorted({key for k, key in (c.key for c in candidates) if k == kind})
        if not keys:
            continue
        rows = session.execute(statement, {"workspace": workspace_id, "keys": keys}).all()
        for number, company, status, import_id, key in rows:  # newest first: the oldest is written last
            found[(kind, key)] = Match(number, company, status, import_id)
    return found


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
    ids = session.execute(insert(_LEAD).returning(_LEAD.c.id, sort_by_parameter_order=True), leads).scalars().all()
    names = {**router.names, **owner_names}
    events = [
        {
            "workspace_id": workspace_id,
            "lead_id": lead_id,
            "actor_id": by_id,
            "kind": "handoff" if lead["owner_id"] is not None else "unassigned",
            "from_status": None,
            "to_status": lead["status"],
            "detail": names[lead["owner_id"]] if lead["owner_id"] is not None else None,
            "created_at": now,
        }
        for lead_id, lead in zip(ids, leads, strict=True)
    ]
    session.execute(insert(_EVENT), events)
    if router.moved:
        session.execute(_SET_CURSOR, {"workspace": workspace_id, "c": router.cursor})
    return [Written(row.line, lead["number"], lead["owner_id"]) for row, lead in zip(rows, leads, strict=True)]


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
