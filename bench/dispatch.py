"""Commands per second and p50/p99 latency through ``Dispatcher.handle`` for a realistic mix of lead commands,
on SQLite or PostgreSQL with 10k or 1M leads preloaded. A script, not a test:

    .venv/bin/python bench/dispatch.py --backend sqlite --leads 10000 --seconds 10
    .venv/bin/python bench/dispatch.py --backend postgres --leads 1000000 --seconds 10 --runs 3
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from preload import PLATFORM, TEAM_ID, VERSION, Preloaded, preload  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from bot.core.config import Settings  # noqa: E402
from bot.core.replies import Bold, Mention, Reply, Section  # noqa: E402
from bot.core.request import Person, Request  # noqa: E402
from bot.server import build_runtime  # noqa: E402
from storage.db import Database, normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "tandem_bench"
MIX = {"handoff": 2, "accept": 2, "feedback": 2, "show": 2, "list": 2}  # equal shares of the five commands
RECENT = 1_000  # feedback goes to one of the newest leads


@dataclass
class Shared:
    """What the workers know about the workspace as it changes: the newest number and who must accept what."""

    preloaded: Preloaded
    seq: int
    waiting: deque[tuple[int, str]]
    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: list[tuple[str, float, float, bool]] = field(default_factory=list)


def person(user_id: str) -> Person:
    number = user_id.split("-")[1]
    title = {"mgr": "Manager One", "mkt": f"Marketer {number}", "rep": f"Rep {number}"}[user_id.split("-")[0]]
    return Person(PLATFORM, user_id, title, f"{user_id}@bench.test")


def request(user_id: str, text_: str) -> Request:
    return Request(person=person(user_id), team_id=TEAM_ID, text=text_)


def handed_to(reply: Reply) -> tuple[int, str] | None:
    """The new lead's number and owner from a hand-off reply (what the marketer sees)."""
    number = owner = None
    for block in reply.blocks:
        if isinstance(block, Section):
            for span in block.text:
                if isinstance(span, Bold) and span.text.startswith("L-"):
                    number = int(span.text[2:])
                elif isinstance(span, Mention):
                    owner = span.accounts.get(PLATFORM)
    return (number, owner) if number and owner else None


def next_command(shared: Shared, rng: random.Random) -> tuple[str, Request]:
    people = shared.preloaded.people
    op = rng.choices(list(MIX), list(MIX.values()))[0]
    if op == "accept":
        with shared.lock:
            item = shared.waiting.pop() if shared.waiting else None
        if item is not None:
            return op, request(item[1], f"lead accept L-{item[0]}")
        op = "handoff"
    if op == "handoff":
        n = uuid.uuid4().hex[:12]  # a new prospect every time: a repeated e-mail is refused as a duplicate
        return op, request(
            rng.choice(people.marketers),
            f"lead handoff Prospect {n} email:buyer{n}@prospect{n}.test name:Pat Buyer source:webinar",
        )
    if op == "feedback":
        number = rng.randint(max(1, shared.seq - RECENT), shared.seq)
        return op, request(rng.choice(people.reps), f"lead feedback L-{number} {rng.randint(1, 5)} good fit")
    if op == "show":
        return op, request(rng.choice(people.reps), f"lead show L-{rng.randint(1, shared.seq)}")
    return op, request(rng.choice(people.reps), "lead list mine")


def worker(runtime, shared: Shared, deadline: float, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    handle = runtime.dispatcher.handle
    local: list[tuple[str, float, float, bool]] = []
    while time.perf_counter() < deadline:
        op, req = next_command(shared, rng)
        start, cpu = time.perf_counter(), time.thread_time()
        reply = handle(req)
        elapsed = time.perf_counter() - start
        local.append((op, elapsed, time.thread_time() - cpu, reply.ok))
        if op == "handoff" and reply.ok:
            found = handed_to(reply)
            if found:
                with shared.lock:
                    shared.seq = max(shared.seq, found[0])
                    shared.waiting.append(found)
    with shared.lock:
        shared.samples.extend(local)


def run_mix(
    runtime,
    preloaded: Preloaded,
    seq: int,
    waiting: deque,
    threads: int,  # type: ignore[no-untyped-def]
    seconds: float,
) -> tuple[dict[str, dict[str, float]], int]:
    shared = Shared(preloaded=preloaded, seq=seq, waiting=waiting)
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(runtime, shared, deadline, i)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    return summarise(shared.samples, wall), shared.seq


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def summarise(samples: list[tuple[str, float, float, bool]], wall: float) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for op in [*MIX, "overall"]:
        rows = [s for s in samples if op == "overall" or s[0] == op]
        if not rows:
            continue
        lat = [r[1] for r in rows]
        table[op] = {
            "count": len(rows),
            "ops": len(rows) / wall,
            "p50": pct(lat, 0.5),
            "p99": pct(lat, 0.99),
            "cpu": 1000 * statistics.fmean(r[2] for r in rows),
            "errors": sum(1 for r in rows if not r[3]),
        }
    return table


def median_table(tables: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {op: {k: statistics.median(t[op][k] for t in tables if op in t) for k in tables[0][op]} for op in tables[0]}


def print_table(title: str, table: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print("| op | count | ops/s | p50 ms | p99 ms | CPU ms/op | refused |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for op, row in table.items():
        name = f"**{op}**" if op == "overall" else op
        print(
            f"| {name} | {row['count']:.0f} | {row['ops']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} | "
            f"{row['cpu']:.2f} | {row['errors']:.0f} |"
        )


def sqlite_database(leads: int) -> tuple[str, Preloaded, float]:
    """A preloaded SQLite file; the loaded template is kept in /tmp so a rerun only copies it."""
    import pickle

    template = Path(f"/tmp/tandem_bench_template_v{VERSION}_{leads}.db")
    meta = template.with_suffix(".pickle")
    started = time.perf_counter()
    if not (template.exists() and meta.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{template}{suffix}").unlink(missing_ok=True)
        upgrade(f"sqlite:///{template}")
        db = Database(f"sqlite:///{template}")
        loaded = preload(db, leads)
        db.dispose()
        with sqlite3.connect(template) as raw:  # fold the WAL into the file so a copy is complete
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        meta.write_bytes(pickle.dumps(loaded))
    work = Path(f"/tmp/tandem_bench_{leads}.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, work)
    upgrade(f"sqlite:///{work}")  # a template loaded before a newer migration gets it (indexes) here
    return f"sqlite:///{work}", pickle.loads(meta.read_bytes()), time.perf_counter() - started


def postgres_database(leads: int) -> tuple[str, Preloaded, float] | None:
    try:
        admin = create_engine(normalise_url(PG_SERVER), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
        admin.dispose()
    except Exception as error:  # noqa: BLE001 — any connection failure means "skip"
        print(f"PostgreSQL at {PG_SERVER} is unreachable ({type(error).__name__}); skipping.")
        return None
    url = make_url(normalise_url(PG_SERVER)).set(database=PG_NAME).render_as_string(hide_password=False)
    started = time.perf_counter()
    upgrade(url)
    db = Database(url)
    loaded = preload(db, leads)
    db.dispose()
    return url, loaded, time.perf_counter() - started


def drop_postgres() -> None:
    admin = create_engine(normalise_url(PG_SERVER), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of one measurement (≤ 20)")
    parser.add_argument("--threads", default="1,4", help="comma-separated thread counts to run the mix with")
    parser.add_argument("--runs", type=int, default=3, help="measurements per thread count; the median is printed")
    parser.add_argument("--sql", action="append", default=[], help="SQL to run after preloading (e.g. an index)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards (for EXPLAIN)")
    args = parser.parse_args()
    seconds = min(args.seconds, 20.0)
    made = sqlite_database(args.leads) if args.backend == "sqlite" else postgres_database(args.leads)
    if made is None:
        return
    url, loaded, load_seconds = made
    print(
        f"{args.backend}, {args.leads:,} leads preloaded in {load_seconds:.1f} s; "
        f"{len(loaded.waiting):,} waiting to be accepted"
    )
    try:
        settings = Settings(DATABASE_URL=url, TANDEM_SCHEDULER="off").with_secret()  # type: ignore[call-arg]
        runtime = build_runtime(settings)
        with runtime.db.engine.begin() as conn:
            for sql in args.sql:
                conn.exec_driver_sql(sql)
                print(f"ran: {sql}")
        seq = loaded.leads
        waiting: deque[tuple[int, str]] = deque(loaded.waiting)
        runtime.dispatcher.handle(request(loaded.people.reps[0], "lead list mine"))  # warm caches and imports
        for threads in (int(t) for t in args.threads.split(",")):
            tables = []
            for _ in range(args.runs):
                table, seq = run_mix(runtime, loaded, seq, waiting, threads, seconds)
                tables.append(table)
                overall = table["overall"]
                print(
                    f"  run: {threads} thread(s) {overall['ops']:.0f} ops/s, p50 {overall['p50']:.2f} ms, "
                    f"p99 {overall['p99']:.2f} ms, CPU {overall['cpu']:.2f} ms/op, load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            print_table(
                f"{args.backend}, {args.leads:,} leads, {threads} thread(s), {seconds:.0f} s × {args.runs}, "
                "median of runs",
                median_table(tables),
            )
        runtime.db.dispose()
    finally:
        if args.backend == "postgres" and not args.keep:
            drop_postgres()


if __name__ == "__main__":
    main()
