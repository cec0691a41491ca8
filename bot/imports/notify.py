"""Who hears about an import, once it is complete: each owner one message listing their new leads (never one per
lead), and the marketing channel one post about the leads no rep could take. Each is an outbox row keyed by the
import, so finishing an import twice (a rerun after a crash) sends nothing twice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlmodel import Session, col

from bot.admin.settings import all_settings
from bot.core.clock import Clock
from bot.core.outbox import enqueue_channel, enqueue_dm
from bot.core.people import mention
from bot.imports import views
from bot.imports.views import DigestLead
from storage.models import Lead, Member

_LEAD = Lead.__table__  # type: ignore[attr-defined]
# The import's waiting leads, the first ten of each owner by number and each owner's count, in one read however
# many leads the import created (window functions: SQLite ≥ 3.25 and PostgreSQL). The window ranks ids only;
# the few rows listed are then joined for their text.
_RANKED = (
    select(
        _LEAD.c.id,
        _LEAD.c.owner_id,
        func.row_number().over(partition_by=_LEAD.c.owner_id, order_by=_LEAD.c.number).label("rank"),
        func.count().over(partition_by=_LEAD.c.owner_id).label("total"),
    )
    .where(
        _LEAD.c.workspace_id == bindparam("workspace"),
        _LEAD.c.import_id == bindparam("import_id"),
        _LEAD.c.status.in_(("handed_off", "unassigned")),
    )
    .subquery()
)
_FIRST = (
    select(_LEAD.c.number, _LEAD.c.company, _LEAD.c.contact_name, _LEAD.c.email, _RANKED.c.owner_id, _RANKED.c.total)
    .select_from(_RANKED.join(_LEAD, _LEAD.c.id == _RANKED.c.id))
    .where(_RANKED.c.rank <= views.LISTED)
    .order_by(_RANKED.c.owner_id, _LEAD.c.number)
)
DIGEST_KIND = "import_digest"
UNASSIGNED_KIND = "import_unassigned"


@dataclass(frozen=True)
class Told:
    digests: int
    channel_told: bool


def tell_owners(
    session: Session, clock: Clock, *, workspace_id: int, import_id: int, file_name: str, by: Member | None
) -> Told:
    """The digests and the unassigned post of a finished import, in the caller's transaction."""
    groups: dict[int | None, tuple[list[DigestLead], int]] = {}
    for number, company, contact, email, owner_id, total in session.execute(
        _FIRST, {"workspace": workspace_id, "import_id": import_id}
    ):
        leads, _ = groups.setdefault(owner_id, ([], int(total)))
        leads.append(DigestLead(number, company, contact, email))
    settings = all_settings(session, workspace_id)
    by_span = mention(session, by) if by is not None else None
    owner_ids = [owner_id for owner_id in groups if owner_id is not None]
    owners: Iterable[Member] = (
        session.scalars(select(Member).where(col(Member.workspace_id) == workspace_id, col(Member.id).in_(owner_ids)))
        if owner_ids
        else []
    )
    digests = 0
    for owner in sorted(owners, key=lambda m: m.id or 0):
        leads, total = groups[owner.id]
        reply = views.owner_digest(
            leads, total, file_name=file_name, by=by_span, accept_hours=int(settings["accept_sla_hours"])
        )
        if enqueue_dm(session, clock, member=owner, reply=reply, kind=DIGEST_KIND, key=f"i{import_id}") is not None:
            digests += 1
    told = False
    if None in groups and settings["marketing_channel"]:
        leads, total = groups[None]
        post = views.unassigned_post(
            leads, total, file_name=file_name, by=by_span, manual=settings["routing"] == "manual"
        )
        enqueue_channel(
            session,
            clock,
            workspace_id=workspace_id,
            channel=settings["marketing_channel"],
            reply=post,
            kind=UNASSIGNED_KIND,
            key=f"i{import_id}",
        )
        told = True
    return Told(digests, told)
