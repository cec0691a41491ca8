"""Benchmark the dashboard's first load (issue 14: "with 1M leads … the dashboard's first load ≤ 1 s"): the whole
``GET /dashboard`` over HTTP into the app (session check, the filters' choices, the stats figures for the period
and the one compared with, the two drill-downs, the HTML with its SVG charts), side by side with its floor, the
stats service call alone (``compute`` + ``figures_json``) over the same rows in the same run. Also the CSV export.

The workspace comes from bench/stats_data.py (three years of believable history). Bounded: 2 warm-up turns,
then ``--repeats`` turns per period, each loading the page, the floor and the export in turn (``--periods 30d``:
only the default view, for the big sizes; ``--reuse <url>``: a database filled before). PostgreSQL runs in a
scratch database of its own, dropped at the end.
Usage: .venv/bin/python bench/dashboard.py [--leads 20000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
       (--leads 1000000 for the issue's size: about 2 minutes to generate per backend)
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from bench.stats_data import generate  # noqa: E402
from bot.admin.settings import all_settings  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.server import build_runtime, create_app  # noqa: E402
from bot.stats.dashboard_link import DashboardKeys  # noqa: E402
from bot.stats.json import figures_json  # noqa: E402
from bot.stats.periods import local_today, parse_period  # noqa: E402
from bot.stats.scope import Scope  # noqa: E402
from bot.stats.service import compute  # noqa: E402
from storage.db import normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

PERIODS = ("30d", "quarter", "ytd")
WARM_UPS = 2
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
MANAGER = 1  # bench/stats_data.py's Dana Manager
WORKSPACE = 1


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def interleaved(works: dict[str, Callable[[], object]], repeats: int) -> dict[str, tuple[float, float]]:
    """p50 / p99 of each work in ms, run in turns (page, floor, export, page, …) so that the load of this shared
    machine, which drifts by the minute, weighs on each of them alike."""
    for _ in range(WARM_UPS):
        for work in works.values():
            work()
    samples: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeats):
        for name, work in works.items():
            start = time.perf_counter()
            work()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: percentiles(found) for name, found in samples.items()}


def bench_backend(
    name: str, url: str, leads: int, repeats: int, periods: tuple[str, ...], *, fresh: bool = True
) -> list[tuple[str, ...]]:
    """``fresh``: migrate and fill the (empty) database first; otherwise it holds a generated workspace already."""
    if fresh:
        upgrade(url)
        started = time.perf_counter()
        made = generate(url, leads, now=NOW)
        print(f"{name}: {made.leads:,} leads, {made.events:,} events, {made.ratings:,} ratings in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    with create_engine(normalise_url(url)).connect() as conn:
        leads = conn.execute(text("SELECT count(*) FROM lead WHERE workspace_id = 1")).scalar_one()
    settings = Settings(
        DATABASE_URL=url,
        TANDEM_SECRET_KEY="bench-secret-0123456789abcdef",  # type: ignore[call-arg]
        TANDEM_SCHEDULER="off",
        _env_file=None,
    )
    clock = FakeClock(NOW)
    runtime = build_runtime(settings, clock=clock)
    keys = DashboardKeys(settings.base_url, settings.secret_key, clock)
    cookie = {"tandem_dashboard": keys.session_value(member_id=MANAGER, workspace_id=WORKSPACE)}
    rows: list[tuple[str, ...]] = []
    try:
        with TestClient(create_app(settings, runtime=runtime), cookies=cookie) as client:
            for form in periods:

                def page(form: str = form) -> None:
                    response = client.get(f"/dashboard?period={form}")
                    assert response.status_code == 200, response.text[:500]

                def export(form: str = form) -> None:
                    response = client.get(f"/dashboard/export.csv?period={form}")
                    assert response.status_code == 200

                def floor(form: str = form) -> None:
                    with runtime.db.session() as session:
                        settings_now = all_settings(session, WORKSPACE)
                        zone = settings_now["timezone"]
                        period = parse_period(form, today=local_today(NOW, zone), zone=zone)
                        figures = compute(
                            session,
                            workspace_id=WORKSPACE,
                            period=period,
                            scope=Scope(MANAGER, "workspace"),
                            now=NOW,
                            settings=settings_now,
                        )
                        figures_json(figures)

                measured = interleaved({"page": page, "floor": floor, "export": export}, repeats)
                (page_p50, page_p99), (floor_p50, floor_p99) = measured["page"], measured["floor"]
                export_p50, export_p99 = measured["export"]
                size = len(client.get(f"/dashboard?period={form}").content)
                rows.append(
                    (name, f"{leads:,}", form, f"{page_p50:.0f} / {page_p99:.0f}",
                     f"{floor_p50:.0f} / {floor_p99:.0f}", f"{page_p50 / floor_p50:.2f}×",
                     f"{export_p50:.0f} / {export_p99:.0f}", f"{size / 1024:.0f} KB")
                )  # fmt: skip
                print(" | ".join(rows[-1]))
    finally:
        runtime.db.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a scratch database is created beside it")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--reuse", help="a database bench/stats_data.py already filled (skips the generation)")
    parser.add_argument("--periods", default=",".join(PERIODS), help="which periods to load, e.g. 30d")
    args = parser.parse_args()
    periods = tuple(args.periods.split(","))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows: list[tuple[str, ...]] = []
    if args.reuse:
        backend = "PostgreSQL" if args.reuse.startswith("postgres") else "SQLite"
        rows += bench_backend(backend, args.reuse, 0, args.repeats, periods, fresh=False)
    elif not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            rows += bench_backend("SQLite", f"sqlite:///{tmp}/bench.db", args.leads, args.repeats, periods)
    if args.postgres and not args.reuse:
        name = f"tandem_bench_dashboard_{os.getpid()}"
        admin = create_engine(normalise_url(args.postgres), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(normalise_url(args.postgres)).set(database=name).render_as_string(hide_password=False)
            rows += bench_backend("PostgreSQL", url, args.leads, args.repeats, periods)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print("\n| backend | leads | period | first load p50 / p99 ms | stats service alone (floor) p50 / p99 ms "
          "| page ÷ floor (p50) | CSV export p50 / p99 ms | HTML |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
