"""Conversation references: where the bot can reach a member (their 1:1 chat) or a channel later, kept in
the database (``conversation_ref``) so a restart or another replica can still send proactive messages."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from storage.models import ConversationRef, WorkspaceAccount

PLATFORM = "teams"


@dataclass(frozen=True)
class Reference:
    """What a proactive send needs. ``conversation_id`` is None for a member with no 1:1 chat yet."""

    service_url: str
    tenant_id: str
    bot_id: str
    conversation_id: str | None
    conversation_type: str  # personal | groupChat | channel
    user_id: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Reference | None:
        try:
            data = json.loads(raw)
            return cls(
                service_url=str(data["service_url"]),
                tenant_id=str(data["tenant_id"]),
                bot_id=str(data.get("bot_id") or ""),
                conversation_id=data.get("conversation_id"),
                conversation_type=str(data.get("conversation_type") or "personal"),
                user_id=data.get("user_id"),
            )
        except (ValueError, KeyError, TypeError):
            return None


def _row(session: Session, workspace_id: int, address: str) -> ConversationRef | None:
    return session.exec(
        select(ConversationRef).where(
            ConversationRef.workspace_id == workspace_id,
            ConversationRef.platform == PLATFORM,
            ConversationRef.address == address,
        )
    ).first()


def save(
    session: Session,
    clock: Clock,
    *,
    workspace_id: int,
    address: str,
    reference: Reference,
    member_id: int | None = None,
) -> None:
    """Insert or refresh; a member's known 1:1 conversation is never forgotten because they spoke elsewhere."""
    row = _row(session, workspace_id, address)
    if row is None:
        row = ConversationRef(
            workspace_id=workspace_id,
            platform=PLATFORM,
            address=address[:400],
            member_id=member_id,
            reference=reference.to_json(),
            updated_at=clock.now(),
        )
        session.add(row)
        session.flush()
        return
    old = Reference.from_json(row.reference)
    if old is not None and reference.conversation_id is None and old.conversation_id:
        reference = Reference(
            service_url=reference.service_url,
            tenant_id=reference.tenant_id,
            bot_id=reference.bot_id or old.bot_id,
            conversation_id=old.conversation_id,
            conversation_type=old.conversation_type,
            user_id=reference.user_id or old.user_id,
        )
    new = reference.to_json()
    if row.reference != new or (member_id is not None and row.member_id != member_id):
        row.reference = new
        row.member_id = member_id if member_id is not None else row.member_id
        row.updated_at = clock.now()
        session.add(row)


def workspace_of(session: Session, tenant_id: str) -> int | None:
    return session.exec(
        select(WorkspaceAccount.workspace_id).where(
            WorkspaceAccount.platform == PLATFORM, WorkspaceAccount.external_id == tenant_id
        )
    ).first()


def load(session: Session, tenant_id: str, address: str) -> tuple[int, Reference | None] | None:
    """(workspace id, reference) for ``address`` in the tenant's workspace; None when the tenant is unknown."""
    workspace_id = workspace_of(session, tenant_id)
    if workspace_id is None:
        return None
    row = _row(session, workspace_id, address)
    return workspace_id, (Reference.from_json(row.reference) if row else None)


def any_reference(session: Session, workspace_id: int) -> Reference | None:
    """Some reference of the workspace: its service URL and bot id serve to open a new 1:1 chat."""
    rows = session.exec(
        select(ConversationRef)
        .where(ConversationRef.workspace_id == workspace_id, ConversationRef.platform == PLATFORM)
        .order_by(col(ConversationRef.updated_at).desc())
    ).all()
    for row in rows:
        ref = Reference.from_json(row.reference)
        if ref is not None and ref.bot_id:
            return ref
    return None
