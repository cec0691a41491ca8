"""Benchmark `intel show <competitor>` and `intel list` (issue 12): notes spread over competitors the way intel is
(a few competitors get most of it), the whole command through dispatch (who is asking, the competitor names, the
tally, the page of notes, their authors, the reply) side by side with the bare SQL statement each one needs, run
through the raw driver (sqlite3, psycopg) over the same rows. A second workspace holds as many notes again, so the
indexes have to separate workspaces too.

Bounded: 3 runs x 100 repeats per command and backend; default 10,000 notes over 200 competitors (about a minute
with PostgreSQL); `--notes 100000` is the size the issue names. PostgreSQL runs in a scratch database of its own,
dropped at the end.
Usage: .venv/bin/python bench/intel.py [--postgres postgresql://postgres@127.0.0.1:5432/test] [--notes N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, make_url, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot.core.clock import SystemClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.people import find_workspace  # noqa: E402
from bot.core.request import Person, Request  # noqa: E402
from bot.core.runtime import Runtime  # noqa: E402
from bot.server import build_runtime  # noqa: E402
from storage.db import normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Competitor, IntelNote, Member  # noqa: E402

RUNS = 3
REPEATS = 100
WARM_UP = 20  # calls before timing: plans cached, pages in memory
AUTHORS = 12
SHOW_SQL = (
    "SELECT id, member_id, text, created_at FROM intel_note WHERE workspace_id = {p} AND competitor_id = {p} "
    "ORDER BY created_at DESC, id DESC LIMIT 10"
)
NAMES_SQL = "SELECT id, name, key FROM competitor WHERE workspace_id = {p} ORDER BY id"
TALLY_SQL = (
    "SELECT count(*), coalesce(sum(CASE WHEN created_at >= {p} THEN 1 ELSE 0 END), 0) FROM intel_note "
    "WHERE workspace_id = {p} AND competitor_id = {p}"
)
LIST_SQL = (
    "SELECT c.id, c.name, per.notes, per.last_note_at FROM competitor c JOIN (SELECT competitor_id, count(*) AS notes, "
    "max(created_at) AS last_note_at FROM intel_note WHERE workspace_id = {p} GROUP BY competitor_id) per "
    "ON per.competitor_id = c.id WHERE c.workspace_id = {p} ORDER BY per.notes DESC, per.last_note_at DESC, c.name"
)
PHRASES = (
    "cut list prices by {n}% for multi-year deals",
    "offered free onboarding to close before quarter end",
    "launched an AI assistant in beta; the buyer asked if we have one",
    "is calling our webinar attendees the day after",
    "quoted ${n} per seat, under our list price",
    "lost a renewal because their reporting is weak",
    "hired a new VP of sales from our team",
    "has no EU data residency yet, which ruled them out",
)


def ask(runtime: Runtime, team: str, who: str, command: str) -> bool:
    reply = runtime.dispatcher.handle(Request(Person("playground", who, who.capitalize()), team, command))
    return reply.ok


def seed(runtime: Runtime, team: str, notes: int, competitors: int, rng: random.Random) -> tuple[int, list[str]]:
    """``notes`` notes over ``competitors`` competitors (Zipf-like: the first few hold most), by ``AUTHORS`` reps
    over the last year; the workspace id and the competitor names, most noted first."""
    for n in range(AUTHORS):
        ask(runtime, team, f"rep{n}", "lead list")
    names = [f"Competitor {n:03d}" for n in range(competitors)]
    weights = [1 / (rank + 1) for rank in range(competitors)]
    now = datetime.now(UTC)
    with runtime.db.session() as session:
        workspace = find_workspace(session, "playground", team)
        assert workspace is not None and workspace.id is not None
        members = list(session.exec(select(Member.id).where(Member.workspace_id == workspace.id)))
        session.execute(
            insert(Competitor.__table__),  # type: ignore[attr-defined]
            [{"workspace_id": workspace.id, "name": name, "key": name.casefold(), "created_at": now} for name in names],
        )
        found = session.execute(text("SELECT name, id FROM competitor WHERE workspace_id = :w"), {"w": workspace.id})
        ids = {name: competitor_id for name, competitor_id in found}
        picks = rng.choices(names, weights=weights, k=notes)
        for start in range(0, notes, 5000):
            session.execute(
                insert(IntelNote.__table__),  # type: ignore[attr-defined]
                [
                    {
                        "workspace_id": workspace.id,
                        "competitor_id": ids[name],
                        "member_id": rng.choice(members),
                        "text": rng.choice(PHRASES).format(n=rng.randint(5, 40)),
                        "created_at": now - timedelta(minutes=rng.randint(0, 525_600)),
                    }
                    for name in picks[start : start + 5000]
                ],
            )
        return workspace.id, names


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed(work: Callable[[], object]) -> dict[str, tuple[float, float]]:
    """Median over RUNS runs of (p50, p99) in ms of REPEATS calls (after WARM_UP), wall clock and this thread's
    CPU time (the machine is shared: CPU time leaves out the waits for a core that other people's work causes)."""
    per_run: dict[str, list[tuple[float, float]]] = {"wall": [], "cpu": []}
    for _ in range(WARM_UP):
        work()
    for _ in range(RUNS):
        wall, cpu = [], []
        for _ in range(REPEATS):
            started, started_cpu = time.perf_counter(), time.thread_time()
            work()
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        per_run["wall"].append(percentiles(wall))
        per_run["cpu"].append(percentiles(cpu))
    return {
        clock: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        for clock, runs in per_run.items()
    }


def raw_connection(url: str, sqlite_path: str | None) -> tuple[Any, str]:
    """The raw driver's connection, and its placeholder."""
    if sqlite_path:
        import sqlite3

        return sqlite3.connect(sqlite_path), "?"
    import psycopg

    return psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)), "%s"


def plans(conn: Any, placeholder: str, workspace: int, competitor: int, sqlite_path: str | None) -> list[str]:
    explain = "EXPLAIN QUERY PLAN " if sqlite_path else "EXPLAIN "
    out = []
    for sql, params in ((SHOW_SQL, (workspace, competitor)), (LIST_SQL, (workspace, workspace))):
        rows = conn.execute(explain + sql.format(p=placeholder), params).fetchall()
        out.append(" | ".join(str(row[-1]) for row in rows))
    return out


def bench_backend(name: str, url: str, notes: int, competitors: int, sqlite_path: str | None) -> dict[str, Any]:
    upgrade(url)
    settings = Settings(
        DATABASE_URL=url,
        TANDEM_SECRET_KEY="bench-secret-key-0123456789",  # type: ignore[call-arg]
        TANDEM_SCHEDULER="off",
        _env_file=None,
    )
    runtime = build_runtime(settings, clock=SystemClock())
    rng = random.Random(12)
    workspace, names = seed(runtime, "bench", notes, competitors, rng)
    seed(runtime, "other", notes, competitors, rng)  # the neighbour's intel, which no answer may read
    if not sqlite_path:  # the steady state autovacuum keeps: statistics, and a visibility map for index-only scans
        with runtime.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    busiest, middle = names[0], names[competitors // 2]
    assert ask(runtime, "bench", "rep0", f"intel show {busiest}") and ask(runtime, "bench", "rep0", "intel list")
    with runtime.db.session() as session:
        competitor = session.execute(
            text("SELECT id FROM competitor WHERE workspace_id = :w AND name = :n"), {"w": workspace, "n": busiest}
        ).scalar_one()
        counts = session.execute(
            text("SELECT count(*) FROM intel_note WHERE workspace_id = :w AND competitor_id = :c"),
            {"w": workspace, "c": competitor},
        ).scalar_one()
    conn, placeholder = raw_connection(url, sqlite_path)
    show_sql, list_sql = SHOW_SQL.format(p=placeholder), LIST_SQL.format(p=placeholder)
    names_sql, tally_sql = NAMES_SQL.format(p=placeholder), TALLY_SQL.format(p=placeholder)
    month = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    since = month.replace(tzinfo=None).isoformat(sep=" ") if sqlite_path else month

    def show_statements() -> None:
        """What `intel show` must read, bare: the names, the tally, the page of notes."""
        conn.execute(names_sql, (workspace,)).fetchall()
        conn.execute(tally_sql, (since, workspace, competitor)).fetchall()
        conn.execute(show_sql, (workspace, competitor)).fetchall()

    result = {
        "backend": name,
        "busiest_notes": counts,
        "show": timed(lambda: ask(runtime, "bench", "rep1", f"intel show {busiest}")),
        "show_middle": timed(lambda: ask(runtime, "bench", "rep1", f"intel show {middle}")),
        "show_sql": timed(lambda: conn.execute(show_sql, (workspace, competitor)).fetchall()),
        "show_statements": timed(show_statements),
        "list": timed(lambda: ask(runtime, "bench", "rep1", "intel list")),
        "list_sql": timed(lambda: conn.execute(list_sql, (workspace, workspace)).fetchall()),
        "plans": plans(conn, placeholder, workspace, competitor, sqlite_path),
    }
    conn.close()
    runtime.db.dispose()
    return result


def report(result: dict[str, Any]) -> None:
    print(f"\n{result['backend']} (median of {RUNS} runs x {REPEATS}; p50 / p99 in ms; wall, then CPU)")
    print(f"  the busiest competitor has {result['busiest_notes']:,} notes")
    for label, command, floor in (
        ("intel show <busiest>", "show", "show_sql"),
        ("  vs its 3 statements", "show", "show_statements"),
        ("intel show <median>", "show_middle", "show_sql"),
        ("intel list", "list", "list_sql"),
    ):
        for clock in ("wall", "cpu"):
            ours, bare = result[command][clock], result[floor][clock]
            print(
                f"  {label:<22} {clock:>4}: {ours[0]:7.2f} / {ours[1]:7.2f} | bare SQL {bare[0]:7.2f} / "
                f"{bare[1]:7.2f} | ratio p50 {ours[0] / bare[0]:5.1f}x, p99 {ours[1] / bare[1]:5.1f}x"
            )
    for plan in result["plans"]:
        print(f"  plan: {plan}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a scratch database is created beside it")
    parser.add_argument("--notes", type=int, default=10_000, help="notes per workspace (the issue names 100,000)")
    parser.add_argument("--competitors", type=int, default=200)
    args = parser.parse_args()
    print(
        f"{args.notes:,} notes over {args.competitors} competitors, twice (two workspaces); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/bench.db"
        report(bench_backend("SQLite", f"sqlite:///{path}", args.notes, args.competitors, path))
    if args.postgres:
        name = f"tandem_bench_intel_{os.getpid()}"
        admin = create_engine(normalise_url(args.postgres), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(normalise_url(args.postgres)).set(database=name).render_as_string(hide_password=False)
            report(bench_backend("PostgreSQL", url, args.notes, args.competitors, None))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
