"""The lead lifecycle (SPEC §3 "lead"): a small state machine. Every move writes an event on the trail and,
in the same transaction, the outbox rows that tell the people concerned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from bot.admin.settings import all_settings
from bot.core import numbering
from bot.core.clock import Clock
from bot.core.errors import Conflict, NotAllowed, NotFound, UsageError
from bot.core.grammar import is_email
from bot.core.options import format_amount
from bot.core.unit import Changes
from bot.leads.sla import sla_due_at
from storage.models import OPEN_STATUSES, Campaign, Lead, LeadEvent, Member

LIMITS = {"company": 200, "name": 200, "email": 320, "source": 60, "note": 2000, "reason": 2000}
STAGES = ("approach", "qualification", "need", "company", "fill", "commitment", "cement")
STAGE_TITLES = (
    "Approach",
    "Qualification",
    "Agreement on need",
    "Sell the company",
    "Fill the need",
    "Act of commitment",
    "Cement the sale",
)
OPEN = OPEN_STATUSES
CLOSED = ("won", "lost")


@dataclass(frozen=True, slots=True)
class NewLead:
    company: str
    email: str | None = None
    name: str | None = None
    source: str | None = None
    note: str | None = None
    campaign: Campaign | None = None


def check_length(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    limit = LIMITS[field]
    if len(value) > limit:
        raise UsageError(
            f"The {field} is {len(value):,} characters long; the limit is {limit:,}. Please shorten it and try again."
        )
    return value or None


def validate(new: NewLead) -> NewLead:
    company = check_length("company", new.company)
    if not company:
        raise UsageError("A lead needs a company name.")
    email = check_length("email", new.email)
    if email and not is_email(email):
        raise UsageError(f"`{email[:80]}` doesn't look like an e-mail address (expected name@company.com).")
    return NewLead(
        company=company,
        email=email.lower() if email else None,
        name=check_length("name", new.name),
        source=(check_length("source", new.source) or "").lower() or None,
        note=check_length("note", new.note),
        campaign=new.campaign,
    )


def next_number(session: Session, workspace_id: int) -> int:
    """Per-workspace lead numbers (``L-<n>``)."""
    return numbering.next_number(session, workspace_id, "lead_seq")


def create(
    session: Session,
    clock: Clock,
    *,
    workspace_id: int,
    new: NewLead,
    actor: Member | None,
    owner: Member | None,
    status: str,
    default_source: str,
) -> Lead:
    now = clock.now()
    lead = Lead(
        workspace_id=workspace_id,
        number=next_number(session, workspace_id),
        company=new.company,
        contact_name=new.name,
        email=new.email,
        source=new.source or default_source,
        note=new.note,
        campaign_id=new.campaign.id if new.campaign else None,
        owner_id=owner.id if owner else None,
        marketer_id=actor.id if actor is not None and status != "accepted" else None,
        status=status,
        created_at=now,
        handed_off_at=now if status == "handed_off" else None,
        accepted_at=now if status == "accepted" else None,
    )
    refresh_sla(session, lead)  # before the INSERT, so the new row is written once
    session.add(lead)
    session.flush()
    return lead


# Events after which a card's buttons on the lead may no longer apply (bot/leads/card_refresh.py settles them).
MOVES = frozenset({"accept", "reject", "stage", "won", "lost", "reassign"})


def record(
    session: Session,
    clock: Clock,
    lead: Lead,
    actor: Member | None,
    kind: str,
    *,
    from_status: str | None = None,
    detail: str | None = None,
    changes: Changes | None = None,
) -> LeadEvent:
    """The event on the trail; a move is also noted in the command's ``changes``, which every move passes."""
    assert lead.id is not None
    assert changes is not None or kind not in MOVES, f"a {kind} needs the command's Changes"
    event = LeadEvent(
        workspace_id=lead.workspace_id,
        lead_id=lead.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        from_status=from_status,
        to_status=lead.status,
        detail=detail,
        created_at=clock.now(),
    )
    session.add(event)
    session.flush()
    if changes is not None and kind in MOVES:
        changes.lead_moved(lead, actor)
    return event


def refresh_sla(session: Session, lead: Lead) -> None:
    lead.nag_due_at = sla_due_at(lead, all_settings(session, lead.workspace_id))
    if lead.status not in ("handed_off", "accepted"):
        lead.nag_count = 0
    session.add(lead)


def refresh_open_slas(session: Session, workspace_id: int) -> None:
    """After an SLA setting changes, every waiting or working lead's next reminder follows the new rule."""
    rows = session.exec(
        select(Lead).where(Lead.workspace_id == workspace_id, col(Lead.status).in_(("handed_off", "accepted")))
    ).all()
    for lead in rows:
        refresh_sla(session, lead)


def parse_id(raw: str) -> int:
    text = raw.strip().upper()
    if text.startswith("L-"):
        text = text[2:]
    elif text.startswith("L"):
        text = text[1:]
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise UsageError(f"`{raw[:40]}` is not a lead id; lead ids look like `L-7`.")
    return int(text)


_BY_NUMBER = select(Lead).where(Lead.workspace_id == bindparam("workspace"), Lead.number == bindparam("number"))
# A command that changes the lead holds its row until it commits (DESIGN §3): two clicks at once, on two
# platforms or two replicas, then run one after the other, and the second sees what the first did. SQLite's
# BEGIN IMMEDIATE serialises already; there the clause renders as nothing.
_BY_NUMBER_FOR_UPDATE = _BY_NUMBER.with_for_update().execution_options(populate_existing=True)


def missing(number: int) -> NotFound:
    return NotFound(f"There is no lead L-{number} here. `lead list` shows yours.")


def get(session: Session, workspace_id: int, raw_id: str, *, for_update: bool = False) -> Lead:
    """Lead ``L-<n>`` of the workspace, or NotFound. ``for_update``: for a command about to change it."""
    number = parse_id(raw_id)
    query = _BY_NUMBER_FOR_UPDATE if for_update else _BY_NUMBER
    lead = session.exec(query, params={"workspace": workspace_id, "number": number}).first()
    if lead is None:
        raise missing(number)
    return lead


def ensure_owner(lead: Lead, actor: Member, verb: str) -> None:
    if lead.owner_id != actor.id:
        raise NotAllowed(
            f"Only the owner of L-{lead.number} can {verb} it. "
            "A marketer or manager can move it to you with `lead reassign`."
        )


def accept(session: Session, clock: Clock, lead: Lead, actor: Member, *, changes: Changes) -> LeadEvent:
    ensure_owner(lead, actor, "accept")
    if lead.status == "accepted":
        raise Conflict(f"L-{lead.number} is already accepted.")
    if lead.status != "handed_off":
        raise Conflict(f"L-{lead.number} is {describe_status(lead)}; only a handed-off lead can be accepted.")
    lead.status = "accepted"
    lead.accepted_at = clock.now()
    refresh_sla(session, lead)
    return record(session, clock, lead, actor, "accept", from_status="handed_off", changes=changes)


def reject(session: Session, clock: Clock, lead: Lead, actor: Member, reason: str, *, changes: Changes) -> LeadEvent:
    """Return a lead not yet accepted to marketing. Once accepted it is the owner's work: a dead one is lost."""
    ensure_owner(lead, actor, "reject")
    ref = f"L-{lead.number}"
    if lead.status == "accepted":
        where = f" (stage {lead.stage}: {STAGES[lead.stage - 1]})" if lead.stage else ""
        raise Conflict(f"{ref} is already accepted{where}. To close it, report it lost: `lead lost {ref} <reason>`.")
    if lead.status != "handed_off":
        raise Conflict(f"{ref} is {describe_status(lead)}; only a lead waiting to be accepted can be rejected.")
    reason_text = check_length("reason", reason)
    if not reason_text:
        raise UsageError(
            "Please say why you reject it, so marketing can learn from it.", usage="lead reject <id> <reason>"
        )
    lead.status = "rejected"
    lead.outcome_reason = reason_text
    refresh_sla(session, lead)
    return record(session, clock, lead, actor, "reject", from_status="handed_off", detail=reason_text, changes=changes)


def touch(session: Session, clock: Clock, lead: Lead, actor: Member, note: str | None) -> LeadEvent:
    ensure_owner(lead, actor, "log a touch on")
    note_text = check_length("note", note)
    if lead.status == "handed_off":
        raise Conflict(f"Accept L-{lead.number} first (`lead accept L-{lead.number}`), then log your touches.")
    if lead.status != "accepted":
        raise Conflict(f"L-{lead.number} is {describe_status(lead)}; touches are logged on open, accepted leads.")
    now = clock.now()
    first = lead.first_touch_at is None
    if first:
        lead.first_touch_at = now
    lead.last_touch_at = now
    refresh_sla(session, lead)
    lead.nag_count = 0
    return record(
        session, clock, lead, actor, "first_touch" if first else "touch", from_status=lead.status, detail=note_text
    )


def parse_stage(raw: str) -> int:
    value = raw.strip().lower()
    if value.isascii() and value.isdigit() and 1 <= int(value) <= 7:
        return int(value)
    for index, name in enumerate(STAGES, start=1):
        if name == value or (len(value) >= 3 and name.startswith(value)):
            return index
    raise UsageError(
        f"`{raw[:40]}` is not a stage. Stages: " + ", ".join(f"{i} {s}" for i, s in enumerate(STAGES, start=1)) + ".",
        usage="lead stage <id> <stage>",
    )


def move_stage(session: Session, clock: Clock, lead: Lead, actor: Member, stage: int, *, changes: Changes) -> LeadEvent:
    ensure_owner(lead, actor, "move")
    if lead.status != "accepted":
        raise Conflict(f"L-{lead.number} is {describe_status(lead)}; only accepted leads move through stages.")
    if lead.stage == stage:
        raise Conflict(f"L-{lead.number} is already at stage {stage} ({STAGE_TITLES[stage - 1]}).")
    before = lead.stage
    lead.stage = stage
    session.add(lead)
    return record(
        session,
        clock,
        lead,
        actor,
        "stage",
        from_status=lead.status,
        detail=f"{before or '-'}→{stage}",
        changes=changes,
    )


def close(
    session: Session,
    clock: Clock,
    lead: Lead,
    actor: Member,
    outcome: str,
    reason: str | None,
    amount: float | None = None,
    *,
    changes: Changes,
) -> LeadEvent:
    ensure_owner(lead, actor, "close")
    if lead.status != "accepted":
        hint = f" Accept it first with `lead accept L-{lead.number}`." if lead.status == "handed_off" else ""
        raise Conflict(f"L-{lead.number} is {describe_status(lead)}; only accepted leads can be won or lost.{hint}")
    lead.status = outcome
    lead.outcome_reason = check_length("reason", reason)
    lead.amount = amount
    lead.closed_at = clock.now()
    refresh_sla(session, lead)
    detail = " · ".join(x for x in (format_amount(amount) if amount is not None else None, lead.outcome_reason) if x)
    return record(session, clock, lead, actor, outcome, from_status="accepted", detail=detail or None, changes=changes)


def reassign(
    session: Session, clock: Clock, lead: Lead, actor: Member, owner: Member, *, changes: Changes
) -> LeadEvent:
    if lead.status in CLOSED:
        raise Conflict(f"L-{lead.number} is {describe_status(lead)}; closed leads are not reassigned.")
    if lead.owner_id == owner.id and lead.status in ("handed_off", "accepted"):
        raise Conflict(f"L-{lead.number} already belongs to {owner.display_name}.")
    before = lead.status
    lead.owner_id = owner.id
    lead.status = "handed_off"
    lead.handed_off_at = clock.now()
    lead.accepted_at = None
    lead.stage = None
    lead.marketer_id = lead.marketer_id or actor.id
    lead.nag_count = 0
    refresh_sla(session, lead)
    return record(
        session, clock, lead, actor, "reassign", from_status=before, detail=owner.display_name, changes=changes
    )


class Stated(Protocol):
    """Anything that knows a lead's state: the entity, or a row read for a list."""

    @property
    def status(self) -> str: ...

    @property
    def stage(self) -> int | None: ...


def describe_status(lead: Stated) -> str:
    if lead.status == "accepted" and lead.stage:
        return f"at stage {lead.stage}: {STAGE_TITLES[lead.stage - 1]}"
    return {
        "handed_off": "waiting to be accepted",
        "unassigned": "unassigned",
        "accepted": "accepted",
        "rejected": "rejected",
        "won": "won",
        "lost": "lost",
    }.get(lead.status, lead.status)
