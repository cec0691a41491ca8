"""A lead an integration sends (a web form, marketing automation, a CRM, through the REST API): the same
hand-off as chat's `lead handoff` — the owner named by e-mail or the next rep in turn, the card and its outbox row
in this transaction — plus what integrations need: an ``Idempotency-Key`` makes a retried request give back
the lead it made, and a duplicate of an open lead gives back that lead (SPEC §3 Duplicates)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.core.args import find_campaign
from bot.core.clock import Clock
from bot.core.errors import NotFound, TandemError, UsageError
from bot.core.grammar import parse_user
from bot.core.people import Unmet, find_member
from bot.core.request import Named
from bot.core.unit import Changes
from bot.leads import lifecycle
from bot.leads.duplicates import open_duplicate
from bot.leads.handoffs import hand_off
from bot.leads.records import LeadRecord, brief, of_lead
from storage.models import ApiIdempotency, Member, Workspace


@dataclass(frozen=True, slots=True)
class Inbound:
    """A lead as an integration sends it, its fields already checked against the limits at the edge."""

    company: str
    email: str | None = None
    name: str | None = None
    source: str | None = None
    campaign: str | None = None
    note: str | None = None
    owner_email: str | None = None


@dataclass(frozen=True, slots=True)
class Idempotency:
    key: str
    body_hash: str  # of the request's canonical JSON: the same key with another body is refused


@dataclass(frozen=True, slots=True)
class Received:
    """What became of an inbound lead. ``created`` is False for a duplicate and for a replayed key."""

    lead: LeadRecord
    created: bool
    duplicate: bool = False
    replayed: bool = False


class FieldProblem(TandemError):
    """A value of the request that cannot be used, named by its field (``owner_email``, ``campaign``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


_TABLE = ApiIdempotency.__table__  # type: ignore[attr-defined]
# INSERT … ON CONFLICT DO NOTHING RETURNING id: the key's check and its claim are one statement. A twin request
# in flight on another connection holds the key's index entry, so this one waits for it to commit and then
# inserts nothing, and reads the lead that request made.
_CLAIM = {
    name: dialect.insert(_TABLE)
    .values(
        workspace_id=bindparam("workspace"),
        key=bindparam("idem_key"),
        body_hash=bindparam("hash"),
        duplicate=False,
        created_at=bindparam("now", type_=_TABLE.c.created_at.type),
    )
    .on_conflict_do_nothing(index_elements=["workspace_id", "key"])
    .returning(_TABLE.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_CLAIMED = select(_TABLE.c.body_hash, _TABLE.c.lead_id, _TABLE.c.duplicate).where(
    _TABLE.c.workspace_id == bindparam("workspace"), _TABLE.c.key == bindparam("idem_key")
)
_SETTLE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("claim"))
    .values(lead_id=bindparam("lead"), duplicate=bindparam("was_duplicate"))
)


def receive(
    session: Session,
    clock: Clock,
    *,
    workspace_id: int,
    inbound: Inbound,
    origin: str,
    changes: Changes,
    idempotency: Idempotency | None = None,
    named: Sequence[Named] = (),
    admins: frozenset[str] = frozenset(),
) -> Received:
    """Hand off ``inbound`` in the caller's transaction. ``origin`` names the integration in the owner's card;
    ``changes`` is the request's unit of work, made fresh for it as dispatch makes one per command. Raises
    ``Unmet`` when ``owner_email`` is nobody Tandem has met (nothing is written then): the caller asks the
    workspace's chat directory and calls again with what it found in ``named``."""
    claim: int | None = None
    if idempotency is not None:
        claim = session.execute(
            _CLAIM[session.get_bind().dialect.name],
            {"workspace": workspace_id, "idem_key": idempotency.key, "hash": idempotency.body_hash, "now": clock.now()},
        ).scalar_one_or_none()
        if claim is None:
            return _replay(session, workspace_id, idempotency)
    new = _new_lead(session, workspace_id, inbound)
    existing = open_duplicate(session, workspace_id, new)
    if existing is not None:
        assert existing.id is not None
        _settle(session, claim, existing.id, duplicate=True)
        return Received(brief(session, workspace_id, existing.id), created=False, duplicate=True)
    owner = _owner(session, clock, workspace_id, inbound.owner_email, named, admins)
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None
    done = hand_off(session, clock, workspace=workspace, new=new, by=None, owner=owner, changes=changes, origin=origin)
    assert done.lead.id is not None
    _settle(session, claim, done.lead.id, duplicate=False)
    campaign = new.campaign.name if new.campaign is not None else None
    return Received(of_lead(done.lead, owner=done.owner, marketer=None, campaign=campaign), created=True)


def _replay(session: Session, workspace_id: int, idempotency: Idempotency) -> Received:
    body_hash, lead_id, duplicate = session.execute(
        _CLAIMED, {"workspace": workspace_id, "idem_key": idempotency.key}
    ).one()
    if body_hash != idempotency.body_hash:
        raise FieldProblem(
            "Idempotency-Key",
            "This Idempotency-Key was already used with a different body. Use a new key for a new lead.",
        )
    assert lead_id is not None  # the claim and its lead commit together
    return Received(brief(session, workspace_id, lead_id), created=False, duplicate=duplicate, replayed=True)


def _settle(session: Session, claim: int | None, lead_id: int, *, duplicate: bool) -> None:
    if claim is not None:
        session.execute(_SETTLE, {"claim": claim, "lead": lead_id, "was_duplicate": duplicate})


def _new_lead(session: Session, workspace_id: int, inbound: Inbound) -> lifecycle.NewLead:
    campaign = None
    if inbound.campaign:
        try:
            campaign = find_campaign(session, workspace_id, inbound.campaign)
        except (NotFound, UsageError) as error:
            raise FieldProblem("campaign", str(error)) from None
    try:
        return lifecycle.validate(
            lifecycle.NewLead(
                company=inbound.company,
                email=inbound.email,
                name=inbound.name,
                source=inbound.source,
                note=inbound.note,
                campaign=campaign,
            )
        )
    except UsageError as error:  # the edge checks the same limits first; this is the domain's last word
        raise FieldProblem("body", str(error)) from None


def _owner(
    session: Session,
    clock: Clock,
    workspace_id: int,
    email: str | None,
    named: Sequence[Named],
    admins: frozenset[str],
) -> Member | None:
    """The member ``owner_email`` names, as chat's ``to:`` finds them: a member by e-mail, else someone the chat
    directory found for this request, who becomes a member now. Someone of another workspace is unknown here."""
    if not email:
        return None
    ref = parse_user(email)
    try:
        return find_member(session, workspace_id, ref, named, clock=clock, admins=admins)
    except Unmet:
        raise
    except (NotFound, UsageError):
        tried = "; ".join(n.tried for n in named if n.ref == ref.key and n.tried)
        where = f"among its members and {tried}" if tried else "among its members"
        raise FieldProblem(
            "owner_email", f"No one in this workspace has the e-mail {email} (Tandem looked {where})."
        ) from None


def prune_idempotency_keys(session: Session, *, before: datetime) -> int:
    """Forget ``Idempotency-Key``s sent before ``before``: a retry comes within minutes or hours, and a lead sent
    again after that is still caught as a duplicate while it is open (SPEC §3)."""
    result = session.execute(delete(_TABLE).where(_TABLE.c.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
