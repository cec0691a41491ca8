"""Benchmark the meetings job (issue 15): workspaces with a booked meeting each (and past meetings behind it), one
firing of the job — nothing due, every workspace's 1-day reminder due at once, every workspace's agenda due at once
— against the floor, the bare SQL statement that selects the due meetings. Target: ≤ 200 ms per firing at 1,000
workspaces. Wall clock and the process's CPU time (the machine is shared), p50 / p99 over the repeats.

Bounded and local; PostgreSQL runs in a scratch database of its own, dropped at the end.
Usage: .venv/bin/python bench/meetings.py [--workspaces 1000] [--history 8] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, delete, insert, make_url, select, text, update  # noqa: E402
from sqlmodel import select as sqlmodel_select  # noqa: E402

from bot.core.clock import FakeClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.stops import stops  # noqa: E402
from bot.meetings.reminder_round import _DUE  # noqa: E402
from bot.server import build_runtime  # noqa: E402
from schedules.jobs.meetings import run_meetings  # noqa: E402
from storage.db import normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Meeting, MeetingReminder, Member, Outbox, Workspace, WorkspaceSetting  # noqa: E402

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
_MEETING = Meeting.__table__  # type: ignore[attr-defined]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def seed(url: str, workspaces: int, history: int) -> None:
    """Workspaces with their channels, one manager, one booked meeting and ``history`` held ones each."""
    runtime = build_runtime(settings_for(url), clock=FakeClock(NOW))
    with runtime.db.session() as session:
        conn = session.connection()
        conn.execute(
            insert(Workspace.__table__),  # type: ignore[attr-defined]
            [{"name": f"Workspace {n}", "created_at": NOW} for n in range(workspaces)],
        )
        ids = [int(i) for i in conn.execute(select(Workspace.__table__.c.id)).scalars()]  # type: ignore[attr-defined]
        settings = [
            {"workspace_id": w, "key": key, "value": value}
            for w in ids
            for key, value in (
                ("sales_channel", f"slack:CS{w}"),
                ("marketing_channel", f"slack:CM{w}"),
                ("timezone", "Europe/Berlin"),
            )
        ]
        conn.execute(insert(WorkspaceSetting.__table__), settings)  # type: ignore[attr-defined]
        conn.execute(
            insert(Member.__table__),  # type: ignore[attr-defined]
            [{"workspace_id": w, "display_name": f"Manager {w}", "role": "manager", "created_at": NOW} for w in ids],
        )
        meetings: list[dict[str, Any]] = []
        for w in ids:
            start = NOW + timedelta(days=30, minutes=w % 600)
            meetings.append(_meeting(w, f"b{w}", start, "scheduled", start - timedelta(days=7)))
            for past in range(1, history + 1):
                meetings.append(_meeting(w, f"h{w}.{past}", NOW - timedelta(days=91 * past), "done", None))
        conn.execute(insert(_MEETING), meetings)
    with runtime.db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    runtime.db.dispose()


def _meeting(workspace: int, token: str, start: datetime, status: str, due: datetime | None) -> dict[str, Any]:
    return {
        "workspace_id": workspace,
        "title": "Quarterly sales & marketing meeting",
        "starts_at": start,
        "timezone": "Europe/Berlin",
        "status": status,
        "sequence": 0,
        "ics_token": f"bench-token-{token}".ljust(24, "x"),
        "next_due_at": due,
        "created_at": NOW - timedelta(days=40),
    }


def settings_for(url: str) -> Settings:
    return Settings(
        DATABASE_URL=url,
        TANDEM_SECRET_KEY="bench-secret-0123456789",
        TANDEM_SCHEDULER="off",  # type: ignore[call-arg]
        _env_file=None,
    )


def arrange(runtime: Any, scenario: str) -> None:
    """Reset every booked meeting to the scenario's state and forget what earlier firings sent."""
    if scenario == "nothing due":
        start, due = NOW + timedelta(days=30), NOW + timedelta(days=23)
    elif scenario == "1-day reminders due":
        start, due = NOW + timedelta(hours=23, minutes=50), NOW - timedelta(minutes=1)
    else:
        start, due = NOW - timedelta(minutes=5), NOW - timedelta(minutes=5)
    with runtime.db.session() as session:
        session.execute(delete(MeetingReminder))
        session.execute(delete(Outbox))
        session.execute(
            update(_MEETING).where(_MEETING.c.status == "scheduled").values(starts_at=start, next_due_at=due)
        )
    if runtime.db.engine.dialect.name == "postgresql":  # the reset's dead rows are not the next firing's to pay
        with runtime.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM outbox, meeting_reminder, meeting"))


def bench_backend(name: str, url: str, workspaces: int, history: int, repeats: int) -> list[tuple[Any, ...]]:
    upgrade(url)
    started = time.perf_counter()
    seed(url, workspaces, history)
    print(
        f"\n{name}: {workspaces:,} workspaces, {workspaces * (history + 1):,} meetings, seeded in "
        f"{time.perf_counter() - started:.1f} s"
    )
    runtime = build_runtime(settings_for(url), clock=FakeClock(NOW))
    loop = asyncio.new_event_loop()
    rows: list[tuple[Any, ...]] = []
    try:
        for scenario, times in (
            ("nothing due", repeats),
            ("1-day reminders due", max(3, repeats // 3)),
            ("agendas due", max(3, repeats // 3)),
        ):
            firing = _samples(
                times,
                functools.partial(arrange, runtime, scenario),
                lambda: loop.run_until_complete(run_meetings(runtime)),
            )
            with runtime.db.session() as session:  # channel posts: a row goes to its channels one by one
                outbox_rows = list(session.exec(sqlmodel_select(Outbox)))
            posts = sum(len(stops(row)) for row in outbox_rows)
            result = str(loop.run_until_complete(run_meetings(runtime)))  # a second firing sends nothing
            written = _written(runtime)
            writes = _samples(
                max(3, times),
                functools.partial(arrange, runtime, scenario),
                functools.partial(_bare_writes, runtime, written),
            )
            arrange(runtime, scenario)
            floor = _samples(repeats, lambda: None, lambda: _bare_select(runtime, workspaces))
            rows.append((name, scenario, *firing, *floor, *writes, posts, len(outbox_rows), result))
            print(
                f"  {scenario}: firing {firing[0]:.1f} / {firing[1]:.1f} ms wall, {firing[2]:.1f} / {firing[3]:.1f}"
                f" ms CPU (p50 / p99); bare select {floor[0]:.2f} / {floor[1]:.2f} ms; bare writes "
                f"{writes[0]:.1f} / {writes[1]:.1f} ms wall; {posts} posts written in {len(outbox_rows)} outbox rows; "
                f"then: {result}"
            )
    finally:
        loop.close()
        runtime.db.dispose()
    return rows


_WRITTEN_COLUMNS = (
    "workspace_id",
    "kind",
    "target_channel",
    "channels_ahead",
    "payload",
    "dedupe_key",
    "next_attempt_at",
    "created_at",
)


def _written(runtime: Any) -> dict[str, list[tuple[Any, ...]]]:
    """What the firing wrote, read back as driver values: the claims, the posts, the meetings' next looks."""
    with runtime.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        cursor.execute("SELECT workspace_id, meeting_id, kind, sequence, sent_at FROM meeting_reminder")
        claims = list(cursor.fetchall())
        cursor.execute(f"SELECT {', '.join(_WRITTEN_COLUMNS)} FROM outbox")
        posts = list(cursor.fetchall())
        cursor.execute("SELECT next_due_at, id FROM meeting WHERE id IN (SELECT meeting_id FROM meeting_reminder)")
        looks = list(cursor.fetchall())
    return {"claims": claims, "posts": posts, "looks": looks}


def _bare_writes(runtime: Any, written: dict[str, list[tuple[Any, ...]]]) -> None:
    """The floor for a firing that sends: the same claims, posts and next looks written by hand-written SQL
    through the driver's ``executemany`` in one transaction, with nothing to decide and nothing to build."""
    with runtime.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        mark = "%s" if runtime.db.engine.dialect.name == "postgresql" else "?"
        cursor = raw.cursor()
        cursor.executemany(
            f"INSERT INTO meeting_reminder (workspace_id, meeting_id, kind, sequence, sent_at) "
            f"VALUES ({', '.join([mark] * 5)})",
            written["claims"],
        )
        cursor.executemany(
            f"INSERT INTO outbox ({', '.join(_WRITTEN_COLUMNS)}, status, attempts) "
            f"VALUES ({', '.join([mark] * len(_WRITTEN_COLUMNS))}, 'pending', 0)",
            written["posts"],
        )
        cursor.executemany(f"UPDATE meeting SET next_due_at = {mark} WHERE id = {mark}", written["looks"])
        raw.commit()


def _bare_select(runtime: Any, limit: int) -> None:
    with runtime.db.session() as session:
        list(session.scalars(_DUE, {"now": NOW, "limit": limit}))


def _samples(times: int, before: Callable[[], object], work: Callable[[], object]) -> tuple[float, float, float, float]:
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(times):
        before()
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return (*percentiles(wall), *percentiles(cpu))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspaces", type=int, default=200, help="the issue's size is 1,000")
    parser.add_argument("--history", type=int, default=8, help="held meetings per workspace (two years' worth)")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a scratch database is created beside it")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows: list[tuple[Any, ...]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += bench_backend("SQLite", f"sqlite:///{tmp}/bench.db", args.workspaces, args.history, args.repeats)
    if args.postgres:
        name = f"tandem_bench_meetings_{os.getpid()}"
        admin = create_engine(normalise_url(args.postgres), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(normalise_url(args.postgres)).set(database=name).render_as_string(hide_password=False)
            rows += bench_backend("PostgreSQL", url, args.workspaces, args.history, args.repeats)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(
        "\n| backend | firing | p50 wall | p99 wall | p50 CPU | p99 CPU | bare select p50 / p99 "
        "| bare writes p50 / p99 | firing ÷ bare writes | posts (outbox rows) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, scenario, w50, w99, c50, c99, f50, f99, _fc50, _fc99, b50, b99, _bc50, _bc99, posts, held, _ in rows:
        ratio = f"{w50 / b50:.1f}×" if posts else "—"
        print(
            f"| {name} | {scenario} | {w50:.1f} ms | {w99:.1f} ms | {c50:.1f} ms | {c99:.1f} ms | "
            f"{f50:.2f} / {f99:.2f} ms | {b50:.1f} / {b99:.1f} ms | {ratio} | {posts:,} ({held:,}) |"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
