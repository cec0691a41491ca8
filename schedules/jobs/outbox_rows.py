"""What delivery writes on an outbox row after trying it: sent (one or many), a failure backed off or parked,
claims renewed or given back. Each is one short transaction guarded by the claim, so a replica that lost its claim
changes nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import Session, col

from bot.core.delivery import DeliveryFailed
from bot.core.stops import MoveOn, Walk
from schedules.jobs.undeliverable import tell_admins_undeliverable
from storage.db import Database
from storage.models import Outbox

log = logging.getLogger("tandem.delivery")

MAX_ATTEMPTS = 8  # failures (not rate limits) before a row is parked and the admins are told
BACKOFF_BASE_SECONDS = 5.0
BACKOFF_CAP_SECONDS = 3600.0


def backoff_seconds(attempts: int) -> float:
    """5 s, 10 s, 20 s … capped at an hour: ``attempts`` counts the failures so far (≥ 1)."""
    return float(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def mark_sent(db: Database, now: datetime, row_id: int, owner: str, ref: str | None) -> bool:
    with db.session() as session:
        done = (
            session.connection()
            .execute(
                update(Outbox)
                .where(col(Outbox.id) == row_id, col(Outbox.status) == "sending", col(Outbox.claimed_by) == owner)
                .values(
                    status="sent",
                    sent_at=now,
                    delivered_ref=(ref or None) and ref[:400],
                    attempts=Outbox.attempts + 1,
                    last_error=None,
                    claimed_at=None,
                )
            )
            .rowcount
        )
    if not done:
        log.warning("outbox row %s was sent after its claim expired; another replica may send it again", row_id)
    return bool(done)


@dataclass(frozen=True)
class Sent:
    row_id: int
    ref: str | None
    walk: Walk | None = None  # the row goes on to another channel rather than being done


def mark_sent_many(db: Database, now: datetime, sent: list[Sent], owner: str) -> None:
    done = [item for item in sent if item.walk is None]
    if len(done) == 1 and len(sent) == 1:
        mark_sent(db, now, done[0].row_id, owner, done[0].ref)
        return
    statement = (
        update(Outbox)
        .where(col(Outbox.id) == bindparam("row_id"), col(Outbox.status) == "sending", col(Outbox.claimed_by) == owner)
        .values(
            status="sent",
            sent_at=now,
            delivered_ref=bindparam("ref"),
            attempts=Outbox.attempts + 1,
            last_error=None,
            claimed_at=None,
        )
    )
    with db.session() as session:
        if done:
            session.connection().execute(
                statement, [{"row_id": item.row_id, "ref": (item.ref or None) and item.ref[:400]} for item in done]
            )
        walks = [(item.row_id, item.walk.moved_on("sent", item.ref)) for item in sent if item.walk is not None]
        if walks:
            session.connection().execute(
                _MOVE_ON.where(col(Outbox.status) == "sending", col(Outbox.claimed_by) == owner),
                [_moved(row_id, step) for row_id, step in walks],
            )


# A post past one of several channels is pending again at the next one, with a clean record of attempts. It keeps
# its due time, so it keeps its place at the front of the queue: the next channel is not sent behind a backlog.
_MOVE_ON = (
    update(Outbox)
    .where(col(Outbox.id) == bindparam("row_id"))
    .values(
        status="pending",
        target_channel=bindparam("next_channel"),
        channels_ahead=bindparam("ahead"),
        channels_done=bindparam("done"),
        attempts=0,
        last_error=None,
        claimed_at=None,
        claimed_by=None,
        platform=None,
    )
)


def _moved(row_id: int, step: MoveOn) -> dict[str, object]:
    return {
        "row_id": row_id,
        "next_channel": step.target_channel,
        "ahead": step.channels_ahead,
        "done": step.channels_done,
    }


def record_failure(
    db: Database, now: datetime, row_id: int, owner: str, failure: DeliveryFailed
) -> tuple[str, datetime | None]:
    """Back off (honouring ``retry_after``) or park; returns ("retry", when) / ("parked" | "lost-claim", None)."""
    with db.session() as session:
        row = session.get(Outbox, row_id)
        if row is None or row.status != "sending" or row.claimed_by != owner:
            return "lost-claim", None
        rate_limited = failure.retry_after is not None and not failure.permanent
        attempts = row.attempts + (0 if rate_limited else 1)
        reason = str(failure) or type(failure).__name__
        if failure.permanent or attempts >= MAX_ATTEMPTS:
            row.attempts = attempts
            why = reason if failure.permanent else f"{reason} (gave up after {attempts} attempts)"
            if row.refreshes_id is not None:  # the message stays as it was (deleted, too old to edit…)
                settle_quietly(session, row, now, why)
            else:
                park(session, row, now, why)
            return "parked", None
        delay = failure.retry_after if rate_limited else max(failure.retry_after or 0.0, backoff_seconds(attempts))
        row.attempts = attempts
        row.status, row.claimed_at, row.claimed_by = "pending", None, None
        row.next_attempt_at = now + timedelta(seconds=float(delay or 0.0))
        row.last_error = reason[:2000]
        session.add(row)
        return "retry", row.next_attempt_at


def renew_claims(db: Database, now: datetime, row_ids: list[int], owner: str) -> set[int]:
    """Refresh this replica's claims; returns the ids that are still this replica's to send."""
    with db.session() as session:
        result = session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(row_ids), col(Outbox.status) == "sending", col(Outbox.claimed_by) == owner)
            .values(claimed_at=now)
            .returning(col(Outbox.id))
        )
        return {int(row_id) for row_id in result.scalars()}


def release(db: Database, when: datetime, row_ids: list[int], owner: str) -> None:
    """Give claimed rows back untried (their target is rate limited or failing right now)."""
    with db.session() as session:
        session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(row_ids), col(Outbox.status) == "sending", col(Outbox.claimed_by) == owner)
            .values(status="pending", claimed_at=None, claimed_by=None, next_attempt_at=when)
        )


def settle_quietly(session: Session, row: Outbox, now: datetime, reason: str) -> None:
    """A rewrite of an earlier message that cannot happen: nobody misses anything, so nobody is told."""
    row.status, row.claimed_at, row.claimed_by, row.sent_at = "failed", None, None, now
    row.last_error = reason[:2000]
    session.add(row)
    log.info("outbox row %s (%s) not sent: %s", row.id, row.kind, reason)


def park(session: Session, row: Outbox, now: datetime, reason: str) -> None:
    """Never silently dropped: the row stays as ``failed`` and the workspace admins hear who was missed. A post
    with channels after this one goes on to them: one broken channel setting does not keep it from the others."""
    log.error("outbox row %s (%s) parked: %s", row.id, row.kind, reason)
    tell_admins_undeliverable(session, now, row, reason)
    walk = Walk.of(row)
    if walk is not None:
        step = walk.moved_on("failed", reason)
        row.target_channel, row.channels_ahead, row.channels_done = (
            step.target_channel,
            step.channels_ahead,
            step.channels_done,
        )
        row.status, row.attempts, row.claimed_at, row.claimed_by, row.platform = "pending", 0, None, None, None
        row.last_error = None  # due as it was: the next channel goes at once
        session.add(row)
        return
    row.status, row.claimed_at, row.claimed_by = "failed", None, None
    row.last_error = reason[:2000]
    row.next_attempt_at = now
    session.add(row)
