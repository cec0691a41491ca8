"""Benchmark the pulse survey's fan-out (issue 15): the question for N reps queued in the outbox (target: 10,000 in
at most 5 s), side by side with a bare driver ``executemany`` of the same rows (the floor), on SQLite and PostgreSQL;
then delivery of those DMs to a loopback fake Slack that answers 429 with Retry-After whenever a workspace-wide
rate limit is exceeded: every DM delivered, none twice, at about the limit.

Bounded and local: the fake Slack runs in a child process on 127.0.0.1 with an ephemeral port; the PostgreSQL
database is created for the run and dropped after it.
Usage: .venv/bin/python bench/survey.py [--reps 2000] [--runs 3] [--delivery-reps 500] [--rate 100] [--burst 20]
       [--postgres postgresql://postgres@127.0.0.1:5432/test] [--skip-postgres] [--skip-delivery] [--skip-queue]
       (the issue's size: --reps 10000 --delivery-reps 10000)
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, insert, make_url, text  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from adapters.slack.clients import TokenBook  # noqa: E402
from adapters.slack.sender import SlackSender  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.people import find_workspace  # noqa: E402
from bot.core.quarters import Quarter  # noqa: E402
from bot.core.replies import to_json  # noqa: E402
from bot.core.request import Person, Request  # noqa: E402
from bot.server import build_runtime  # noqa: E402
from bot.survey import views  # noqa: E402
from bot.survey.rounds import QUESTION_KIND, run_round  # noqa: E402
from schedules.jobs.delivery import deliver_due  # noqa: E402
from storage.db import Database, normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Member, MemberAccount, Outbox  # noqa: E402

SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"
NOW = datetime(2026, 10, 1, 13, 0, tzinfo=UTC)  # 09:00 in New York on Q4 2026's first working day
PG_DATABASE = "tandem_bench_survey"


# -- fake Slack with one workspace-wide token bucket (child process) --------------------------------------


def _fake_slack(port_out: Any, rate: float, burst: int) -> None:
    from aiohttp import web

    bucket = [float(burst), time.monotonic()]
    stats = {"ok": 0, "429": 0}
    seen: Counter[str] = Counter()

    async def post(request: web.Request) -> web.Response:
        data = await request.post() if request.content_type != "application/json" else await request.json()
        now = time.monotonic()
        tokens = min(float(burst), bucket[0] + (now - bucket[1]) * rate)
        bucket[1] = now
        if tokens < 1:
            bucket[0] = tokens
            stats["429"] += 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        bucket[0] = tokens - 1
        stats["ok"] += 1
        seen[str(data.get("channel"))] += 1
        return web.json_response({"ok": True, "channel": data.get("channel"), "ts": f"{now:.6f}"})

    async def open_dm(request: web.Request) -> web.Response:
        data = dict(request.query)  # slack_sdk sends this method's arguments in the query string
        data.update(await request.post() if request.content_type != "application/json" else await request.json())
        return web.json_response({"ok": True, "channel": {"id": "D" + str(data.get("users"))}})

    async def auth_test(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT"})

    async def report(_request: web.Request) -> web.Response:
        return web.json_response({"stats": stats, "seen": seen})

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/api/chat.postMessage", post)
        app.router.add_post("/api/conversations.open", open_dm)
        app.router.add_post("/api/auth.test", auth_test)
        app.router.add_get("/report", report)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_out.send(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


class FakeSlackProcess:
    def __init__(self, *, rate: float, burst: int) -> None:
        parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_fake_slack, args=(child, rate, burst), daemon=True)
        self.process.start()
        self.port = parent.recv()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def report(self) -> dict[str, Any]:
        import httpx

        return httpx.get(f"http://127.0.0.1:{self.port}/report", timeout=30).json()  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(5)


# -- data ------------------------------------------------------------------------------------------------


def settings_for(url: str, slack_api_url: str = "http://127.0.0.1:9/api/") -> Settings:
    return Settings(
        DATABASE_URL=url,
        TANDEM_SECRET_KEY="bench-secret-0123456789",
        TANDEM_SCHEDULER="off",  # type: ignore[call-arg]
        SLACK_API_URL=slack_api_url,
        SLACK_BOT_TOKEN="xoxb-bench",
        _env_file=None,
    )


def postgres_database(server: str) -> str | None:
    """A fresh database of this run's own on the server, or None when it cannot be reached."""
    admin_url = normalise_url(server)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
        admin.dispose()
    except Exception as error:  # noqa: BLE001 — a bench without PostgreSQL still runs SQLite
        print(f"[postgres] skipped: {type(error).__name__}: {error}", flush=True)
        return None
    return make_url(admin_url).set(database=PG_DATABASE).render_as_string(hide_password=False)


def drop_postgres(server: str) -> None:
    admin = create_engine(normalise_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
    admin.dispose()


def seed(url: str, reps: int) -> int:
    """One Slack workspace (America/New_York) with a marketer and ``reps`` reps, each with a Slack account."""
    upgrade(url)
    runtime = build_runtime(settings_for(url))
    runtime.dispatcher.handle(Request(Person("slack", "UMKT", "Marketing"), "T1", "lead list"))
    with runtime.db.session() as s:
        ws = find_workspace(s, "slack", "T1")
        assert ws is not None and ws.id is not None
        workspace = ws.id
        s.execute(text("INSERT INTO workspace_setting VALUES (:w, 'timezone', 'America/New_York')"), {"w": workspace})
        s.execute(text("UPDATE member SET role = 'marketer' WHERE workspace_id = :w"), {"w": workspace})
        s.execute(
            insert(Member),
            [
                {
                    "workspace_id": workspace,
                    "display_name": f"Rep {n}",
                    "role": "rep",
                    "enriched": False,
                    "created_at": NOW,
                }
                for n in range(reps)
            ],
        )
        ids = (
            s.execute(
                select(col(Member.id))
                .where(Member.workspace_id == workspace, Member.role == "rep")
                .order_by(col(Member.id))
            )
            .scalars()
            .all()
        )
        s.execute(
            insert(MemberAccount),
            [{"workspace_id": workspace, "member_id": m, "platform": "slack", "external_id": f"U{m}"} for m in ids],
        )
    if runtime.db.is_postgres:
        with runtime.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    runtime.db.dispose()
    return workspace


def forget_survey(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as conn:
        for table in ("outbox", "survey_ask", "survey_round"):
            conn.execute(text(f"DELETE FROM {table}"))
    if db.is_postgres:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE outbox"))
            conn.execute(text("VACUUM ANALYZE survey_ask"))
    db.dispose()


# -- 1. queueing ------------------------------------------------------------------------------------------


def queue_with_tandem(url: str, workspace: int) -> tuple[float, int, int]:
    """The job's own work for one workspace (`jobs run survey`), commit included: (seconds, asked, statements)."""
    runtime = build_runtime(settings_for(url))
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    event.listen(runtime.db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    with runtime.db.session() as session:
        report = run_round(session, FakeClock(NOW), workspace, ask_anyway=True)
    elapsed = time.perf_counter() - started
    runtime.db.dispose()
    return elapsed, report.asked, statements[0]


def queue_bare(url: str, workspace: int) -> float:
    """The floor: the same ask and outbox rows through the driver's own ``executemany``, one transaction."""
    quarter = Quarter(2026, 4)
    payload = to_json(views.question(quarter))
    db = Database(url)
    with db.engine.connect() as conn:
        members = (
            conn.execute(
                text("SELECT id FROM member WHERE workspace_id = :w AND role = 'rep' ORDER BY id"), {"w": workspace}
            )
            .scalars()
            .all()
        )
    db.dispose()
    if url.startswith("sqlite"):
        stamp: Any = NOW.strftime(SQLITE_TS)
        conn_raw: Any = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn_raw.execute("PRAGMA synchronous=NORMAL")
        mark = "?"
    else:
        import psycopg

        stamp = NOW
        conn_raw = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        mark = "%s"
    asks = [(workspace, quarter.key, m, stamp) for m in members]
    rows = [
        (workspace, QUESTION_KIND, m, payload, f"{QUESTION_KIND}:{quarter.key}:m{m}", "pending", 0, stamp, stamp)
        for m in members
    ]
    started = time.perf_counter()
    cursor = conn_raw.cursor()
    if url.startswith("sqlite"):
        cursor.execute("BEGIN IMMEDIATE")
    cursor.executemany(
        f"INSERT INTO survey_ask (workspace_id, quarter, member_id, asked_at) VALUES ({', '.join([mark] * 4)})", asks
    )
    cursor.executemany(
        "INSERT INTO outbox (workspace_id, kind, target_member_id, payload, dedupe_key, status, attempts, "
        f"next_attempt_at, created_at) VALUES ({', '.join([mark] * 9)})",
        rows,
    )
    conn_raw.commit() if not url.startswith("sqlite") else cursor.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn_raw.close()
    return elapsed


def bench_queue(kind: str, url: str, workspace: int, reps: int, runs: int) -> dict[str, Any]:
    tandem, bare = [], []
    asked = statements = 0
    for run in range(runs):
        forget_survey(url)
        seconds, asked, statements = queue_with_tandem(url, workspace)
        tandem.append(seconds)
        forget_survey(url)
        bare.append(queue_bare(url, workspace))
        print(f"[{kind}] run {run + 1}: tandem {tandem[-1]:.3f} s, bare executemany {bare[-1]:.3f} s", flush=True)
    assert asked == reps, (asked, reps)
    return {
        "reps": reps,
        "tandem_s": statistics.median(tandem),
        "bare_s": statistics.median(bare),
        "ratio": statistics.median(tandem) / statistics.median(bare),
        "statements": statements,
        "runs": [round(t, 3) for t in tandem],
    }


# -- 2. delivery at the rate limit ---------------------------------------------------------------------


async def drain(url: str, slack_api_url: str) -> tuple[float, int, dict[str, Any]]:
    """Deliver until every survey DM is sent, as the scheduler would: a firing right after the previous one,
    with the default batch and concurrency; a short pause when everything left waits for a Retry-After.
    Also returns what delivery reported and the pace it learned for the team."""
    runtime = build_runtime(settings_for(url, slack_api_url))
    runtime.add_sender(SlackSender(TokenBook(runtime.settings)))
    started = time.perf_counter()
    firings = 0
    totals: Counter[str] = Counter()
    while True:
        report = await deliver_due(runtime, owner="bench")
        firings += 1
        totals.update({k: getattr(report, k, 0) for k in ("sent", "retrying", "waited", "held")})
        if report.sent == 0 and report.retrying == 0:
            with runtime.db.session() as s:
                left = s.exec(select(Outbox.id).where(Outbox.status != "sent").limit(1)).first()
            if left is None:
                break
            await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    pacing = getattr(runtime, "pacing", None)  # (absent before delivery paced itself)
    pace = pacing.of("slack", "T1").rate if pacing is not None else None
    runtime.db.dispose()
    return elapsed, firings, {**totals, "learned_rate": round(pace, 1) if pace else None}


def bench_delivery(url: str, workspace: int, rate: float, burst: int) -> dict[str, Any]:
    forget_survey(url)
    queue_with_tandem(url, workspace)
    with Database(url).session() as s:
        queued = len(s.exec(select(Outbox.id)).all())
    fake = FakeSlackProcess(rate=rate, burst=burst)
    try:
        elapsed, firings, delivery = asyncio.run(drain(url, fake.api_url))
        seen = fake.report()
    finally:
        fake.stop()
    counts = Counter(seen["seen"])
    floor = max(0.0, (queued - burst) / rate)
    return {
        "queued": queued,
        "delivered_once": sum(1 for n in counts.values() if n == 1),
        "delivered_twice": sum(1 for n in counts.values() if n > 1),
        "lost": queued - len(counts),
        "seconds": elapsed,
        "floor_seconds": floor,
        "rate": sum(counts.values()) / elapsed,
        "429s": seen["stats"]["429"],
        "share_429": seen["stats"]["429"] / (seen["stats"]["429"] + seen["stats"]["ok"]),
        "share_of_limit": sum(counts.values()) / elapsed / rate,
        "firings": firings,
        "delivery": delivery,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=2_000, help="reps asked in the queueing runs (issue: 10,000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--delivery-reps", type=int, default=500, help="reps whose DMs are delivered")
    parser.add_argument("--rate", type=float, default=100.0, help="the fake Slack's messages per second")
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test", help="a server to use")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-delivery", action="store_true")
    parser.add_argument("--skip-queue", action="store_true", help="only the delivery run")
    args = parser.parse_args()
    kinds = ["sqlite"] + ([] if args.skip_postgres else ["postgres"])
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            for part in ("queue", "delivery"):
                if (part == "delivery" and args.skip_delivery) or (part == "queue" and args.skip_queue):
                    continue
                url = f"sqlite:///{Path(tmp) / f'{part}.db'}" if kind == "sqlite" else postgres_database(args.postgres)
                if url is None:
                    break
                try:
                    if part == "queue":
                        workspace = seed(url, args.reps)
                        print(f"[{kind}] queue: {bench_queue(kind, url, workspace, args.reps, args.runs)}", flush=True)
                    else:
                        workspace = seed(url, args.delivery_reps)
                        result = bench_delivery(url, workspace, args.rate, args.burst)
                        print(f"[{kind}] delivery at {args.rate:g} msg/s, burst {args.burst}: {result}", flush=True)
                finally:
                    if kind == "postgres":
                        drop_postgres(args.postgres)


if __name__ == "__main__":
    main()
