"""One company, two chat tools: a one-time code made in workspace A joins workspace B into it. B's team
accounts and members move to A, people with the same e-mail become one member, and B's leads are renumbered
after A's — all in one transaction, so a failed join changes nothing."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Table, delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from bot.core.clock import Clock
from bot.core.errors import UsageError
from bot.core.people import ROLE_RANK
from storage.models import (
    ApiIdempotency,
    ApiKey,
    Campaign,
    CriteriaVersion,
    Lead,
    LinkCode,
    Member,
    MemberAccount,
    Outbox,
    Workspace,
    WorkspaceAccount,
    WorkspaceSetting,
)

CODE_TTL = timedelta(minutes=15)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or retyped without mistakes
_LEAD_REF = re.compile(r"\bL-(\d+)\b")
_HANDLED = {
    "workspace",
    "member",
    "member_account",
    "lead",
    "campaign",
    "criteria_version",
    "workspace_setting",
    "link_code",
}


@dataclass
class LinkResult:
    workspace: Workspace
    platforms: list[str]
    merged: int = 0
    moved: int = 0
    renumbered: dict[int, int] = field(default_factory=dict)


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def _hash(code: str) -> str:
    return hashlib.sha256(("tandem-link:" + _normalise(code)).encode()).hexdigest()


def create_code(session: Session, clock: Clock, *, workspace_id: int, created_by: int | None) -> str:
    """A fresh code (shown once; only its hash is stored). Older unused codes of the workspace stop working."""
    session.execute(
        delete(LinkCode).where(
            LinkCode.workspace_id == workspace_id,  # type: ignore[arg-type]
            col(LinkCode.used_at).is_(None),
        )
    )
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    session.add(
        LinkCode(
            workspace_id=workspace_id, code_hash=_hash(raw), created_by=created_by, expires_at=clock.now() + CODE_TTL
        )
    )
    session.flush()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _platforms(session: Session, workspace_id: int) -> set[str]:
    return set(
        session.execute(select(col(WorkspaceAccount.platform)).where(WorkspaceAccount.workspace_id == workspace_id))
        .scalars()
        .all()
    )


def redeem(session: Session, clock: Clock, *, code: str, workspace_id: int) -> LinkResult:
    """Join workspace ``workspace_id`` (B) into the workspace that made ``code`` (A)."""
    row = (
        session.execute(select(LinkCode).where(col(LinkCode.code_hash) == _hash(code)).with_for_update())
        .scalars()
        .first()
    )
    now = clock.now()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise UsageError(
            "That link code is unknown, used or expired. Ask an admin in the other chat tool to run "
            "`tandem link` again — a code works once, for 15 minutes."
        )
    if row.workspace_id == workspace_id:
        raise UsageError("That code was made here. Type it in the other chat tool (Slack or Teams) to join them.")
    target = session.get(Workspace, row.workspace_id)
    assert target is not None
    overlap = _platforms(session, row.workspace_id) & _platforms(session, workspace_id)
    if overlap:
        names = ", ".join(sorted(overlap))
        raise UsageError(
            f"Both workspaces already have a {names} team. Tandem joins one Slack workspace with one Teams tenant."
        )
    platforms = sorted(_platforms(session, workspace_id))
    session.flush()
    try:
        with session.begin_nested():
            result = _merge(session, target, workspace_id)
            session.execute(update(LinkCode).where(LinkCode.id == row.id).values(used_at=now))
    except IntegrityError:
        raise UsageError(
            "I couldn't join these workspaces because some of their data clashes; nothing was "
            "changed. Please tell your Tandem operator."
        ) from None
    session.expire_all()
    result.platforms = platforms
    return result


def _merge(session: Session, target: Workspace, source_id: int) -> LinkResult:
    assert target.id is not None
    a, b = target.id, source_id
    result = LinkResult(workspace=target, platforms=[])
    same = _same_people(session, a, b)
    result.merged = len(same)
    result.moved = len(session.execute(select(col(Member.id)).where(Member.workspace_id == b)).all()) - len(same)
    for old, new in same.items():
        _join_member(session, old, new)
    result.renumbered = _renumber(session, Lead.__table__, a, b, seq="lead_seq")  # type: ignore[attr-defined]
    _renumber(session, Campaign.__table__, a, b, seq="campaign_seq")  # type: ignore[attr-defined]
    _merge_criteria(session, a, b)
    _merge_settings(session, a, b)
    _merge_api_keys(session, a, b)
    _rewrite_pending(session, b, result.renumbered)
    session.execute(delete(LinkCode).where(LinkCode.workspace_id == b))  # type: ignore[arg-type]
    for table in SQLModel.metadata.sorted_tables:
        if "workspace_id" in table.c and table.name not in _HANDLED - {"member", "member_account"}:
            session.execute(update(table).where(table.c.workspace_id == b).values(workspace_id=a))
    if same:
        session.execute(delete(Member).where(Member.id.in_(list(same))))  # type: ignore[union-attr]
    session.execute(delete(Workspace).where(Workspace.id == b))  # type: ignore[arg-type]
    return result


def _same_people(session: Session, a: int, b: int) -> dict[int, int]:
    """B member id → A member id, for people with the same e-mail."""
    by_email: dict[str, int] = {}
    for member_id, email in session.execute(
        select(col(Member.id), col(Member.email))
        .where(Member.workspace_id == a, col(Member.email).is_not(None))
        .order_by(col(Member.id))
    ).all():
        by_email.setdefault(email.lower(), member_id)
    pairs: dict[int, int] = {}
    for member_id, email in session.execute(
        select(col(Member.id), col(Member.email)).where(Member.workspace_id == b, col(Member.email).is_not(None))
    ).all():
        if email.lower() in by_email:
            pairs[member_id] = by_email[email.lower()]
    return pairs


def _member_references() -> list[tuple[Table, str]]:
    """Every column in the schema that points at a member (so tables added later are re-pointed too)."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.c:
            if any(fk.column.table.name == "member" and fk.column.name == "id" for fk in column.foreign_keys):
                found.append((table, column.name))
    return found


def _join_member(session: Session, old: int, new: int) -> None:
    keep = session.get(Member, new)
    gone = session.get(Member, old)
    assert keep is not None and gone is not None
    values: dict[str, object] = {}
    if ROLE_RANK.get(gone.role, 0) > ROLE_RANK.get(keep.role, 0):
        values["role"] = gone.role
    if not keep.timezone and gone.timezone:
        values["timezone"] = gone.timezone
    if values:
        session.execute(update(Member).where(Member.id == new).values(**values))  # type: ignore[arg-type]
    session.execute(
        update(MemberAccount)
        .where(MemberAccount.member_id == old)  # type: ignore[arg-type]
        .values(member_id=new, workspace_id=keep.workspace_id)
    )
    for table, column in _member_references():
        if table.name != "member_account":
            session.execute(update(table).where(table.c[column] == old).values({column: new}))


def _renumber(session: Session, table: Table, a: int, b: int, *, seq: str) -> dict[int, int]:
    """B's rows numbered after A's (``L-<n>``, ``C-<n>``); returns old number → new number."""
    top = session.execute(select(func.max(table.c.number)).where(table.c.workspace_id == a)).scalar() or 0
    current = session.execute(select(getattr(Workspace, seq)).where(col(Workspace.id) == a)).scalar() or 0
    base = max(top, current)
    rows = session.execute(
        select(table.c.id, table.c.number).where(table.c.workspace_id == b).order_by(table.c.number)
    ).all()
    mapping: dict[int, int] = {}
    for offset, (row_id, number) in enumerate(rows, start=1):
        mapping[number] = base + offset
        session.execute(update(table).where(table.c.id == row_id).values(workspace_id=a, number=base + offset))
    session.execute(update(Workspace).where(Workspace.id == a).values({seq: base + len(rows)}))  # type: ignore[arg-type]
    return mapping


def _merge_criteria(session: Session, a: int, b: int) -> None:
    """Both histories kept, renumbered by date: the latest change of either side is the current definition."""
    t = CriteriaVersion.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        select(t.c.id).where(t.c.workspace_id.in_([a, b])).order_by(t.c.created_at, t.c.workspace_id, t.c.version)
    ).all()
    for index, (row_id,) in enumerate(rows, start=1):  # first out of the way, then in order
        session.execute(update(t).where(t.c.id == row_id).values(version=-index))
    for index, (row_id,) in enumerate(rows, start=1):
        session.execute(update(t).where(t.c.id == row_id).values(version=index, workspace_id=a))


def _merge_settings(session: Session, a: int, b: int) -> None:
    """A's settings win; B's fill the keys A never set (e.g. its own platform's channels)."""
    have = set(session.execute(select(col(WorkspaceSetting.key)).where(WorkspaceSetting.workspace_id == a)).scalars())
    for key, value in session.execute(
        select(col(WorkspaceSetting.key), col(WorkspaceSetting.value)).where(WorkspaceSetting.workspace_id == b)
    ).all():
        if key not in have:
            session.add(WorkspaceSetting(workspace_id=a, key=key, value=value))
    session.execute(delete(WorkspaceSetting).where(WorkspaceSetting.workspace_id == b))  # type: ignore[arg-type]
    session.flush()


def _merge_api_keys(session: Session, a: int, b: int) -> None:
    """Both sides' API keys keep working. A label active on both sides is told apart by B's platform
    ("website (teams)"); an Idempotency-Key both sides' integrations happened to use is forgotten on B's side."""
    taken = {
        label.lower()
        for label in session.execute(
            select(col(ApiKey.label)).where(ApiKey.workspace_id == a, col(ApiKey.revoked_at).is_(None))
        ).scalars()
    }
    platform = "+".join(sorted(_platforms(session, b))) or "linked"
    for key_id, label in session.execute(
        select(col(ApiKey.id), col(ApiKey.label)).where(ApiKey.workspace_id == b, col(ApiKey.revoked_at).is_(None))
    ).all():
        if label.lower() in taken:
            suffix = f" ({platform})"
            renamed = label[: 60 - len(suffix)] + suffix
            session.execute(update(ApiKey).where(col(ApiKey.id) == key_id).values(label=renamed))
            taken.add(renamed.lower())
    ours = select(col(ApiIdempotency.key)).where(ApiIdempotency.workspace_id == a)
    session.execute(
        delete(ApiIdempotency).where(col(ApiIdempotency.workspace_id) == b, col(ApiIdempotency.key).in_(ours))
    )


def _rewrite_pending(session: Session, b: int, renumbered: dict[int, int]) -> None:
    """Cards not yet delivered name leads by their new numbers, so their buttons act on the right lead."""
    if not renumbered:
        return
    rows = session.execute(
        select(col(Outbox.id), col(Outbox.payload)).where(
            Outbox.workspace_id == b, col(Outbox.status).in_(["pending", "sending"])
        )
    ).all()
    for row_id, payload in rows:
        text = _LEAD_REF.sub(lambda m: f"L-{renumbered.get(int(m.group(1)), int(m.group(1)))}", payload)
        if text != payload:
            json.loads(text)  # still valid
            session.execute(update(Outbox).where(Outbox.id == row_id).values(payload=text))
