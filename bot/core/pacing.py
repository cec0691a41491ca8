"""How fast this replica sends DMs into one team. A platform limits those per team, not per DM (each DM is a channel
of its own), so a 429 on one says the whole team must wait: every DM to that team pauses until ``Retry-After`` has
passed, then goes at a rate learned from the 429s — cut on each one, raised slowly while sends wait their turn —
so delivery runs just under the limit instead of bursting into it. The paces live on the Runtime and outlast a
delivery firing; each replica learns its own (several replicas each settle at about their share)."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

from bot.core.clock import SystemClock, Timer

FIRST_CUT = 0.7  # the first 429: the pace becomes this share of the rate the sends were reaching
FAST_CUT = 0.8  # a 429 soon after sending resumed: the rate is well over the limit
CUT = 0.93  # a 429 after a while at the pace: just over the limit
SOON = 2.0  # seconds after resuming within which a 429 counts as soon
RAISE = 0.25  # messages per second gained each second the pace, not the sends, sets the speed
SLOWEST = 1.0  # messages per second: a pace never goes below this
FORGET = 600.0  # seconds without a send after which the pace is forgotten (the next burst starts free)
WINDOW = 1.0  # seconds of sends, since the last pause, that measure the rate before the first 429
CATCH_UP = 0.1  # seconds a send may be late on its slot and the pace still keeps to its schedule
CLOSE = 0.001  # seconds: a turn this close is taken now (clocks count in microseconds)


@dataclass(frozen=True)
class Turn:
    """One send let go: when, and under which pause (a 429 for a send let go before the latest pause is the same
    news again, not a new reason to slow down)."""

    at: float
    epoch: int
    paced: bool  # it waited for the pace, not only for a pause


@dataclass
class Pace:
    """One team's pace: pure decisions on the seconds the caller gives; ``Pacing`` does the waiting."""

    rate: float | None = None  # messages per second; None until the first 429
    paused_until: float = 0.0
    next_at: float = 0.0  # the earliest the next send may go at ``rate``
    epoch: int = 0  # pauses so far
    resumed_at: float | None = None
    last_used: float | None = None
    recent: deque[float] = field(default_factory=deque)  # send times since the last pause (before any rate)

    def wait(self, now: float) -> float:
        """Seconds until the next send may go (a pace unused for ``FORGET`` seconds is forgotten first)."""
        if self.last_used is not None and now - self.last_used > FORGET and now >= self.paused_until:
            self.rate = None
        self.last_used = now
        wait = max(self.paused_until, self.next_at if self.rate is not None else 0.0) - now
        return wait if wait > CLOSE else 0.0

    def ahead(self, now: float, queued: int) -> float:
        """Seconds until a send behind ``queued`` others may go."""
        return self.wait(now) + (queued / self.rate if self.rate is not None else 0.0)

    def let_go(self, now: float, paced: bool) -> Turn:
        """A send goes now, and the next one's turn follows ``1 / rate`` later: after this one's slot while it is
        at most ``CATCH_UP`` late (waking up late now and then does not slow the pace, and the platform's bucket
        refilled meanwhile), after now when it is later (a busy moment is not made up for with a burst)."""
        if self.rate is not None:
            slot = 1.0 / self.rate
            self.next_at = (self.next_at if now - self.next_at <= max(slot, CATCH_UP) else now) + slot
        if self.resumed_at is None:
            self.resumed_at = now
        self.last_used = now
        return Turn(now, self.epoch, paced)

    def current(self, turn: Turn, now: float) -> bool:
        """Whether ``turn`` still stands: no 429 paused the team since it was let go."""
        return turn.epoch == self.epoch and now >= self.paused_until

    def started(self, now: float) -> None:
        """A send is on the wire; until the first 429 those of the last second measure how fast they go."""
        if self.rate is not None or (self.resumed_at is not None and now < self.resumed_at):
            return
        self.recent.append(now)
        while self.recent[0] < now - WINDOW:
            self.recent.popleft()

    def sent(self, turn: Turn, started: float) -> None:
        """A send went through. The rate rises only when the pace held it back and it then left on time:
        a pace the sender cannot keep up with learns nothing about the platform's limit."""
        if self.rate is not None and turn.paced and turn.epoch == self.epoch and started - turn.at < 1.0 / self.rate:
            self.rate += RAISE / self.rate

    def refused(self, turn: Turn, now: float, retry_after: float) -> None:
        """The platform said wait (429): pause the team for ``retry_after`` and, once per pause, cut the rate."""
        self.paused_until = max(self.paused_until, now + retry_after)
        if turn.epoch != self.epoch:
            return  # let go before the latest pause: already accounted for
        self.epoch += 1
        if self.rate is None:
            if len(self.recent) > 1:  # with a single send there is no rate to learn, only the pause
                self.rate = max(SLOWEST, FIRST_CUT * len(self.recent) / max(now - self.recent[0], 0.05))
        else:
            soon = self.resumed_at is not None and now - self.resumed_at < SOON
            self.rate = max(SLOWEST, self.rate * (FAST_CUT if soon else CUT))
        self.next_at = self.resumed_at = self.paused_until
        self.recent.clear()


class Pacing:
    """The replica's paces, one per (platform, team), on ``clock``: the system's, or in tests a fake one that
    moves when waited on. A team's sends queue for their turn one behind the other."""

    def __init__(self, clock: Timer | None = None) -> None:
        self.clock: Timer = clock or SystemClock()
        self.paces: dict[tuple[str, str], Pace] = {}
        self._queues: dict[tuple[str, str], asyncio.Lock] = {}
        self._queued: dict[tuple[str, str], int] = {}

    def seconds(self) -> float:
        return self.clock.now().timestamp()

    async def sleep(self, seconds: float) -> None:
        await self.clock.sleep(seconds)

    def of(self, platform: str, team_id: str) -> Pace:
        return self.paces.setdefault((platform, team_id), Pace())

    def seconds_ahead(self, platform: str, team_id: str) -> float:
        """How long a send to the team queued now would wait for its turn."""
        key = (platform, team_id)
        return self.of(*key).ahead(self.seconds(), self._queued.get(key, 0))

    async def wait_turn(self, platform: str, team_id: str, within: float) -> Turn | None:
        """Wait for the team's next turn; None (at once) when it is more than ``within`` seconds away."""
        key = (platform, team_id)
        pace, queued = self.of(*key), self._queued.get(key, 0)
        if pace.ahead(self.seconds(), queued) > within:
            return None
        if not queued and pace.wait(self.seconds()) == 0:
            return pace.let_go(self.seconds(), paced=False)
        self._queued[key] = queued + 1
        try:
            async with self._queues.setdefault(key, asyncio.Lock()):
                paced = False
                while (wait := pace.wait(self.seconds())) > 0:  # again after each wait: a 429 may have come
                    paced = paced or (pace.rate is not None and self.seconds() + wait > pace.paused_until)
                    await self.clock.sleep(wait)
                return pace.let_go(self.seconds(), paced)
        finally:
            self._queued[key] -= 1
