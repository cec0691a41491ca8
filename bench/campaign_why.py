"""Benchmark `campaign why` (issue 12): a workspace of N leads (1,000,000 with --leads 1000000) in which one campaign
holds 10% of them (100,000 at 1M) and another 0.1% (1,000), the rest spread over 200 other campaigns or none. Timed:
the whole command through dispatch as a rep asks it (who is asking, the campaign, its tools, its figures, the
reply), the progress service alone, and the floor — one hand-written SQL statement computing the same figures —
for the big campaign and the small one, on SQLite and PostgreSQL. Cost should follow the campaign's own rows
(small vs big), not the table.

The floor is one hand-written statement computing the same figures through the same indexes.
Bounded: 3 runs x 20 repeats per case; PostgreSQL runs in a scratch database of its own, dropped at the end. The
default 100,000 leads load in about 10 s a backend; 1,000,000 take about a minute each.
Usage: .venv/bin/python bench/campaign_why.py [--leads 1000000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
       [--no-sqlite]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, make_url, text  # noqa: E402

from bench.preload import PLATFORM, TEAM_ID, preload  # noqa: E402
from bot.campaigns import progress  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.replies import plain_text  # noqa: E402
from bot.core.request import Person, Request  # noqa: E402
from bot.core.runtime import Runtime  # noqa: E402
from bot.server import build_runtime  # noqa: E402
from storage.db import normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

REPEATS = 20
RUNS = 3
OTHER_CAMPAIGNS = 200
# The floor: the same figures in one statement, by hand, through the same indexes (the leads by status from the
# covering lead index, the ratings from the covering rating index, the rep's own leads taken out again).
FLOOR = text(
    """
    WITH by_status AS MATERIALIZED (
        SELECT status, count(*) AS n
        FROM lead WHERE workspace_id = :w AND campaign_id = :c AND marketer_id IS NOT NULL
        GROUP BY status
    ), rated AS (
        SELECT sum(score) AS total, count(*) AS leads
        FROM (SELECT avg(score) AS score FROM feedback WHERE workspace_id = :w AND campaign_id = :c
              GROUP BY lead_id) AS per_lead
    ), own AS (
        SELECT coalesce(sum(score), 0) AS total, count(score) AS leads
        FROM (SELECT (SELECT avg(f.score) FROM feedback f WHERE f.lead_id = l.id) AS score
              FROM lead l WHERE l.workspace_id = :w AND l.campaign_id = :c AND l.marketer_id IS NULL) AS mine
    )
    SELECT (SELECT coalesce(sum(n), 0) FROM by_status),
           (SELECT coalesce(sum(n), 0) FROM by_status WHERE status IN ('accepted', 'won', 'lost')),
           (SELECT coalesce(sum(n), 0) FROM by_status WHERE status = 'rejected'),
           (SELECT coalesce(sum(n), 0) FROM by_status WHERE status = 'won'),
           (SELECT coalesce(sum(n), 0) FROM by_status WHERE status = 'lost'),
           (rated.total - own.total) / nullif(rated.leads - own.leads, 0), rated.leads - own.leads
    FROM rated, own
    """
)


def campaigns(runtime: Runtime, leads: int, workspace_id: int, owner_id: int) -> dict[str, int]:
    """C-1 holds every 10th lead, C-2 every 1000th (offset, so they never overlap), C-3… share 40% of the rest."""
    now = datetime.now(UTC)
    with runtime.db.engine.begin() as conn:
        ids = {}
        for number in range(1, OTHER_CAMPAIGNS + 3):
            name = {1: "Big Webinar", 2: "Small Roadshow"}.get(number, f"Campaign {number}")
            ids[number] = conn.execute(
                text(
                    "INSERT INTO campaign (workspace_id, number, name, goal, audience, target, talking_points, "
                    "owner_id, status, created_at) VALUES (:w, :n, :name, 'Fill the pipeline', 'RevOps leaders', "
                    ":target, 'Lead with onboarding time', :o, 'active', :at) RETURNING id"
                ),
                {"w": workspace_id, "n": number, "name": name, "target": leads // 8, "o": owner_id, "at": now},
            ).scalar_one()
        conn.execute(text("UPDATE workspace SET campaign_seq = :n WHERE id = :w"), {"n": len(ids), "w": workspace_id})
        conn.execute(text("UPDATE lead SET campaign_id = :c WHERE number % 10 = 0"), {"c": ids[1]})
        conn.execute(text("UPDATE lead SET campaign_id = :c WHERE number % 1000 = 5"), {"c": ids[2]})
        conn.execute(
            text(
                f"UPDATE lead SET campaign_id = (SELECT id FROM campaign WHERE workspace_id = :w AND number = "
                f"3 + lead.number % {OTHER_CAMPAIGNS}) WHERE number % 10 IN (1, 2, 3, 4) AND number % 1000 != 5"
            ),
            {"w": workspace_id},
        )
        conn.execute(  # as a rating is written: it carries its lead's campaign
            text("UPDATE feedback SET campaign_id = (SELECT campaign_id FROM lead WHERE lead.id = feedback.lead_id)")
        )
        # a few leads sales logged themselves (`lead add`): no hand-offs, so not delivered, their ratings left out
        conn.execute(
            text("UPDATE lead SET marketer_id = NULL WHERE campaign_id = :c AND number % 500 = 0"), {"c": ids[1]}
        )
    with runtime.db.engine.connect() as conn:  # autovacuum would, after rewriting half the table
        if runtime.db.is_postgres:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
            conn.commit()
    return {"big": ids[1], "small": ids[2]}


def timed(work: Callable[[], object]) -> dict[str, tuple[float, float]]:
    """RUNS runs of REPEATS calls: the median over runs of (p50, p99) in ms, wall clock and this thread's CPU."""
    per_run: dict[str, list[tuple[float, float]]] = {"wall": [], "cpu": []}
    for _ in range(RUNS):
        wall, cpu = [], []
        for _ in range(REPEATS):
            started, started_cpu = time.perf_counter(), time.thread_time()
            work()
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        for clock, samples in (("wall", wall), ("cpu", cpu)):
            ordered = sorted(samples)
            per_run[clock].append(
                (statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])
            )
    return {
        clock: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        for clock, runs in per_run.items()
    }


def plans(runtime: Runtime, statement: Any, params: dict[str, Any]) -> list[str]:
    """How the database runs ``statement``: which indexes it reads."""
    compiled = statement.params(**params).compile(
        dialect=runtime.db.engine.dialect, compile_kwargs={"literal_binds": True}
    )
    explain = "EXPLAIN QUERY PLAN " if not runtime.db.is_postgres else "EXPLAIN "
    with runtime.db.engine.connect() as conn:
        rows = conn.exec_driver_sql(explain + str(compiled)).all()
    return [str(row[-1]) for row in rows]


def server_ms(runtime: Runtime, statement: Any, params: dict[str, Any], repeats: int = 7) -> float:
    """PostgreSQL's own execution time for ``statement`` (``EXPLAIN ANALYZE``, median of ``repeats``)."""
    compiled = statement.params(**params).compile(
        dialect=runtime.db.engine.dialect, compile_kwargs={"literal_binds": True}
    )
    times = []
    with runtime.db.engine.connect() as conn:
        for _ in range(repeats):
            lines = [str(row[0]) for row in conn.exec_driver_sql(f"EXPLAIN (ANALYZE, TIMING OFF) {compiled}")]
            times.append(float(next(line for line in lines if line.startswith("Execution Time")).split()[2]))
    return statistics.median(times)


def bench_backend(name: str, url: str, leads: int) -> None:
    upgrade(url)
    settings = Settings(
        DATABASE_URL=url,
        TANDEM_SECRET_KEY="bench-secret-key-0123456789",  # type: ignore[call-arg]
        TANDEM_SCHEDULER="off",
        _env_file=None,
    )
    runtime = build_runtime(settings, clock=SystemClock())
    started = time.perf_counter()
    loaded = preload(runtime.db, leads)
    people = loaded.people
    ids = campaigns(runtime, leads, people.workspace_id, people.ids[people.marketers[0]])
    print(f"\n{name}: {leads:,} leads loaded in {time.perf_counter() - started:.0f} s")
    rep = Person(PLATFORM, people.reps[0], "Rep 1")

    def why(number: int) -> Callable[[], object]:
        request = Request(person=rep, team_id=TEAM_ID, text=f"campaign why C-{number}")
        return lambda: runtime.dispatcher.handle(request)

    answer = runtime.dispatcher.handle(Request(person=rep, team_id=TEAM_ID, text="campaign why C-1"))
    figures = [plain_text(v) for block in answer.blocks for _, v in getattr(block, "items", ())]
    print(f"  the answer's figures for C-1: {' | '.join(figures)}")
    with runtime.db.engine.connect() as conn:
        for size, campaign_id in ids.items():
            count = conn.execute(text("SELECT count(*) FROM lead WHERE campaign_id = :c"), {"c": campaign_id})
            print(f"  {size} campaign: {count.scalar_one():,} leads")
    for line in plans(runtime, progress._BY_STATUS, {"workspace": people.workspace_id, "campaigns": [ids["big"]]}):
        print(f"  plan (counts):  {line}")
    for label, statement in (("quality", progress._QUALITY), ("own leads", progress._OWN_QUALITY)):
        for line in plans(runtime, statement, {"workspace": people.workspace_id, "campaigns": [ids["big"]]}):
            print(f"  plan ({label}): {line}")
    if runtime.db.is_postgres:  # the server's own time, which the client's CPU time leaves out
        for label, statement in (
            ("counts", progress._BY_STATUS),
            ("quality", progress._QUALITY),
            ("own leads", progress._OWN_QUALITY),
        ):
            params = {"workspace": people.workspace_id, "campaigns": [ids["big"]]}
            print(f"  server execution time, big campaign, {label}: {server_ms(runtime, statement, params):.2f} ms")
    for size, number in (("big", 1), ("small", 2)):
        campaign_id = ids[size]
        with runtime.db.session() as session:
            service = timed(lambda: progress.of_campaign(session, people.workspace_id, campaign_id))  # noqa: B023
        with runtime.db.engine.connect() as conn:
            params = {"w": people.workspace_id, "c": campaign_id}
            floor_figures = conn.execute(FLOOR, params).one()
            floor = timed(lambda: conn.execute(FLOOR, params).one())  # noqa: B023
        command = timed(why(number))
        print(f"  {size} campaign C-{number} (median of {RUNS} runs; p50 / p99 ms), floor {tuple(floor_figures)}")
        for clock in ("wall", "cpu"):
            c, s, f = command[clock], service[clock], floor[clock]
            print(
                f"    {clock:>4}: `campaign why` {c[0]:.2f} / {c[1]:.2f} | progress service {s[0]:.2f} / {s[1]:.2f}"
                f" | floor (one SQL statement) {f[0]:.2f} / {f[1]:.2f} | why ÷ floor p50 {c[0] / f[0]:.2f}x,"
                f" p99 {c[1] / f[1]:.2f}x"
            )
    runtime.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a scratch database is created beside it")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            bench_backend("SQLite", f"sqlite:///{tmp}/bench.db", args.leads)
    if args.postgres:
        name = f"tandem_bench_campaigns_{os.getpid()}"
        admin = create_engine(normalise_url(args.postgres), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(normalise_url(args.postgres)).set(database=name).render_as_string(hide_password=False)
            bench_backend("PostgreSQL", url, args.leads)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
