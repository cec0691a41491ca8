"""The REST API under load, on loopback (issue 13). Two measurements, each on SQLite and PostgreSQL:

* ``POST /api/v1/leads`` under wrk: one `tandem serve` worker (pinned to core 0, wrk to core 1) hands off a new
  lead per request — unique company and e-mail each, so the duplicate check never short-cuts it — round-robin
  over 50 reps, with the owner's card written to the outbox in the same transaction. Beside it, in the same
  run, a bare FastAPI app with the same route that only parses the JSON (bench/bare_fastapi_app.py).
  Requests/s, p50, p99, the ratio to the bare app, and the server's CPU per request.
* ``GET /api/v1/leads.csv`` of a preloaded workspace: time to the first byte, total time, rows, and the
  growth of the server's resident memory (VmRSS, sampled every 20 ms) over its size before the export.

A script, not a test (default sizes: about 45 s per database):

    .venv/bin/python bench/api_leads.py                              # 10 s runs at c=16, export of 20,000 leads
    .venv/bin/python bench/api_leads.py --export-leads 1000000       # the issue's million
    .venv/bin/python bench/api_leads.py --backends sqlite --skip-export
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, text  # noqa: E402

from bench.preload import preload  # noqa: E402
from bench.slack_wrk import PYTHON, cpu_seconds, free_port, run_wrk  # noqa: E402
from bot.admin import api_keys  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from storage.db import Database, normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

PG_SERVER = os.environ.get("TANDEM_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_NAME = "tandem_bench_api"
SECRET_KEY = "bench-secret-key-0123456789"


@dataclass
class Post:
    backend: str
    target: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us: float


@dataclass
class Export:
    backend: str
    leads: int
    rows: int
    first_byte_s: float
    total_s: float
    megabytes: float
    rss_before_mb: float
    rss_peak_mb: float


def database(backend: str, work: Path, leads: int) -> str | None:
    """A migrated database holding the bench workspace (50 reps) and ``leads`` leads; None without PostgreSQL."""
    if backend == "sqlite":
        url = f"sqlite:///{work / 'tandem.db'}"
    else:
        try:
            admin = create_engine(normalise_url(PG_SERVER), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
            admin.dispose()
        except Exception as error:  # noqa: BLE001 — no server: skip PostgreSQL
            print(f"PostgreSQL at {PG_SERVER} is unreachable ({type(error).__name__}); skipping it.")
            return None
        url = make_url(normalise_url(PG_SERVER)).set(database=PG_NAME).render_as_string(hide_password=False)
    upgrade(url)
    db = Database(url)
    preload(db, leads)
    db.dispose()
    if backend == "sqlite":
        with sqlite3.connect(work / "tandem.db") as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return url


def drop_postgres() -> None:
    admin = create_engine(normalise_url(PG_SERVER), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
    admin.dispose()


def new_key(url: str) -> str:
    db = Database(url)
    with db.session() as session:
        workspace_id = session.execute(text("SELECT id FROM workspace ORDER BY id LIMIT 1")).scalar_one()
        secret = api_keys.create(session, SystemClock(), workspace_id=workspace_id, label="bench").secret
    db.dispose()
    return secret


def lua_script(path: Path, key: str, run: str) -> None:
    """A POST per request with a company and e-mail no other request (of any run) has."""
    path.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        f'  local body = string.format(\'{{"company": "Bench {run} %d", "email": "lead-{run}-%d@bench.test", '
        '"source": "website", "note": "Asked for a demo"}\', n, n)\n'
        "  return wrk.format(nil, nil, nil, body)\n"
        "end\n"
    )


def start(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        process = subprocess.Popen(["taskset", "-c", "0", *command], env=env, cwd=ROOT, stdout=sink, stderr=sink)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start: " + log.read_text()[-2000:])


def serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TANDEM_SECRET_KEY": SECRET_KEY,
        "TANDEM_SCHEDULER": "off",
        "PYTHONPATH": str(ROOT),
    }
    command = [PYTHON, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return start(command, env, port, log)


def measure_posts(backend: str, url: str, work: Path, seconds: int, connections: tuple[int, ...]) -> list[Post]:
    key = new_key(url)
    results: list[Post] = []
    bare_port, tandem_port = free_port(), free_port()
    bare_command = [PYTHON, "-m", "uvicorn", "bench.bare_fastapi_app:api", "--host", "127.0.0.1",
                    "--log-level", "warning", "--no-access-log", "--port", str(bare_port)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name, port in (("bare FastAPI (parses the JSON)", bare_port), ("tandem serve", tandem_port)):
        log = work / f"{port}.log"
        server = start(bare_command, env, port, log) if name.startswith("bare") else serve(url, port, log)
        try:
            target = f"http://127.0.0.1:{port}/api/v1/leads"
            script = work / f"{port}.lua"
            lua_script(script, key, f"w{random.randrange(10**6)}")
            run_wrk(target, script, 4, 2)  # warm-up
            for c in connections:
                lua_script(script, key, f"r{random.randrange(10**9)}")
                before = cpu_seconds(server.pid)
                rps, p50, p99, errors = run_wrk(target, script, c, seconds)
                cpu_us = (cpu_seconds(server.pid) - before) / max(1.0, rps * seconds) * 1e6
                results.append(Post(backend, name, c, rps, p50, p99, errors, cpu_us))
                print(
                    f"{backend:10} {name:30} c={c:<3} {rps:8.0f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  "
                    f"CPU {cpu_us:6.0f} µs/request  errors {errors}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    return results


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_export(backend: str, url: str, work: Path, leads: int) -> Export:
    key = new_key(url)
    port = free_port()
    server = serve(url, port, work / f"{port}.log")
    try:
        # one small export first, so the code paths are loaded before "before" is read (as in production)
        _download(port, key, limit_bytes=4096)
        before = rss_mb(server.pid)
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_mb(server.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        first, total, size, rows = _download(port, key)
        done.set()
        sampler.join()
        peak[0] = max(peak[0], rss_mb(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = Export(backend, leads, rows, first, total, size / 1e6, before, peak[0])
    print(
        f"{backend:10} export of {leads:,} leads: {rows:,} rows, first byte {first * 1000:.0f} ms, "
        f"total {total:.1f} s, {size / 1e6:.0f} MB, "
        f"RSS {before:.0f} → peak {peak[0]:.0f} MB (+{peak[0] - before:.1f} MB)",
        flush=True,
    )
    return result


def _download(port: int, key: str, limit_bytes: int | None = None) -> tuple[float, float, int, int]:
    """(seconds to the first byte, seconds in all, bytes, data rows) of one GET /api/v1/leads.csv."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", "/api/v1/leads.csv", headers={"Authorization": f"Bearer {key}"})
    response = connection.getresponse()
    assert response.status == 200, response.read()[:500]
    first_chunk = response.read1(65536)
    first = time.perf_counter() - started
    size, newlines, last = len(first_chunk), first_chunk.count(b"\r\n"), first_chunk[-1:]
    while chunk := response.read1(1 << 20):
        size += len(chunk)
        newlines += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")  # a CRLF split by the read
        last = chunk[-1:]
        if limit_bytes is not None and size >= limit_bytes:
            break
    connection.close()
    return first, time.perf_counter() - started, size, newlines - 1  # rows end in CRLF, notes' lines in LF


def markdown(posts: list[Post], exports: list[Export]) -> str:
    lines = [
        "| backend | set-up | connections | req/s | p50 | p99 | CPU / request | × bare |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for post in posts:
        bare = next(
            (
                p
                for p in posts
                if p.backend == post.backend and p.connections == post.connections and p.target.startswith("bare")
            ),
            None,
        )
        ratio = f"{post.rps / bare.rps:.2f}×" if bare and not post.target.startswith("bare") else ""
        lines.append(
            f"| {post.backend} | {post.target} | {post.connections} | {post.rps:,.0f} | {post.p50_ms:.1f} ms | "
            f"{post.p99_ms:.1f} ms | {post.cpu_us:,.0f} µs | {ratio} |"
            + (f" {post.errors} errors" if post.errors else "")
        )
    if exports:
        lines += ["", "| backend | leads | rows | first byte | total | size | RSS before → peak (growth) |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
        for e in exports:
            lines.append(
                f"| {e.backend} | {e.leads:,} | {e.rows:,} | {e.first_byte_s * 1000:.0f} ms | {e.total_s:.1f} s | "
                f"{e.megabytes:.0f} MB | {e.rss_before_mb:.0f} → {e.rss_peak_mb:.0f} MB "
                f"(+{e.rss_peak_mb - e.rss_before_mb:.1f} MB) |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=10, help="one wrk run (≤ 20)")
    parser.add_argument("--connections", default="16", help="comma-separated, e.g. 1,16,64")
    parser.add_argument("--export-leads", type=int, default=20_000, help="the issue's size is 1000000")
    parser.add_argument("--skip-posts", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk") and not args.skip_posts:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    connections = tuple(int(c) for c in args.connections.split(","))
    posts: list[Post] = []
    exports: list[Export] = []
    for backend in args.backends.split(","):
        work = Path(tempfile.mkdtemp(prefix="tandem-bench-api-"))
        try:
            if not args.skip_posts:
                url = database(backend, work, 1000)
                if url is None:
                    continue
                posts += measure_posts(backend, url, work, min(args.seconds, 20), connections)
                if backend == "sqlite":
                    for name in ("tandem.db", "tandem.db-wal", "tandem.db-shm"):
                        (work / name).unlink(missing_ok=True)
            if not args.skip_export:
                url = database(backend, work, args.export_leads)
                if url is None:
                    continue
                exports.append(measure_export(backend, url, work, args.export_leads))
        finally:
            if backend == "postgres":
                with contextlib.suppress(Exception):  # an unreachable server made nothing to drop
                    drop_postgres()
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(markdown(posts, exports))


if __name__ == "__main__":
    main()
