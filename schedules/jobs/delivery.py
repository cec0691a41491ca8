"""Outbox → platforms. Rows are claimed in one transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the
write lock on SQLite), sent through the runtime's Senders, and marked sent one by one, so several replicas
share the work and no row is sent twice or lost: a replica that dies mid-send leaves ``sending`` rows that
become deliverable again after ``CLAIM_TIMEOUT``."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.delivery import DeliveryFailed, Sender, Target
from bot.core.outbox import reply_of, resolve_target
from bot.core.replies import Reply
from bot.core.runtime import Runtime
from schedules.jobs.outbox_rows import (
    mark_sent_many,
    park,
    record_failure,
    release,
    renew_claims,
    settle_quietly,
)
from storage.db import Database
from storage.models import Outbox

log = logging.getLogger("tandem.delivery")

CLAIM_TIMEOUT = timedelta(minutes=2)  # default: a claim older than this belongs to a replica that died
SEND_TIMEOUT_SECONDS = 30.0
NO_SENDER_HOLD = timedelta(seconds=30)  # re-check rows whose platform this replica cannot send to
NO_SENDER_GIVE_UP = timedelta(hours=24)  # ...and park them when no replica could in a day
REFRESH_WAIT = timedelta(seconds=5)  # a rewrite waits for the message it rewrites to be sent


@dataclass(frozen=True)
class Claimed:
    id: int
    target: Target
    reply: Reply


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    parked: int = 0
    waiting_for_sender: int = 0
    platforms: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [f"sent {self.sent}"]
        if self.retrying:
            parts.append(f"retrying {self.retrying}")
        if self.parked:
            parts.append(f"parked {self.parked}")
        if self.waiting_for_sender:
            parts.append(f"waiting for a sender {self.waiting_for_sender}")
        return ", ".join(parts)


async def deliver_due(
    runtime: Runtime, *, owner: str, batch: int = 200, concurrency: int = 16, max_rounds: int = 50
) -> DeliveryReport:
    """Send everything due now (bounded by ``max_rounds`` batches per firing)."""
    report = DeliveryReport()
    gate = asyncio.Semaphore(concurrency)
    timeout = timedelta(seconds=runtime.settings.delivery_claim_timeout_seconds)
    for _ in range(max_rounds):
        platforms = frozenset(runtime.senders)
        claimed_at = runtime.clock.now()
        claimed, waiting, parked = await runtime.db.run(
            claim_due, runtime.db, claimed_at, owner, batch, platforms, timeout
        )
        report.waiting_for_sender += waiting
        report.parked += parked
        if not claimed:
            break
        groups: dict[tuple[str, str, str, str], list[Claimed]] = defaultdict(list)
        for row in claimed:
            t = row.target
            groups[(t.platform, t.team_id, t.kind, t.address)].append(row)
        lease = _ClaimLease(runtime, owner, claimed_at, timeout / 3)
        try:
            await asyncio.gather(*(_send_group(runtime, lease, rows, gate, report) for rows in groups.values()))
        finally:
            await lease.marker.drain()
        if len(claimed) < batch:
            break
    return report


def claim_due(
    db: Database,
    now: datetime,
    owner: str,
    limit: int,
    platforms: frozenset[str],
    claim_timeout: timedelta = CLAIM_TIMEOUT,
) -> tuple[list[Claimed], int, int]:
    """Claim up to ``limit`` due rows this replica can send; returns (claimed, waiting-for-sender, parked).
    Rows another replica claimed more than ``claim_timeout`` ago are taken over (it died mid-send)."""
    claimed: list[Claimed] = []
    waiting = parked = 0
    with db.session() as session:
        stale = (
            select(Outbox)
            .where(col(Outbox.status) == "sending", col(Outbox.claimed_at) < now - claim_timeout)
            .order_by(col(Outbox.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        due = (
            select(Outbox)
            .where(col(Outbox.status) == "pending", col(Outbox.next_attempt_at) <= now)
            .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list(session.exec(stale).all())
        if len(rows) < limit:
            rows += list(session.exec(due.limit(limit - len(rows))).all())
        resolved: dict[tuple[int, int | None, str | None], Target | None] = {}
        for row in rows:
            assert row.id is not None
            key = (row.workspace_id, row.target_member_id, row.target_channel)
            if key not in resolved:  # many rows share a target (a channel, a busy rep)
                resolved[key] = resolve_target(session, row)
            target = resolved[key]
            target = replace(target, outbox_id=row.id) if target is not None else None
            if target is not None and row.refreshes_id is not None:
                target = _rewrite_target(session, row, target, now)
                if target is None:
                    continue  # waiting for the message it rewrites, or nothing to rewrite
            if target is None:
                park(
                    session,
                    row,
                    now,
                    "nobody to deliver to: the member has no chat account I can reach, "
                    "or the channel setting is not a known team",
                )
                parked += 1
                continue
            if target.platform not in platforms:
                if row.created_at < now - NO_SENDER_GIVE_UP:
                    park(session, row, now, f"no running Tandem could send to {target.platform} for a day")
                    parked += 1
                    continue
                row.next_attempt_at = now + NO_SENDER_HOLD
                row.status = "pending"
                row.claimed_at = row.claimed_by = None
                row.last_error = f"waiting for a {target.platform} sender"[:2000]
                session.add(row)
                waiting += 1
                continue
            claimed.append(Claimed(id=row.id, target=target, reply=reply_of(row)))
        by_platform: dict[str, list[int]] = defaultdict(list)
        for item in claimed:
            by_platform[item.target.platform].append(item.id)
        for platform, ids in by_platform.items():  # one statement per platform, not one per row
            session.execute(
                update(Outbox)
                .where(col(Outbox.id).in_(ids))
                .values(status="sending", claimed_at=now, claimed_by=owner, platform=platform)
            )
    return claimed, waiting, parked


class _ClaimLease:
    """Keeps a batch's claims fresh while it is being sent (a long batch, or groups queued behind the
    concurrency gate), so no other replica mistakes this one for dead and sends the same rows again."""

    def __init__(self, runtime: Runtime, owner: str, claimed_at: datetime, every: timedelta) -> None:
        self.runtime, self.owner, self.every = runtime, owner, every
        self.renewed: dict[int, datetime] = {}
        self.claimed_at = claimed_at
        self.marker = _SentMarker(runtime, owner)

    async def still_mine(self, rows: list[Claimed]) -> list[Claimed]:
        """``rows`` unchanged when their claim is fresh; else renewed, minus any another replica took over."""
        now = self.runtime.clock.now()
        if now - self.renewed.get(rows[0].id, self.claimed_at) < self.every:
            return rows
        await self.marker.drain()  # sent rows are recorded before time is bought for the rest
        mine = await self.runtime.db.run(renew_claims, self.runtime.db, now, [r.id for r in rows], self.owner)
        for row in rows:
            self.renewed[row.id] = now
        return [r for r in rows if r.id in mine]


class _SentMarker:
    """Records sends as they complete, group-commit style: while one transaction marks rows sent, the next
    completions queue and go in the following one. Idle, that is one row per transaction; busy, it keeps
    the database from being the bottleneck, and the crash window stays one transaction wide."""

    def __init__(self, runtime: Runtime, owner: str) -> None:
        self.runtime, self.owner = runtime, owner
        self.queue: list[tuple[int, str | None]] = []
        self.writer: asyncio.Task[None] | None = None

    async def sent(self, row_id: int, ref: str | None) -> None:
        self.queue.append((row_id, ref))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        while self.queue:
            batch, self.queue = self.queue, []
            await self.runtime.db.run(mark_sent_many, self.runtime.db, self.runtime.clock.now(), batch, self.owner)

    async def drain(self) -> None:
        while self.writer is not None and not self.writer.done():
            await self.writer
        # A writer that raised (database gone) propagates here and the firing fails; its rows stay claimed
        # and are sent again after the claim timeout — delivered at least once, never lost.
        if self.queue:
            await self._write()


async def _send_group(
    runtime: Runtime, lease: _ClaimLease, rows: list[Claimed], gate: asyncio.Semaphore, report: DeliveryReport
) -> None:
    """One target's rows, in order. A failure holds the rest of the group back so order is kept and a
    rate-limited channel is not hammered."""
    owner, marker = lease.owner, lease.marker
    async with gate:
        sender: Sender = runtime.senders[rows[0].target.platform]
        index = 0
        while index < len(rows):
            kept = await lease.still_mine(rows[index:])
            if len(kept) < len(rows) - index:
                log.warning("%d outbox rows were taken over by another replica", len(rows) - index - len(kept))
                rows, index = kept, 0
                if not rows:
                    return
            row = rows[index]
            index += 1
            try:
                sending = (
                    sender.update(row.target, row.target.replaces, row.reply)
                    if row.target.replaces
                    else sender.send(row.target, row.reply)
                )
                ref = await asyncio.wait_for(sending, SEND_TIMEOUT_SECONDS)
            except Exception as error:  # DeliveryFailed, or a Sender bug / timeout: the row must not be lost
                if isinstance(error, DeliveryFailed):
                    failure = error
                else:
                    log.warning("send of outbox row %s failed unexpectedly: %s", row.id, type(error).__name__)
                    failure = DeliveryFailed(f"unexpected {type(error).__name__}")
                outcome, retry_at = await runtime.db.run(
                    record_failure, runtime.db, runtime.clock.now(), row.id, owner, failure
                )
                if outcome == "parked":
                    report.parked += 1
                    continue  # a message that can never go does not hold back the ones after it
                report.retrying += 1
                rest = [r.id for r in rows[index:]]
                if rest:  # the target is failing: the rest wait for the same moment, in order
                    await runtime.db.run(release, runtime.db, retry_at or runtime.clock.now(), rest, owner)
                    report.retrying += len(rest)
                return
            await marker.sent(row.id, ref)
            report.sent += 1
            report.platforms[row.target.platform] = report.platforms.get(row.target.platform, 0) + 1


def _rewrite_target(session: Session, row: Outbox, target: Target, now: datetime) -> Target | None:
    """Where a rewrite goes: the message it rewrites, on the platform that message went to. None when the row
    must wait for that message to be sent, or has nothing to rewrite (then it is settled here)."""
    original = session.get(Outbox, row.refreshes_id) if row.refreshes_id is not None else None
    if original is not None and original.status in ("pending", "sending"):
        row.next_attempt_at = now + REFRESH_WAIT  # the message itself is still on its way
        session.add(row)
        return None
    if original is not None and original.platform and original.platform != target.platform:
        found = resolve_target(session, row, platform=original.platform)  # the member has moved platform since
        target = replace(found, outbox_id=row.id) if found is not None else target
    if (
        original is None
        or original.status != "sent"
        or not original.delivered_ref
        or original.platform not in (None, target.platform)
    ):
        settle_quietly(
            session,
            row,
            now,
            "nothing to rewrite: the message was never delivered, or the platform keeps no reference to it",
        )
        return None
    return replace(target, replaces=original.delivered_ref)
