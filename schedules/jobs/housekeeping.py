"""Daily tidy-up: old job firings, platform event ids, delivered messages and API idempotency keys are forgotten
so those tables stay small; on SQLite the planner's statistics are refreshed."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.outbox import prune_delivered
from bot.core.runtime import Runtime
from bot.leads.inbound import prune_idempotency_keys
from schedules.leases import prune

KEEP_LEASES = timedelta(days=7)
KEEP_EVENT_IDS = timedelta(days=2)
KEEP_DELIVERED = timedelta(days=90)  # long enough for the playground inbox and for support questions
KEEP_IDEMPOTENCY_KEYS = timedelta(days=7)  # an integration retries within hours; Stripe keeps keys 24 hours


async def run_housekeeping(runtime: Runtime) -> str:
    now = runtime.clock.now()
    leases, events = await runtime.db.run(
        prune, runtime.db, leases_before=now - KEEP_LEASES, events_before=now - KEEP_EVENT_IDS
    )
    messages = await runtime.db.run(_prune_messages, runtime, now - KEEP_DELIVERED)
    keys = await runtime.db.run(_prune_keys, runtime, now - KEEP_IDEMPOTENCY_KEYS)
    return (
        f"forgot {leases} old job firings, {events} old event ids, {messages} delivered messages "
        f"and {keys} API idempotency keys"
    )


def _prune_keys(runtime: Runtime, before: datetime) -> int:
    with runtime.db.session() as session:
        return prune_idempotency_keys(session, before=before)


def _prune_messages(runtime: Runtime, before: datetime) -> int:
    with runtime.db.session() as session:
        count = prune_delivered(session, before=before)
    if runtime.db.is_sqlite:
        with runtime.db.engine.begin() as conn:  # committed, or the statistics are rolled back
            conn.exec_driver_sql("PRAGMA optimize")
    return count
