"""Outbox → platforms. Rows are claimed in one transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the
write lock on SQLite), sent through the runtime's Senders, and marked sent one by one, so several replicas
share the work and no row is sent twice or lost: a replica that dies mid-send leaves ``sending`` rows that
become deliverable again after ``CLAIM_TIMEOUT``. New DMs take turns at their team's pace (``bot/core/pacing.py``):
a 429 on one pauses the team's others, and a short wait is spent here rather than in the outbox."""

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
from bot.core.pacing import Turn
from bot.core.runtime import Runtime
from bot.core.stops import Walk
from schedules.jobs.claim_lease import Claimed, ClaimLease
from schedules.jobs.outbox_rows import park, record_failure, release, settle_quietly
from storage.db import Database
from storage.models import Outbox

log = logging.getLogger("tandem.delivery")

CLAIM_TIMEOUT = timedelta(minutes=2)  # default: a claim older than this belongs to a replica that died
SEND_TIMEOUT_SECONDS = 30.0
NO_SENDER_HOLD = timedelta(seconds=30)  # re-check rows whose platform this replica cannot send to
NO_SENDER_GIVE_UP = timedelta(hours=24)  # ...and park them when no replica could in a day
REFRESH_WAIT = timedelta(seconds=5)  # a rewrite waits for the message it rewrites to be sent
# A rate limit short enough is waited out here, without a transaction and without charging an attempt: a DM up to
# DM_HOLD seconds (its team's pause, or its turn at the team's pace), a channel post up to CHANNEL_HOLD (once, as
# slack_sdk's own handler would). Longer, or more often, and the row goes back to the outbox.
DM_HOLD = 10.0
DM_WAITS = 3
CHANNEL_HOLD = 1.0
CHANNEL_WAITS = 1


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    parked: int = 0
    waiting_for_sender: int = 0
    waited: int = 0  # rate limits waited out in-process
    held: int = 0  # DMs given back to the outbox because their team's pace is booked further ahead
    platforms: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [f"sent {self.sent}"]
        if self.retrying:
            parts.append(f"retrying {self.retrying}")
        if self.parked:
            parts.append(f"parked {self.parked}")
        if self.waiting_for_sender:
            parts.append(f"waiting for a sender {self.waiting_for_sender}")
        if self.waited:
            parts.append(f"rate limits waited out {self.waited}")
        if self.held:
            parts.append(f"held for the team's pace {self.held}")
        return ", ".join(parts)


async def deliver_due(
    runtime: Runtime, *, owner: str, batch: int = 200, concurrency: int = 16, max_rounds: int = 50
) -> DeliveryReport:
    """Send everything due now (bounded by ``max_rounds`` batches per firing). Batches go one after another, so
    a target's rows keep their order; the next one is claimed while this one is being sent, so a paced team
    does not wait for the claim between them."""
    report = DeliveryReport()
    gate = asyncio.Semaphore(concurrency)
    timeout = timedelta(seconds=runtime.settings.delivery_claim_timeout_seconds)
    upcoming: asyncio.Future[_Batch] = asyncio.ensure_future(_claim(runtime, owner, batch, timeout, report))
    moved_on = False  # posts with several channels went on to the next one after the last claim began
    for round_ in range(1, max_rounds + 1):
        current = await upcoming
        more = len(current.rows) == batch and round_ < max_rounds
        if current.rows:
            if more:
                upcoming, moved_on = asyncio.ensure_future(_claim(runtime, owner, batch, timeout, report)), False
            try:
                await _send_batch(runtime, current, gate, report)
            except BaseException:
                if more:
                    await _give_back(runtime, owner, upcoming)
                raise
            moved_on = moved_on or any(row.walk is not None for row in current.rows)
        if not more:
            if not (moved_on and round_ < max_rounds):
                break
            upcoming, moved_on = asyncio.ensure_future(_claim(runtime, owner, batch, timeout, report)), False
    return report


@dataclass(frozen=True)
class _Batch:
    rows: list[Claimed]
    lease: ClaimLease


async def _claim(runtime: Runtime, owner: str, batch: int, timeout: timedelta, report: DeliveryReport) -> _Batch:
    claimed_at = runtime.clock.now()
    claimed, waiting, parked = await runtime.db.run(
        claim_due, runtime.db, claimed_at, owner, batch, frozenset(runtime.senders), timeout
    )
    report.waiting_for_sender += waiting
    report.parked += parked
    return _Batch(claimed, ClaimLease(runtime, owner, claimed_at, timeout))


async def _give_back(runtime: Runtime, owner: str, upcoming: asyncio.Future[_Batch]) -> None:
    """Release the batch claimed ahead when the one before it failed; if the database is gone, the claim
    timeout frees those rows for any replica (delivered later, never lost)."""
    try:
        ahead = await upcoming
        await runtime.db.run(release, runtime.db, runtime.clock.now(), [r.id for r in ahead.rows], owner)
    except Exception as error:  # the firing is failing already: its own error is the one to report
        log.warning("could not give back %s's next batch: %s", owner, type(error).__name__)


async def _send_batch(runtime: Runtime, batch: _Batch, gate: asyncio.Semaphore, report: DeliveryReport) -> None:
    groups: dict[tuple[str, str, str, str], list[Claimed]] = defaultdict(list)
    for row in batch.rows:
        t = row.target
        groups[(t.platform, t.team_id, t.kind, t.address)].append(row)
    try:
        await asyncio.gather(*(_send_group(runtime, batch.lease, rows, gate, report) for rows in groups.values()))
    finally:
        await batch.lease.marker.drain()
        await batch.lease.give_back_held()


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
            claimed.append(Claimed(id=row.id, target=target, reply=reply_of(row), walk=Walk.of(row)))
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


@dataclass(frozen=True)
class _Sent:
    ref: str | None


@dataclass(frozen=True)
class _Held:
    seconds: float  # until the team's pace has room again


class _Paused:
    """A 429 paused the team while this DM queued for the gate: it takes a new turn."""


async def _send_group(
    runtime: Runtime, lease: ClaimLease, rows: list[Claimed], gate: asyncio.Semaphore, report: DeliveryReport
) -> None:
    """One target's rows, in order. A short rate limit is waited out here; a longer one, or a failure, holds the
    rest of the group back so order is kept and a rate-limited target is not hammered."""
    owner, marker = lease.owner, lease.marker
    sender: Sender = runtime.senders[rows[0].target.platform]
    index = waits = 0
    while index < len(rows):
        kept = await lease.still_mine(rows[index:])
        if len(kept) < len(rows) - index:
            log.warning("%d outbox rows were taken over by another replica", len(rows) - index - len(kept))
            rows, index = kept, 0
            if not rows:
                return
        row = rows[index]
        outcome = await _try(runtime, sender, row, gate)
        if isinstance(outcome, _Paused):
            continue
        if isinstance(outcome, _Sent):
            index, waits = index + 1, 0
            await marker.sent(row, outcome.ref)
            report.sent += 1
            report.platforms[row.target.platform] = report.platforms.get(row.target.platform, 0) + 1
            continue
        if isinstance(outcome, _Held):  # the team's pace is booked further ahead than a row waits here
            lease.hold(rows[index:], outcome.seconds)
            report.held += len(rows) - index
            return
        dm, wait = _paced(row.target), outcome.retry_after
        hold, most = (DM_HOLD, DM_WAITS) if dm else (CHANNEL_HOLD, CHANNEL_WAITS)
        short = wait is not None and not outcome.permanent and wait <= hold
        if wait is not None and short and waits < most and lease.lasts(row, wait + SEND_TIMEOUT_SECONDS):
            waits += 1
            report.waited += 1
            if not dm:  # a DM's next turn already waits for its team's pause
                await runtime.pacing.sleep(wait)
            continue
        index += 1
        result, retry_at = await runtime.db.run(record_failure, runtime.db, runtime.clock.now(), row.id, owner, outcome)
        if result == "parked":
            report.parked += 1
            waits = 0
            continue  # a message that can never go does not hold back the ones after it
        report.retrying += 1
        rest = [r.id for r in rows[index:]]
        if rest:  # the target is failing: the rest wait for the same moment, in order
            await runtime.db.run(release, runtime.db, retry_at or runtime.clock.now(), rest, owner)
            report.retrying += len(rest)
        return


def _paced(target: Target) -> bool:
    """A new DM: each is a channel of its own, so only the team-wide limit applies, and the team's pace decides
    when it goes. Channel posts (limited per channel) and rewrites (another API method) keep their own pace."""
    return target.kind == "user" and not target.replaces


async def _try(
    runtime: Runtime, sender: Sender, row: Claimed, gate: asyncio.Semaphore
) -> _Sent | _Held | _Paused | DeliveryFailed:
    """One send of ``row``: a DM first waits for its turn at its team's pace, and tells the pace how it went."""
    target, pacing = row.target, runtime.pacing
    pace = pacing.of(target.platform, target.team_id) if _paced(target) else None
    turn: Turn | None = None
    if pace is not None:
        turn = await pacing.wait_turn(target.platform, target.team_id, DM_HOLD)
        if turn is None:
            return _Held(pacing.seconds_ahead(target.platform, target.team_id))
    async with gate:
        started = pacing.seconds()
        if pace is not None and turn is not None:
            if not pace.current(turn, started):
                return _Paused()
            pace.started(started)
        outcome = await _send(sender, row)
    if pace is not None and turn is not None:
        if isinstance(outcome, _Sent):
            pace.sent(turn, started)
        elif outcome.retry_after is not None and not outcome.permanent:
            pace.refused(turn, pacing.seconds(), outcome.retry_after)
    return outcome


async def _send(sender: Sender, row: Claimed) -> _Sent | DeliveryFailed:
    target = row.target
    try:
        sending = (
            sender.update(target, target.replaces, row.reply) if target.replaces else sender.send(target, row.reply)
        )
        return _Sent(await asyncio.wait_for(sending, SEND_TIMEOUT_SECONDS))
    except DeliveryFailed as failure:
        return failure
    except Exception as error:  # a Sender bug or a timeout: the row must not be lost
        log.warning("send of outbox row %s failed unexpectedly: %s", row.id, type(error).__name__)
        return DeliveryFailed(f"unexpected {type(error).__name__}")


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
