"""Benchmark `stats` (issue 14): a workspace of N leads with their events, ratings, campaigns and tool clicks
(bench/stats_data.py), then `stats 7d`, `stats 30d` and `stats quarter` through the service as dispatch calls it
(one unit of work, every figure, no renderer), side by side with the floor — the same figures as hand-written SQL
on the raw driver (bench/stats_floor.py) — and the weekly report job (`tandem jobs run report`).

Leads arrive at a constant rate (548 a day: a million over five years), so 10k and 1M leads hold the same last
seven days: `stats 7d` should cost the same at both sizes. SQLite figures are the thread's CPU time and the wall
clock (the machine is shared); PostgreSQL's work happens in the server, so its figures are the wall clock.

Usage (default 20,000 leads, SQLite only, about a minute):
  .venv/bin/python bench/stats.py [--leads 20000,1000000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
                                  [--repeats 15] [--keep]   # --keep: reuse the generated databases next time
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import create_engine, delete, make_url, text  # noqa: E402
from stats_data import generate  # noqa: E402
from stats_floor import run_floor  # noqa: E402

from bot.core.clock import FakeClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.server import build_runtime  # noqa: E402
from bot.stats.periods import parse_period  # noqa: E402
from bot.stats.scope import Scope  # noqa: E402
from bot.stats.service import compute  # noqa: E402
from schedules.registry import run_job_now  # noqa: E402
from storage.db import Database, normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import JobLease, Outbox  # noqa: E402

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # a Tuesday; `quarter` is then 1 October – 1 December
RATE = 548  # leads a day
FORMS = ("7d", "30d", "quarter")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def measure(work: Callable[[], Any], repeats: int) -> dict[str, float]:
    """p50/p99 of the wall clock and of this thread's CPU time over ``repeats`` runs, after two to warm up."""
    for _ in range(2):
        work()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.thread_time()
        work()
        cpus.append(time.thread_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return {"p50": _pct(walls, 0.5), "p99": _pct(walls, 0.99), "cpu50": _pct(cpus, 0.5), "cpu99": _pct(cpus, 0.99)}


def prepare_sqlite(leads: int, keep: bool) -> str:
    path = Path(f"/tmp/tandem_stats_bench_{leads}_{RATE}.db")
    if keep and path.exists():
        return f"sqlite:///{path}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    started = time.perf_counter()
    made = generate(url, leads, now=NOW, span_days=max(1, leads // RATE))
    print(
        f"# sqlite: {made.leads:,} leads, {made.events:,} events, {made.ratings:,} ratings in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return url


def prepare_postgres(base: str, leads: int, keep: bool) -> str:
    name = f"tandem_stats_bench_{leads}_{RATE}"
    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if exists and keep:
            admin.dispose()
            return make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    started = time.perf_counter()
    made = generate(url, leads, now=NOW, span_days=max(1, leads // RATE))
    print(
        f"# postgres: {made.leads:,} leads, {made.events:,} events in {time.perf_counter() - started:.0f} s", flush=True
    )
    return url


def drop_postgres(base: str, url: str) -> None:
    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def raw_connection(url: str) -> Any:
    if url.startswith("sqlite"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    connection = psycopg.connect(normalise_url(url).replace("postgresql+psycopg://", "postgresql://"))
    connection.execute("SET jit = off")
    connection.execute("SET work_mem = '64MB'")
    return connection


def bench_one(url: str, leads: int, repeats: int) -> list[dict[str, Any]]:
    backend = "PostgreSQL" if "postgresql" in url else "SQLite"
    db = Database(url)
    scope = Scope(viewer_id=1, reach="workspace")
    rows = []
    raw = raw_connection(url)
    for form in FORMS:
        period = parse_period(form, today=NOW.date(), zone="UTC")

        def service(period: Any = period) -> None:
            with db.session() as session:
                compute(session, workspace_id=1, period=period, scope=scope, now=NOW)

        windows = {
            "since": period.previous.start,
            "start": period.current.start,
            "stop": period.current.stop,
            "now": NOW,
        }

        def floor(windows: dict[str, datetime] = windows, first: date = period.current.first) -> None:
            run_floor(raw, backend == "PostgreSQL", windows, first)
            raw.rollback()

        ours, bare = measure(service, repeats), measure(floor, repeats)
        days = period.current.days + period.previous.days
        rows.append(
            {"backend": backend, "leads": leads, "what": f"stats {form}", "days": days, "ours": ours, "floor": bare}
        )
        print(
            f"{backend:<10} {leads:>9,} stats {form:<8} ({days:>3} days read) "
            f"ours p50 {ours['p50']:7.1f} p99 {ours['p99']:7.1f} ms (CPU {ours['cpu50']:6.1f}) | floor p50 "
            f"{bare['p50']:7.1f} p99 {bare['p99']:7.1f} ms (CPU {bare['cpu50']:6.1f}) | ratio "
            f"{ours['p50'] / bare['p50']:.2f}x",
            flush=True,
        )
    raw.close()
    rows.append(bench_report(url, db, leads, max(3, repeats // 3)))
    db.dispose()
    return rows


def bench_report(url: str, db: Database, leads: int, repeats: int) -> dict[str, Any]:
    """`tandem jobs run report` for the workspace (one report, to its manager), its rows forgotten between runs."""
    settings = Settings(
        DATABASE_URL=url,
        TANDEM_SECRET_KEY="bench-secret-0123456789",  # type: ignore[call-arg]
        TANDEM_SCHEDULER="off",
        _env_file=None,
    )
    runtime = build_runtime(settings, clock=FakeClock(NOW), db=db)

    def forget() -> None:
        with db.session() as session:
            session.execute(delete(JobLease))
            session.execute(delete(Outbox).where(Outbox.kind == "weekly_report"))  # type: ignore[arg-type]

    def once() -> None:
        firing = asyncio.run(run_job_now(runtime, "report"))
        assert firing.result and "of 1 workspace" in firing.result, firing
        forget()

    forget()
    took = measure(once, repeats)
    backend = "PostgreSQL" if "postgresql" in url else "SQLite"
    print(
        f"{backend:<10} {leads:>9,} weekly report job  p50 {took['p50']:7.1f} p99 {took['p99']:7.1f} ms "
        f"(CPU {took['cpu50']:6.1f})",
        flush=True,
    )
    return {"backend": backend, "leads": leads, "what": "weekly report job", "ours": took}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", default="20000", help="comma-separated sizes, e.g. 10000,1000000")
    parser.add_argument("--postgres", default=os.environ.get("TANDEM_BENCH_POSTGRES"), help="also PostgreSQL")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the generated databases")
    args = parser.parse_args()
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}", flush=True)
    for leads in (int(n) for n in args.leads.split(",")):
        bench_one(prepare_sqlite(leads, args.keep), leads, args.repeats)
        if args.postgres:
            url = prepare_postgres(args.postgres, leads, args.keep)
            bench_one(url, leads, args.repeats)
            if not args.keep:
                drop_postgres(args.postgres, url)
    print(f"# done, load average {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
