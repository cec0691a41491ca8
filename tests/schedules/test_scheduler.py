"""Leases (one firing, one replica), job errors that never stop the scheduler, `jobs list` / `jobs run`."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.core.clock import SystemClock
from bot.core.delivery import Target
from bot.core.replies import Reply, say, to_json
from bot.core.runtime import Runtime
from bot.server import build_runtime, create_app
from schedules import scheduler as scheduler_module
from schedules.leases import last_run, prune, take_lease
from schedules.registry import JOBS, JobSpec, describe, fire, list_jobs, run_job_now
from schedules.scheduler import Scheduler
from storage.models import JobLease, Outbox, Workspace, WorkspaceAccount
from tests.schedules.conftest import SlackTeam, utc


def test_the_first_replica_to_take_a_firing_wins(runtime: Runtime) -> None:
    moment = utc(2026, 3, 10, 10, 0)
    first = take_lease(runtime.db, "nags", moment, "replica-a", moment)
    assert first is not None
    assert take_lease(runtime.db, "nags", moment, "replica-b", moment) is None
    assert take_lease(runtime.db, "nags", moment + timedelta(minutes=5), "replica-b", moment) is not None
    assert take_lease(runtime.db, "delivery", moment, "replica-b", moment) is not None


async def test_replicas_firing_the_same_slot_run_it_once(runtime: Runtime) -> None:
    runs: list[str] = []

    async def count(_rt: Runtime, owner: str) -> str:
        runs.append(owner)
        await asyncio.sleep(0)
        return "counted"

    job = JobSpec("count", "counts", count, every=lambda s: 300)
    others = [build_runtime(runtime.settings, clock=runtime.clock) for _ in range(2)]
    try:
        firings = await asyncio.gather(*(fire(rt, job, f"replica-{i}") for i, rt in enumerate([runtime, *others])))
    finally:
        for rt in others:
            rt.db.dispose()
    assert len(runs) == 1 and sum(f.ran for f in firings) == 1
    last = last_run(runtime.db, "count")
    assert last is not None and last.result == "counted" and last.owner == runs[0]
    assert last.fire_time == utc(2026, 3, 10, 10, 0)  # the aligned 5-minute slot


async def test_a_failing_job_is_recorded_and_never_raised(runtime: Runtime) -> None:
    async def broken(_rt: Runtime, _owner: str) -> str:
        raise RuntimeError("database on fire")

    firing = await fire(runtime, JobSpec("broken", "fails", broken, every=lambda s: 60), "replica-a")
    assert firing.ran and firing.error == "RuntimeError: database on fire"
    last = last_run(runtime.db, "broken")
    assert last is not None and last.error == "RuntimeError: database on fire" and last.finished_at is not None


async def test_scheduler_keeps_running_jobs_after_errors(settings_on: Runtime, no_startup_delay: None) -> None:
    runtime = settings_on
    ticks: list[str] = []
    booms: list[str] = []
    both_thrice = asyncio.Event()  # set from inside the third firing of the later job: the test's only wait

    async def tick(_rt: Runtime, owner: str) -> str:
        ticks.append(owner)
        if len(ticks) >= 3 and len(booms) >= 3:
            both_thrice.set()
        return "ok"

    async def boom(_rt: Runtime, owner: str) -> str:
        booms.append(owner)
        if len(ticks) >= 3 and len(booms) >= 3:
            both_thrice.set()
        raise ValueError("boom")

    jobs = (JobSpec("tick", "t", tick, every=lambda s: 0.05), JobSpec("boom", "b", boom, every=lambda s: 0.05))
    scheduler = Scheduler(runtime, jobs)
    await scheduler.start()
    try:
        await asyncio.wait_for(both_thrice.wait(), timeout=10)
    finally:
        await scheduler.stop()  # lets the firing that set the event finish and be counted
    assert scheduler.counters["tick"].ran >= 3 and scheduler.counters["tick"].failed == 0
    assert scheduler.counters["boom"].failed >= 3 and scheduler.counters["boom"].ran == 0
    last = last_run(runtime.db, "boom")
    assert last is not None and last.error == "ValueError: boom"


@pytest.fixture
def no_startup_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Interval jobs fire as soon as the scheduler starts, not three seconds later."""
    monkeypatch.setattr(scheduler_module, "STARTUP_DELAY_SECONDS", 0.0)


@pytest.fixture
def settings_on(runtime: Runtime) -> Runtime:
    """A runtime on the real clock (APScheduler fires in real time)."""
    return Runtime(
        settings=runtime.settings,
        db=runtime.db,
        clock=SystemClock(),
        dispatcher=runtime.dispatcher,
        senders=runtime.senders,
    )


async def test_jobs_list_shows_schedule_last_run_duration_and_result(slack_team: SlackTeam) -> None:
    team = slack_team
    assert {j.name for j in JOBS} >= {"delivery", "nags", "housekeeping"}
    before = {s.name: s for s in list_jobs(team.runtime)}
    assert before["nags"].last is None and "never run" in describe(before["nags"])
    assert before["delivery"].schedule == "every 2 s" and before["nags"].schedule == "every 5 min"
    team.handoff("Acme")
    await team.run("delivery")
    line = describe({s.name: s for s in list_jobs(team.runtime)}["delivery"])
    assert "sent 1" in line and "2026-03-10 10:00:00 UTC" in line and " s)" in line
    with pytest.raises(LookupError, match="no job called `nope`"):
        await run_job_now(team.runtime, "nope")


async def test_manual_runs_never_collide_even_on_a_frozen_clock(runtime: Runtime) -> None:
    firings = [await run_job_now(runtime, "nags") for _ in range(3)]
    assert all(f.ran for f in firings)


async def test_housekeeping_forgets_old_firings_but_keeps_each_jobs_latest(runtime: Runtime) -> None:
    start = utc(2026, 1, 1, 0, 0)
    for day in range(20):
        take_lease(runtime.db, "nags", start + timedelta(days=day), "r", start)
    take_lease(runtime.db, "weekly", start, "r", start)
    leases, _events = prune(runtime.db, leases_before=start + timedelta(days=13), events_before=start)
    assert leases == 13
    assert last_run(runtime.db, "weekly") is not None
    last = last_run(runtime.db, "nags")
    assert last is not None and last.fire_time == start + timedelta(days=19)


@dataclass
class SignallingSender:
    """A platform that tells the test when the outbox handed it a message."""

    platform: str = "fake"
    sent: list[Target] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, target: Target, reply: Reply) -> str | None:
        self.sent.append(target)
        self.arrived.set()
        return f"fake:{target.outbox_id}"

    async def update(self, target: Target, ref: str, reply: Reply) -> str | None:
        return ref


async def test_the_app_lifespan_starts_and_stops_the_scheduler(
    runtime: Runtime, no_startup_delay: None, caplog: pytest.LogCaptureFixture
) -> None:
    settings = runtime.settings.model_copy(update={"scheduler": "on", "delivery_interval_seconds": 0.05})
    live = Runtime(settings=settings, db=runtime.db, clock=SystemClock(), dispatcher=runtime.dispatcher)
    sender = SignallingSender()
    live.add_sender(sender)
    now = live.clock.now()
    with live.db.session() as session:
        workspace = Workspace(name="Acme", created_at=now)
        session.add(workspace)
        session.flush()
        assert workspace.id is not None
        session.add(WorkspaceAccount(workspace_id=workspace.id, platform="fake", external_id="T1"))
        session.add(
            Outbox(
                workspace_id=workspace.id,
                kind="test",
                target_channel="fake:#news",
                payload=to_json(say("hi")),
                dedupe_key="lifespan",
                next_attempt_at=now,
                created_at=now,
            )
        )
    app = create_app(settings, runtime=live)
    with caplog.at_level(logging.INFO, logger="tandem.scheduler"):
        async with app.router.lifespan_context(app):
            await asyncio.wait_for(sender.arrived.wait(), timeout=10)  # nobody ran a job: the scheduler did
        assert [m for m in caplog.messages if m.startswith("scheduler")][-1] == "scheduler stopped"
    assert [t.address for t in sender.sent] == ["#news"]
    with live.db.session() as session:  # the stop let the firing that sent it finish and record itself
        assert [row.status for row in session.exec(select(Outbox)).all()] == ["sent"]
        firings = session.exec(select(JobLease).where(JobLease.job == "delivery")).all()
        assert [f.result for f in firings if f.result != "sent 0"] == ["sent 1"]


async def test_housekeeping_forgets_delivered_messages_after_90_days_but_never_pending_ones(runtime: Runtime) -> None:
    from schedules.jobs.housekeeping import run_housekeeping

    now = runtime.clock.now()
    with runtime.db.session() as session:
        workspace = Workspace(name="Acme", created_at=now)
        session.add(workspace)
        session.flush()
        rows = (
            ("old-sent", "sent", 91),
            ("old-failed", "failed", 120),
            ("old-pending", "pending", 200),
            ("recent-sent", "sent", 30),
        )
        for key, status, age in rows:
            session.add(
                Outbox(
                    workspace_id=workspace.id,
                    kind="test",
                    target_channel="playground:#x",
                    payload=to_json(say("hi")),
                    dedupe_key=key,
                    status=status,
                    next_attempt_at=now,
                    created_at=now - timedelta(days=age),
                )
            )
    result = await run_housekeeping(runtime)
    assert "2 delivered messages" in result
    with runtime.db.session() as session:
        left = sorted(row.dedupe_key for row in session.exec(select(Outbox)).all())
    assert left == ["old-pending", "recent-sent"]
