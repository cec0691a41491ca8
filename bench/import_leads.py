"""Benchmark `tandem import leads` (issue 13): N generated rows imported into SQLite and PostgreSQL through the
import service (read and check the file, owners and campaigns, duplicates, numbers, round-robin, leads, trail
events, SLA clock, digests), side by side with the floor: the raw driver writing the same lead and event rows
(sqlite3 `executemany` in one transaction; psycopg `COPY`). Reports rows/s, the ratio to the floor, and how much
the process's resident memory grew while importing (peak VmRSS sampled every 20 ms, minus the RSS before).

Bounded: 20,000 rows by default, 3 runs per backend, the median reported (about 30 s per backend); `--rows 100000`
is the issue's size (about 2 minutes per run and backend on the shared 2-core machine).
PostgreSQL runs in a scratch database of its own, dropped at the end.
Usage: .venv/bin/python bench/import_leads.py [--rows N] [--runs 3] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, make_url, select, text  # noqa: E402

from bot.core.clock import SystemClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.people import find_workspace  # noqa: E402
from bot.core.request import Person, Request  # noqa: E402
from bot.imports.service import ImportFile, import_leads  # noqa: E402
from bot.server import build_runtime  # noqa: E402
from storage.db import normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Lead, LeadEvent, Member, Outbox  # noqa: E402

TEAM = "T-BENCH"
REPS = 8
WORDS = ("North", "Blue", "Harbour", "Quantum", "Iron", "Maple", "Solar", "Apex", "Crimson", "Delta", "Echo")
KINDS = ("Labs", "Systems", "GmbH", "Logistics", "Health", "Capital", "Foods", "Robotics", "Media", "AG")


def generate_csv(rows: int, seed: int = 13) -> bytes:
    """Rows like a trade-show export: unique e-mails, a few hundred distinct company words, 5% without e-mail,
    1% repeating an earlier row (within-file duplicates), notes on a third of them."""
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("Company Name,E-mail,Name,Lead Source,Notes,Phone\n")
    for n in range(rows):
        if n > 10 and rng.random() < 0.01:
            m = rng.randrange(n)
            company, email = f"{WORDS[m % 11]} {KINDS[m % 10]} {m}", f"contact{m}@example{m % 97}.com"
        else:
            company, email = f"{WORDS[n % 11]} {KINDS[n % 10]} {n}", f"contact{n}@example{n % 97}.com"
        if rng.random() < 0.05:
            email = ""
        note = f'"met at booth {n % 40}, wants a demo"' if n % 3 == 0 else ""
        out.write(f"{company},{email},Contact {n},trade show,{note},+1 555 {n:07d}\n")
    return out.getvalue().encode()


class RssPeak:
    """Peak resident memory while a block runs, sampled from /proc/self/status every 20 ms."""

    def __init__(self) -> None:
        self.before = self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> RssPeak:
        self.before = self.peak = rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())

    @property
    def growth(self) -> float:
        return self.peak - self.before


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Measured:
    backend: str
    what: str
    rows: int
    seconds: float
    rss_growth: float | None = None

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


def seeded_runtime(url: str):  # type: ignore[no-untyped-def]
    settings = Settings(DATABASE_URL=url, TANDEM_SCHEDULER="off", _env_file=None)  # type: ignore[call-arg]
    runtime = build_runtime(settings, clock=SystemClock())
    for n in range(REPS + 1):
        who = "mara" if n == 0 else f"rep{n}"
        person = Person("slack", f"U{n:03d}", who.capitalize(), f"{who}@bench.test")
        runtime.dispatcher.handle(Request(person=person, team_id=TEAM, text="lead list"))
    with runtime.db.session() as session:
        workspace = find_workspace(session, "slack", TEAM)
        assert workspace is not None and workspace.id is not None
        mara = session.execute(select(Member).where(Member.email == "mara@bench.test")).scalar_one()
        mara.role = "marketer"
        session.add(mara)
        return runtime, workspace.id, mara.id


def measure_import(backend: str, url: str, rows: int) -> Measured:
    data = generate_csv(rows)
    runtime, workspace_id, mara_id = seeded_runtime(url)
    try:
        with RssPeak() as memory:
            start = time.perf_counter()
            report = import_leads(
                runtime.db, runtime.clock, ImportFile("bench.csv", data), workspace_id=workspace_id, by_id=mara_id
            )
            seconds = time.perf_counter() - start
        with runtime.db.session() as session:
            leads = session.execute(select(func.count()).select_from(Lead)).scalar_one()
            events = session.execute(select(func.count()).select_from(LeadEvent)).scalar_one()
            digests = session.execute(select(func.count()).select_from(Outbox)).scalar_one()
        assert leads == len(report.imported) == events, (leads, events)
        assert digests == REPS, digests
        print(
            f"  {backend} import: {rows:,} rows ({leads:,} leads, {len(report.duplicates):,} duplicates) in "
            f"{seconds:.2f} s = {rows / seconds:,.0f} rows/s, RSS +{memory.growth:.0f} MB",
            flush=True,
        )
        return Measured(backend, "import", rows, seconds, memory.growth)
    finally:
        runtime.db.dispose()


def floor_rows(rows: int) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The lead and event rows the import writes for ``rows`` new leads, with explicit ids."""
    now = datetime.now(UTC)
    due = now + timedelta(hours=4)
    leads, events = [], []
    for n in range(1, rows + 1):
        owner = 2 + (n % REPS)
        leads.append(
            (
                n,
                1,
                n,
                f"Company {n}",
                f"Contact {n}",
                f"contact{n}@example.com",
                "trade show",
                "met at booth",
                owner,
                1,
                "handed_off",
                now,
                now,
                due,
                0,
                1,
            )
        )
        events.append((n, 1, n, 1, "handoff", None, "handed_off", f"Rep{owner}", now))
    return leads, events


LEAD_COLUMNS = (
    "id, workspace_id, number, company, contact_name, email, source, note, owner_id, marketer_id, status, "
    "created_at, handed_off_at, nag_due_at, nag_count, import_id"
)
EVENT_COLUMNS = "id, workspace_id, lead_id, actor_id, kind, from_status, to_status, detail, created_at"


def measure_floor_sqlite(url: str, rows: int) -> Measured:
    runtime, _, _ = seeded_runtime(url)
    runtime.db.dispose()
    path = make_url(normalise_url(url)).database
    assert path
    leads, events = floor_rows(rows)
    iso = [(*row[:11], *(v.isoformat(" ") for v in row[11:14]), *row[14:]) for row in leads]  # type: ignore[attr-defined]
    ev = [(*row[:8], row[8].isoformat(" ")) for row in events]  # type: ignore[attr-defined]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(f"INSERT INTO lead ({LEAD_COLUMNS}) VALUES ({','.join('?' * 16)})", iso)
    conn.executemany(f"INSERT INTO lead_event ({EVENT_COLUMNS}) VALUES ({','.join('?' * 9)})", ev)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    print(f"  sqlite floor (executemany): {rows / seconds:,.0f} rows/s", flush=True)
    return Measured("sqlite", "floor", rows, seconds)


def measure_floor_postgres(url: str, rows: int) -> Measured:
    import psycopg

    runtime, _, _ = seeded_runtime(url)
    runtime.db.dispose()
    leads, events = floor_rows(rows)
    plain = make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as conn:
        start = time.perf_counter()
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY lead ({LEAD_COLUMNS}) FROM STDIN") as copy:
                for row in leads:
                    copy.write_row(row)
            with cursor.copy(f"COPY lead_event ({EVENT_COLUMNS}) FROM STDIN") as copy:
                for row in events:
                    copy.write_row(row)
        conn.commit()
        seconds = time.perf_counter() - start
    print(f"  postgres floor (COPY): {rows / seconds:,.0f} rows/s", flush=True)
    return Measured("postgres", "floor", rows, seconds)


@contextmanager
def scratch_postgres(server: str) -> Iterator[str]:
    name = f"tandem_bench_imports_{os.getpid()}"
    admin = create_engine(normalise_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(server)).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def reset_postgres(url: str) -> None:
    from sqlmodel import SQLModel

    engine = create_engine(normalise_url(url))
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def in_fresh_process(function: Callable[..., Measured], *args: object) -> Measured:
    """Each measurement in a process of its own, so one backend's memory is not counted in the next one's."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def sqlite_pair(rows: int) -> tuple[Measured, Measured]:
    with tempfile.TemporaryDirectory() as tmp:
        imported, floor = f"sqlite:///{tmp}/import.db", f"sqlite:///{tmp}/floor.db"
        upgrade(imported)
        upgrade(floor)
        return (
            in_fresh_process(measure_import, "sqlite", imported, rows),
            in_fresh_process(measure_floor_sqlite, floor, rows),
        )


def postgres_pair(server: str, rows: int) -> tuple[Measured, Measured]:
    with scratch_postgres(server) as url:
        upgrade(url)
        run = in_fresh_process(measure_import, "postgres", url, rows)
        reset_postgres(url)
        return run, in_fresh_process(measure_floor_postgres, url, rows)


def median_of(pairs: list[tuple[Measured, Measured]]) -> tuple[Measured, float, float]:
    """The run with the median import rate, the median floor rate and the median RSS growth of the runs."""
    ordered = sorted(pairs, key=lambda pair: pair[0].rate)
    run = ordered[len(ordered) // 2][0]
    floor = statistics.median(bare.rate for _, bare in pairs)
    growth = statistics.median(r.rss_growth or 0.0 for r, _ in pairs)
    return run, floor, growth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("TANDEM_TEST_DATABASE_URL"))
    args = parser.parse_args()
    size = len(generate_csv(args.rows)) / 1e6
    print(f"{args.rows:,} rows, {size:.1f} MB of CSV; load average {os.getloadavg()[0]:.1f}", flush=True)
    results = [median_of([sqlite_pair(args.rows) for _ in range(args.runs)])]
    if args.postgres:
        results.append(median_of([postgres_pair(args.postgres, args.rows) for _ in range(args.runs)]))
    print(f"\nmedians of {args.runs} runs; load average now {os.getloadavg()[0]:.1f}")
    print("| backend | import rows/s | RSS growth | floor rows/s | import ÷ floor |")
    print("|---|---|---|---|---|")
    for run, floor, growth in results:
        floor_name = "executemany" if run.backend == "sqlite" else "COPY"
        print(
            f"| {run.backend} | {run.rate:,.0f} | +{growth:.0f} MB | {floor:,.0f} ({floor_name}) | "
            f"{run.rate / floor:.2f}× |"
        )


if __name__ == "__main__":
    main()
