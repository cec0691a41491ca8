"""A delivery batch's hold on its outbox rows: the rows claimed, their claims renewed while they wait or are sent,
sends recorded as they complete, and rows given back untried when their team's pace is booked too far ahead."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.delivery import Target
from bot.core.replies import Reply
from bot.core.runtime import Runtime
from bot.core.stops import Walk
from schedules.jobs.outbox_rows import Sent, mark_sent_many, release, renew_claims


@dataclass(frozen=True)
class Claimed:
    id: int
    target: Target
    reply: Reply
    walk: Walk | None = None  # a post with channels after this one (bot/core/stops.py)


class ClaimLease:
    """Keeps a batch's claims fresh while it is being sent (a long batch, rows waiting for their team's pace or
    out a short Retry-After), so no other replica mistakes this one for dead and sends the same rows again."""

    def __init__(self, runtime: Runtime, owner: str, claimed_at: datetime, timeout: timedelta) -> None:
        self.runtime, self.owner, self.timeout, self.every = runtime, owner, timeout, timeout / 3
        self.renewed: dict[int, datetime] = {}
        self.claimed_at = claimed_at
        self.marker = SentMarker(runtime, owner)
        self.held: dict[datetime, list[int]] = defaultdict(list)

    def lasts(self, row: Claimed, seconds: float) -> bool:
        """Whether the claim on ``row`` outlives ``seconds`` more (a wait and the send after it)."""
        expires = self.renewed.get(row.id, self.claimed_at) + self.timeout
        return self.runtime.clock.now() + timedelta(seconds=seconds) < expires

    def hold(self, rows: list[Claimed], seconds: float) -> None:
        """Give ``rows`` back untried at the end of the batch, due in ``seconds`` (rounded up to a second, so
        the rows of one pause go back in one statement)."""
        when = self.runtime.clock.now().replace(microsecond=0) + timedelta(seconds=int(seconds) + 1)
        self.held[when].extend(r.id for r in rows)

    async def give_back_held(self) -> None:
        for when, ids in self.held.items():
            await self.runtime.db.run(release, self.runtime.db, when, ids, self.owner)
        self.held.clear()

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


class SentMarker:
    """Records sends as they complete, group-commit style: while one transaction marks rows sent, the next
    completions queue and go in the following one. Idle, that is one row per transaction; busy, it keeps
    the database from being the bottleneck, and the crash window stays one transaction wide."""

    def __init__(self, runtime: Runtime, owner: str) -> None:
        self.runtime, self.owner = runtime, owner
        self.queue: list[Sent] = []
        self.writer: asyncio.Task[None] | None = None

    async def sent(self, row: Claimed, ref: str | None) -> None:
        self.queue.append(Sent(row.id, ref, row.walk))
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
