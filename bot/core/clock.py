"""One injectable clock: production reads the system time, tests move a fake one (and a wait moves it too)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class Timer(Clock, Protocol):
    """A clock that can also wait (delivery's pacing does)."""

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment

    async def sleep(self, seconds: float) -> None:
        """No sleeping: the clock moves to the moment the wait ends, unless it is already past it."""
        until = self._now + timedelta(seconds=seconds)
        await asyncio.sleep(0)
        self._now = max(self._now, until)
