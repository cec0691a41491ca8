"""Benchmark the scheduler's hot paths (issue 5):

1. one nag-job firing over 1,000,000 leads of which 1,000 are due — the time to find them (target ≤ 200 ms;
   indexed, so it grows with the due leads, not the table) and the whole firing (nag rows + trail);
2. delivery of 10,000 outbox rows to a loopback fake Slack across 50 channels, unthrottled (target
   ≥ 300 messages/s) and with a simulated 1 message/s/channel limit with bursts (honoured: 429s and
   Retry-After are obeyed, nothing lost, nothing sent twice).

Bounded and local: the fake Slack runs in a child process on 127.0.0.1 with an ephemeral port.
Usage: .venv/bin/python bench/nags.py [--postgres URL] [--leads N] [--rows N] [--limited-rows N]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from adapters.slack.clients import TokenBook  # noqa: E402
from adapters.slack.sender import SlackSender  # noqa: E402
from bot.admin.settings import set_setting  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.outbox import enqueue_channel  # noqa: E402
from bot.core.people import find_workspace  # noqa: E402
from bot.core.replies import say  # noqa: E402
from bot.core.request import Person, Request  # noqa: E402
from bot.leads.nag_queries import due_leads  # noqa: E402
from bot.leads.nags import nag_due_leads  # noqa: E402
from bot.server import build_runtime  # noqa: E402
from schedules.jobs.delivery import deliver_due  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Member, Outbox  # noqa: E402

SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"
LEAD_COLUMNS = (
    "workspace_id",
    "number",
    "company",
    "source",
    "status",
    "created_at",
    "handed_off_at",
    "owner_id",
    "marketer_id",
    "nag_due_at",
    "nag_count",
)


# -- fake Slack with a per-channel token bucket (child process) ----------------------------------------


def _fake_slack(port_out: Any, burst: int, rate: float, limited: bool) -> None:
    from aiohttp import web

    buckets: dict[str, list[float]] = {}
    stats = {"ok": 0, "429": 0}
    per_channel: dict[str, list[float]] = defaultdict(list)

    async def post(request: web.Request) -> web.Response:
        data = await request.post() if request.content_type != "application/json" else await request.json()
        channel = str(data.get("channel"))
        now = time.monotonic()
        if limited:
            tokens, last = buckets.get(channel, [float(burst), now])
            tokens = min(float(burst), tokens + (now - last) * rate)
            if tokens < 1:
                buckets[channel] = [tokens, now]
                stats["429"] += 1
                wait = max(1, int((1 - tokens) / rate + 0.999))
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(wait)}
                )
            buckets[channel] = [tokens - 1, now]
        stats["ok"] += 1
        per_channel[channel].append(now)
        return web.json_response({"ok": True, "channel": channel, "ts": f"{now:.6f}"})

    async def report(_request: web.Request) -> web.Response:
        return web.json_response({"stats": stats, "per_channel": per_channel})

    async def open_dm(request: web.Request) -> web.Response:
        data = await request.post() if request.content_type != "application/json" else await request.json()
        return web.json_response({"ok": True, "channel": {"id": "D" + str(data.get("users"))}})

    async def auth_test(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT"})

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/api/chat.postMessage", post)
        app.router.add_post("/api/auth.test", auth_test)
        app.router.add_post("/api/conversations.open", open_dm)
        app.router.add_get("/report", report)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_out.send(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


class FakeSlackProcess:
    def __init__(self, *, limited: bool, burst: int = 10, rate: float = 1.0) -> None:
        parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_fake_slack, args=(child, burst, rate, limited), daemon=True)
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


def fresh_database(kind: str, pg_url: str | None, workdir: Path) -> str:
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench-nags.db'}"
    else:
        assert pg_url
        url = pg_url
        with Database(url).engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    return url


def settings_for(url: str, slack_api_url: str = "http://127.0.0.1:9/api/") -> Settings:
    return Settings(
        DATABASE_URL=url,
        TANDEM_SECRET_KEY="bench-secret-0123456789",
        TANDEM_SCHEDULER="off",  # type: ignore[call-arg]
        SLACK_API_URL=slack_api_url,
        SLACK_BOT_TOKEN="xoxb-bench",
        _env_file=None,
    )


def seed_people(url: str) -> tuple[int, list[int], int]:
    runtime = build_runtime(settings_for(url))
    for user in ["UMKT", *(f"UREP{n}" for n in range(50))]:
        person = Person("slack", user, user.title(), timezone="Europe/Berlin")
        runtime.dispatcher.handle(Request(person, "T1", "lead list"))
    with runtime.db.session() as s:
        ws = find_workspace(s, "slack", "T1")
        assert ws is not None and ws.id is not None
        members = s.exec(select(Member).where(Member.workspace_id == ws.id).order_by(Member.id)).all()
        set_setting(s, ws.id, "quiet_hours", "none")
        ids = [m.id for m in members if m.id is not None]
    runtime.db.dispose()
    return ws.id, ids[1:], ids[0]


def lead_rows(workspace: int, reps: list[int], marketer: int, total: int, due: int, now: datetime):  # type: ignore[no-untyped-def]
    """700k closed (no due time), the rest open with future due times, and ``due`` overdue hand-offs."""
    rng = random.Random(7)
    due_numbers = set(rng.sample(range(1, total + 1), due))
    for n in range(1, total + 1):
        created = now - timedelta(minutes=n % 500_000)
        if n in due_numbers:
            overdue = timedelta(minutes=rng.randint(1, 3000))
            status, handed, nag_due = "handed_off", now - timedelta(hours=5), now - overdue
        elif n % 10 < 7:
            status, handed, nag_due = "won" if n % 2 else "lost", created, None
        else:
            status, handed, nag_due = "accepted", created, now + timedelta(minutes=rng.randint(5, 20_000))
        yield (
            workspace,
            n,
            f"Company {n}",
            "marketing",
            status,
            created,
            handed,
            reps[n % len(reps)],
            marketer,
            nag_due,
            0,
        )


def bulk_load(url: str, rows: Any) -> float:
    started = time.perf_counter()
    db = Database(url)
    if db.is_sqlite:
        db.dispose()
        path = url.removeprefix("sqlite:///")
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")

        def fmt(value: Any) -> Any:
            return value.astimezone(UTC).strftime(SQLITE_TS) if isinstance(value, datetime) else value

        conn.executemany(
            f"INSERT INTO lead ({', '.join(LEAD_COLUMNS)}) VALUES ({', '.join('?' * len(LEAD_COLUMNS))})",
            (tuple(fmt(v) for v in row) for row in rows),
        )
        conn.execute("UPDATE workspace SET lead_seq = (SELECT max(number) FROM lead)")
        conn.commit()
        conn.execute("ANALYZE")
        conn.close()
    else:
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            with cursor.copy(f"COPY lead ({', '.join(LEAD_COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
            cursor.execute("UPDATE workspace SET lead_seq = (SELECT max(number) FROM lead)")
            raw.commit()
            cursor.execute("ANALYZE lead")
            raw.commit()
        finally:
            raw.close()
        db.dispose()
    return time.perf_counter() - started


# -- 1. finding the due leads ---------------------------------------------------------------------------


def bench_find(url: str, due: int, runs: int = 7) -> dict[str, Any]:
    runtime = build_runtime(settings_for(url))
    now = datetime.now(UTC)
    timings = []
    found = 0
    for _ in range(runs):
        with runtime.db.engine.connect() as conn:
            from sqlmodel import Session

            with Session(bind=conn) as session:
                started = time.perf_counter()
                leads = due_leads(session, now, limit=due + 100)
                timings.append((time.perf_counter() - started) * 1000)
                found = len(leads)
                session.rollback()
    with runtime.db.engine.connect() as conn:
        if runtime.db.is_sqlite:
            plan = " ".join(
                str(r[-1])
                for r in conn.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT * FROM lead WHERE nag_due_at <= :now ORDER BY nag_due_at LIMIT 1100"
                    ),
                    {"now": now.strftime(SQLITE_TS)},
                )
            )
        else:
            plan = " ".join(
                str(r[0])
                for r in conn.execute(
                    text(
                        "EXPLAIN SELECT * FROM lead WHERE nag_due_at <= :now ORDER BY nag_due_at LIMIT 1100 "
                        "FOR UPDATE SKIP LOCKED"
                    ),
                    {"now": now},
                )
            )
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    event.listen(runtime.db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    with runtime.db.session() as session:
        round_ = nag_due_leads(session, SystemClock(), now, limit=due + 100)
    firing_ms = (time.perf_counter() - started) * 1000
    event.remove(runtime.db.engine, "before_cursor_execute", count)
    runtime.db.dispose()
    return {
        "found": found,
        "median_ms": statistics.median(timings[1:]),
        "max_ms": max(timings[1:]),
        "cold_ms": timings[0],
        "uses_index": "ix_lead_nag_due" in plan,
        "firing_ms": firing_ms,
        "firing_statements": statements[0],
        "nagged": round_.nagged,
    }


# -- 2. delivery ----------------------------------------------------------------------------------------


def enqueue_posts(url: str, workspace: int, rows: int, channels: int) -> None:
    db = Database(url)
    clock = SystemClock()
    with db.session() as s:
        for n in range(rows):
            enqueue_channel(
                s,
                clock,
                workspace_id=workspace,
                channel=f"slack:C{n % channels:03d}",
                reply=say(f"Bench message {n}"),
                kind="bench",
                key=str(n),
            )
    db.dispose()


async def drain(url: str, slack_api_url: str) -> tuple[float, int]:
    """Deliver until no bench row is left unsent, like the scheduler would (a firing as soon as the
    previous one ends; when everything pending waits for a Retry-After, a short pause)."""
    runtime = build_runtime(settings_for(url, slack_api_url))
    runtime.add_sender(SlackSender(TokenBook(runtime.settings)))
    started = time.perf_counter()
    firings = 0
    while True:
        report = await deliver_due(runtime, owner="bench", batch=500, concurrency=50)
        firings += 1
        if report.sent == 0 and report.retrying == 0:
            with runtime.db.session() as s:
                left = s.exec(select(Outbox.id).where(Outbox.kind == "bench", Outbox.status != "sent").limit(1)).first()
            if left is None:
                break
            await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    runtime.db.dispose()
    return elapsed, firings


def bench_delivery(url: str, workspace: int, rows: int, channels: int, *, limited: bool, burst: int) -> dict[str, Any]:
    db = Database(url)
    with db.engine.begin() as conn:  # only the bench rows: the nag firing's DMs are not part of this run
        conn.execute(text("DELETE FROM outbox"))
    if db.is_postgres:  # start from a clean table, as autovacuum would leave it
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE outbox"))
    db.dispose()
    enqueue_posts(url, workspace, rows, channels)
    fake = FakeSlackProcess(limited=limited, burst=burst)
    try:
        elapsed, firings = asyncio.run(drain(url, fake.api_url))
        seen = fake.report()
    finally:
        fake.stop()
    per_channel = seen["per_channel"]
    delivered = sum(len(v) for v in per_channel.values())
    worst = 0
    for stamps in per_channel.values():  # the most messages any channel got in one second, after its burst
        stamps.sort()
        for i in range(burst, len(stamps)):
            j = i
            while j < len(stamps) and stamps[j] - stamps[i] < 1.0:
                j += 1
            worst = max(worst, j - i)
    with Database(url).session() as s:
        sent = len(s.exec(select(Outbox.id).where(Outbox.kind == "bench", Outbox.status == "sent")).all())
    min_seconds = max(0.0, rows / channels - burst) if limited else 0.0
    return {
        "rows": rows,
        "delivered": delivered,
        "sent_rows": sent,
        "seconds": elapsed,
        "rate": delivered / elapsed,
        "429s": seen["stats"]["429"],
        "firings": firings,
        "max_per_channel_second": worst,
        "floor_seconds": min_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="PostgreSQL URL of a scratch database (its schema is dropped)")
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--limited-rows", type=int, default=2_500)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-delivery", action="store_true", help="only the nag firing")
    args = parser.parse_args()
    kinds = ([] if args.skip_sqlite else ["sqlite"]) + (["postgres"] if args.postgres else [])
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            url = fresh_database(kind, args.postgres, Path(tmp))
            workspace, reps, marketer = seed_people(url)
            load = bulk_load(url, lead_rows(workspace, reps, marketer, args.leads, args.due, datetime.now(UTC)))
            print(f"[{kind}] loaded {args.leads:,} leads in {load:.1f} s", flush=True)
            found = bench_find(url, args.due)
            print(f"[{kind}] find due: {found}", flush=True)
            for limited, rows in () if args.skip_delivery else ((False, args.rows), (True, args.limited_rows)):
                result = bench_delivery(url, workspace, rows, args.channels, limited=limited, burst=args.burst)
                label = f"limited 1/s/channel, burst {args.burst}" if limited else "unthrottled"
                print(f"[{kind}] delivery {label}: {result}", flush=True)


if __name__ == "__main__":
    main()
