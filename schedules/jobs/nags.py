"""The nag job: one firing walks the due leads in batches, each batch one transaction (see
``bot.leads.nags``). A lead is nagged at most once per firing, so a server that was down for days
sends one reminder per overdue lead, not a burst."""

from __future__ import annotations

from datetime import datetime

from bot.core.runtime import Runtime
from bot.leads.nags import NagRound, nag_due_leads


async def run_nags(runtime: Runtime, *, batch: int = 200, max_batches: int = 200) -> NagRound:
    now = runtime.clock.now()
    total = NagRound()
    cache: dict[int, dict[str, str]] = {}
    for _ in range(max_batches):
        done = await runtime.db.run(_batch, runtime, now, batch, cache)
        total.add(done)
        if done.seen < batch:
            break
    return total


def _batch(runtime: Runtime, now: datetime, batch: int, cache: dict[int, dict[str, str]]) -> NagRound:
    with runtime.db.session() as session:
        return nag_due_leads(session, runtime.clock, now, limit=batch, settings_cache=cache)
