"""Daily tidy-up: old job firings and old platform event ids are forgotten so those tables stay small."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.runtime import Runtime
from schedules.leases import prune

KEEP_LEASES = timedelta(days=7)
KEEP_EVENT_IDS = timedelta(days=2)


async def run_housekeeping(runtime: Runtime) -> str:
    now = runtime.clock.now()
    leases, events = await asyncio.to_thread(prune, runtime.db, leases_before=now - KEEP_LEASES,
                                             events_before=now - KEEP_EVENT_IDS)
    return f"forgot {leases} old job firings and {events} old event ids"
