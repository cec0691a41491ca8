"""Proactive messages: written as outbox rows in the caller's transaction; resolved to a platform target
only at delivery time (a member may have moved from Slack to Teams meanwhile)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.delivery import Target
from bot.core.replies import Buttons, Reply, from_json, to_json
from bot.core.stops import ahead_of
from bot.core.unit import Changes
from storage.models import Member, MemberAccount, Outbox, WorkspaceAccount


def enqueue_dm(
    session: Session,
    clock: Clock,
    *,
    member: Member,
    reply: Reply,
    kind: str,
    key: str,
    lead_id: int | None = None,
    changes: Changes | None = None,
) -> Outbox | None:
    """DM ``member``; ``key`` makes the row idempotent (a second enqueue with the same key is ignored).
    ``lead_id``: the lead whose buttons the card carries (see ``bot/leads/card_refresh.py``). ``changes``: the
    command's unit of work, which notes the row written."""
    return _enqueue(
        session, clock, dm_row(clock, member=member, reply=reply, kind=kind, key=key, lead_id=lead_id), changes
    )


def enqueue_channel(
    session: Session,
    clock: Clock,
    *,
    workspace_id: int,
    channel: str,
    reply: Reply,
    kind: str,
    key: str,
    lead_id: int | None = None,
    changes: Changes | None = None,
) -> Outbox | None:
    """Post to a channel setting value (``platform:address``)."""
    return _enqueue(
        session,
        clock,
        channel_row(
            clock, workspace_id=workspace_id, channel=channel, reply=reply, kind=kind, key=key, lead_id=lead_id
        ),
        changes,
    )


def dm_row(clock: Clock, *, member: Member, reply: Reply, kind: str, key: str, lead_id: int | None = None) -> Outbox:
    """The row ``enqueue_dm`` writes, built but not written: a job writing many at once uses ``enqueue_all``."""
    assert member.id is not None
    return Outbox(
        workspace_id=member.workspace_id,
        kind=kind,
        target_member_id=member.id,
        payload=to_json(reply),
        dedupe_key=_dm_key(kind, key, member.id),
        next_attempt_at=clock.now(),
        created_at=clock.now(),
        lead_id=_with_buttons(reply, lead_id),
    )


def _dm_key(kind: str, key: str, member_id: int) -> str:
    return f"{kind}:{key}:m{member_id}"


def channel_row(
    clock: Clock, *, workspace_id: int, channel: str, reply: Reply, kind: str, key: str, lead_id: int | None = None
) -> Outbox:
    """The row ``enqueue_channel`` writes, built but not written."""
    values = channel_values(
        clock, workspace_id=workspace_id, channel=channel, payload=to_json(reply), kind=kind, key=key
    )
    return Outbox(**{**values, "lead_id": _with_buttons(reply, lead_id)})


REWRITE_KIND = "card_update"


def enqueue_rewrite(session: Session, clock: Clock, *, of: Outbox, reply: Reply) -> Outbox | None:
    """Rewrite the message sent for row ``of`` (once: a second rewrite of the same message is ignored)."""
    return _enqueue(
        session,
        clock,
        Outbox(
            workspace_id=of.workspace_id,
            kind=REWRITE_KIND,
            target_member_id=of.target_member_id,
            target_channel=of.target_channel,
            payload=to_json(reply),
            dedupe_key=f"{REWRITE_KIND}:o{of.id}",
            refreshes_id=of.id,
            next_attempt_at=clock.now(),
            created_at=clock.now(),
        ),
    )


def _with_buttons(reply: Reply, lead_id: int | None) -> int | None:
    """Only a card with buttons can go stale: others need no lead to watch."""
    return lead_id if any(isinstance(block, Buttons) for block in reply.blocks) else None


# INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING the row: the key check and the insert are one statement,
# so a twin written at the same instant by another transaction waits for it and then inserts nothing, where a
# check-then-insert would have passed the check and failed the whole command on the unique key.
_INSERT_ONCE = {
    dialect: dialect_insert(Outbox).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Outbox)
    for dialect, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def _enqueue(session: Session, clock: Clock, row: Outbox, changes: Changes | None = None) -> Outbox | None:
    statement = _INSERT_ONCE[session.get_bind().dialect.name]
    inserted = session.scalars(statement, [row.model_dump(exclude={"id"})]).first()
    if inserted is None:
        return None
    if changes is not None:
        changes.enqueued(inserted.id)
    return inserted


_TABLE = Outbox.__table__  # type: ignore[attr-defined]
_KEYS = select(_TABLE.c.dedupe_key).where(_TABLE.c.dedupe_key.in_(bindparam("keys", expanding=True)))
_COLUMNS = tuple(column for column in _TABLE.columns if column.name != "id")
# What a fresh row holds before it is addressed (the columns' defaults), so every row of a batch has every column.
_BLANK: dict[str, Any] = {
    **{column.name: None for column in _COLUMNS},
    "status": "pending",
    "attempts": 0,
}


def enqueue_all(session: Session, rows: Sequence[Outbox]) -> int:
    """Many rows in two statements, for a job writing a batch (the nag round): one read of the keys already
    written, then one multi-row INSERT of the new rows (the rows stay unattached: a job needs no ids back).
    The first of several rows with one key wins, as with one enqueue after another. Only for keys no
    concurrent transaction writes: the nag round's keys name leads it holds locked (``FOR UPDATE``)."""
    return _insert_fresh(
        session,
        [{column.name: getattr(row, column.name) for column in _TABLE.columns if column.name != "id"} for row in rows],
    )


def enqueue_dms(
    session: Session, clock: Clock, *, workspace_id: int, member_ids: Sequence[int], reply: Reply, kind: str, key: str
) -> int:
    """The same DM to many members of one workspace (the pulse survey to every rep), as ``enqueue_all`` writes
    rows: the reply is serialised once and the rows are plain values, with no entity built per member. The same
    rule holds for the keys: only for keys no concurrent transaction writes."""
    template = Outbox(
        workspace_id=workspace_id,
        kind=kind,
        payload=to_json(reply),
        dedupe_key="",
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    shared = {column.name: getattr(template, column.name) for column in _TABLE.columns if column.name != "id"}
    return _insert_fresh(
        session,
        [{**shared, "target_member_id": member, "dedupe_key": _dm_key(kind, key, member)} for member in member_ids],
    )


def _insert_fresh(session: Session, rows: list[dict[str, object]]) -> int:
    keys = sorted({str(row["dedupe_key"]) for row in rows})
    written = set(session.execute(_KEYS, {"keys": keys}).scalars()) if keys else set()
    fresh: list[dict[str, object]] = []
    for row in rows:
        if row["dedupe_key"] not in written:
            written.add(str(row["dedupe_key"]))
            fresh.append(row)
    if fresh:
        session.execute(insert(_TABLE), fresh)
    return len(fresh)


def channel_values(
    clock: Clock, *, workspace_id: int, channel: str, payload: str, kind: str, key: str, then: Sequence[str] = ()
) -> dict[str, Any]:
    """The row ``channel_row`` writes, as column values with its reply already stored (``to_json``): a job posting
    to thousands of channels serialises each reply once and builds no entity per row (``insert(Outbox)``).
    ``then``: the channels the same post goes to after ``channel`` — one row, delivered to each in turn
    (bot/core/stops.py). Only for posts without a lead's buttons: those are rewritten where they were sent."""
    now = clock.now()
    return {
        **_BLANK,
        "workspace_id": workspace_id,
        "kind": kind,
        "target_channel": channel,
        "channels_ahead": ahead_of([c for c in then if c != channel]),
        "payload": payload,
        "dedupe_key": f"{kind}:{key}:{channel}"[:200],
        "next_attempt_at": now,
        "created_at": now,
    }


def resolve_target(session: Session, row: Outbox, *, platform: str | None = None) -> Target | None:
    """Where the row goes, or None when the member has no account we can reach. ``platform`` pins a member's
    platform: a rewrite goes where the message it rewrites went."""
    if row.target_channel:
        platform, _, address = row.target_channel.partition(":")
        team = _team_id(session, row.workspace_id, platform)
        if team is None or not address:
            return None
        return Target(platform=platform, team_id=team, kind="channel", address=address, outbox_id=row.id)
    if row.target_member_id is None:
        return None
    member = session.get(Member, row.target_member_id)
    if member is None:
        return None
    accounts = {
        a.platform: a.external_id
        for a in session.exec(select(MemberAccount).where(MemberAccount.member_id == member.id)).all()
    }
    if platform is not None:
        order = [platform]
    else:
        order = ([member.last_platform] if member.last_platform else []) + sorted(accounts)
    for candidate in order:
        if candidate in accounts:
            team = _team_id(session, row.workspace_id, candidate)
            if team is not None:
                return Target(
                    platform=candidate,
                    team_id=team,
                    kind="user",
                    address=accounts[candidate],
                    member_id=member.id,
                    outbox_id=row.id,
                )
    return None


def _team_id(session: Session, workspace_id: int, platform: str) -> str | None:
    return session.exec(
        select(WorkspaceAccount.external_id).where(
            WorkspaceAccount.workspace_id == workspace_id, WorkspaceAccount.platform == platform
        )
    ).first()


def reply_of(row: Outbox) -> Reply:
    return from_json(row.payload)


def prune_delivered(session: Session, *, before: datetime) -> int:
    """Forget messages delivered (or parked and reported) before ``before``; pending ones are never touched."""
    result = session.execute(
        delete(Outbox).where(col(Outbox.status).in_(("sent", "failed")), col(Outbox.created_at) < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)
