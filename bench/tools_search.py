"""Benchmark `tool <query>` (issue 12): 10,000 tools in one workspace, the whole command through dispatch
(who is asking, the index key, ranking, the result rows with their opens, the reply), side by side with the bare
database floors over the same rows: an FTS5 `trigram` query on SQLite and a `pg_trgm` word-similarity query on
PostgreSQL (created here only; the product needs neither). Also: whether each finds the typo cases, and what a
cold index build costs (the first search after a tool is added or removed).

Bounded (about 3 minutes): 10 queries x 30 repeats per run, 3 runs per backend (2 repeats for the slow WRatio
alternative); PostgreSQL runs in a scratch database of its own,
dropped at the end.
Usage: .venv/bin/python bench/tools_search.py [--postgres postgresql://postgres@127.0.0.1:5432/test] [--tools N]
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
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, make_url, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot.core.clock import SystemClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.people import find_workspace  # noqa: E402
from bot.core.replies import Link  # noqa: E402
from bot.core.request import Person, Request  # noqa: E402
from bot.server import build_runtime  # noqa: E402
from bot.tools.ranking import ToolIndex  # noqa: E402
from bot.tools.search import cache_for, search  # noqa: E402
from storage.db import normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Member, Tool  # noqa: E402

TYPO_CASES = {"pricng deck": "Pricing deck", "harbour roi": "Harbour ROI calculator", "batlecard": "Battlecard: Globex"}
OTHER_QUERIES = (
    "security one pager",
    "globex",
    "onboarding case study",
    "roi calculator",
    "webinar recording",
    "how do we win against initech",
    "zzqxv",
)
REPEATS = 30
RUNS = 3

KINDS = (
    "deck",
    "one-pager",
    "competitive brief",
    "case study",
    "calculator",
    "datasheet",
    "playbook",
    "webinar recording",
    "checklist",
    "template",
    "email sequence",
    "FAQ",
    "whitepaper",
    "demo video",
    "price sheet",
    "proposal",
)
TOPICS = (
    "security",
    "onboarding",
    "migration",
    "integration",
    "compliance",
    "analytics",
    "forecasting",
    "pipeline",
    "renewal",
    "expansion",
    "procurement",
    "data residency",
    "SSO",
    "API",
    "mobile",
    "reporting",
    "territory",
    "quota",
    "discovery",
    "negotiation",
    "implementation",
    "support",
    "training",
    "partner",
)
COMPANIES = (
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Vandelay",
    "Oscorp",
    "Massive Dynamic",
    "Pied Piper",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Duff",
)
COMMON = tuple(
    " ".join(
        (
            "the a for our team customers how why when we they need with and to of in on this that quick guide",
            "answers objections proof value cost time save faster better enterprise midmarket region emea apac",
            "americas buyer champion budget decision stakeholder legal security review approval timeline rollout",
            "seats admin dashboard workflow automation insight report call meeting follow-up next step",
        )
    ).split(" ")
)


def _word(rng: random.Random) -> str:
    syllables = ("ka", "lo", "mer", "vin", "tra", "sol", "qui", "den", "par", "xo", "bel", "rum", "fi", "gan", "tor")
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))


def make_tools(count: int, seed: int = 12) -> list[tuple[str, str, str]]:
    """(title, description, tags): believable marketing assets, with a long tail of product and feature words."""
    rng = random.Random(seed)
    rare = [_word(rng) for _ in range(3000)]
    rows = []
    for n in range(count - len(TYPO_CASES)):
        title = f"{rng.choice(TOPICS).capitalize()} {rng.choice(KINDS)}"
        if rng.random() < 0.4:
            title += f": {rng.choice(COMPANIES)}"
        if rng.random() < 0.5:
            title += f" {rng.choice(rare)}"
        title += f" {2020 + n % 7}"
        words = [rng.choice(COMMON) if rng.random() < 0.6 else rng.choice(rare) for _ in range(rng.randint(15, 45))]
        tags = ",".join(t.lower().replace(" ", "-") for t in rng.sample(TOPICS, 2))
        rows.append((title, " ".join(words), tags))
    rows += [
        ("Pricing deck", "List prices and the discount ladder", "pricing"),
        ("Harbour ROI calculator", "Payback in months from seats and hours saved", "roi,finance"),
        ("Battlecard: Globex", "How we win against Globex", "competitor"),
    ]
    rng.shuffle(rows)
    return rows


def seed(runtime: object, tools: list[tuple[str, str, str]]) -> None:
    from bot.core.runtime import Runtime

    assert isinstance(runtime, Runtime)
    ask(runtime, "mara", "lead list")
    with runtime.db.session() as session:
        workspace = find_workspace(session, "playground", "bench")
        assert workspace is not None and workspace.id is not None
        owner = session.exec(select(Member).where(Member.workspace_id == workspace.id)).one()
        owner.role = "marketer"
        session.add(owner)
        now = datetime.now(UTC)
        session.execute(
            insert(Tool.__table__),
            [  # type: ignore[attr-defined]
                {
                    "workspace_id": workspace.id,
                    "number": n,
                    "title": title,
                    "url": f"https://drive.example.com/{n}",
                    "description": description,
                    "tags": tags,
                    "owner_id": owner.id,
                    "created_at": now,
                }
                for n, (title, description, tags) in enumerate(tools, start=1)
            ],
        )
        workspace.tool_seq = len(tools)
        session.add(workspace)


def ask(runtime: object, who: str, command: str) -> list[str]:
    from bot.core.runtime import Runtime

    assert isinstance(runtime, Runtime)
    reply = runtime.dispatcher.handle(
        Request(Person("playground", who, who.capitalize()), "bench", command, team_name="Bench")
    )
    return [span.text for block in reply.blocks for span in getattr(block, "text", ()) if isinstance(span, Link)]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed_runs(work: Callable[[str], object], repeats: int = REPEATS) -> dict[str, list[tuple[float, float]]]:
    """RUNS runs of every query REPEATS times: (p50, p99) in ms per run, wall clock and this thread's CPU time
    (the machine is shared: CPU time leaves out the waits for a core that other people's work causes)."""
    queries = [*TYPO_CASES, *OTHER_QUERIES]
    out: dict[str, list[tuple[float, float]]] = {"wall": [], "cpu": []}
    for _ in range(RUNS):
        wall, cpu = [], []
        for _ in range(repeats):
            for query in queries:
                started, started_cpu = time.perf_counter(), time.thread_time()
                work(query)
                cpu.append((time.thread_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
        out["wall"].append(percentiles(wall))
        out["cpu"].append(percentiles(cpu))
    return out


def median_of_runs(runs: dict[str, list[tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    return {
        clock: (statistics.median(r[0] for r in per_run), statistics.median(r[1] for r in per_run))
        for clock, per_run in runs.items()
    }


# -- the simplest in-memory alternative: rapidfuzz WRatio over each tool's whole text ------------------------------


def wratio_alternative(tools: list[tuple[str, str, str]]) -> Callable[[str], list[str]]:
    from rapidfuzz import fuzz, process, utils

    titles = [title for title, _, _ in tools]
    documents = [
        utils.default_process(f"{title} {tags.replace(',', ' ')} {description}") for title, description, tags in tools
    ]

    def query(words: str) -> list[str]:
        found = process.extract(utils.default_process(words), documents, scorer=fuzz.WRatio, processor=None, limit=5)
        return [titles[position] for _, _, position in found]

    return query


# -- the bare floors ---------------------------------------------------------------------------------------------


def fts5_floor(path: str, tools: list[tuple[str, str, str]]) -> tuple[Callable[[str], list[str]], float]:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE bench_fts USING fts5(title, description, tags, tokenize='trigram')")
    conn.executemany("INSERT INTO bench_fts (title, description, tags) VALUES (?, ?, ?)", tools)
    conn.commit()

    def query(words: str) -> list[str]:
        terms = [w for w in words.replace(":", " ").split() if len(w) >= 3]  # trigram needs 3 characters a term
        if not terms:
            return []
        match = " ".join('"' + w.replace('"', '""') + '"' for w in terms)
        rows = conn.execute(
            "SELECT title FROM bench_fts WHERE bench_fts MATCH ? ORDER BY bm25(bench_fts) LIMIT 5", (match,)
        ).fetchall()
        return [row[0] for row in rows]

    return query, 0.0


def trgm_floor(url: str) -> Callable[[str], list[str]]:
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        conn.execute(
            text(
                "CREATE TABLE bench_trgm AS SELECT id, title, title || ' ' || replace(tags, ',', ' ') "
                "|| ' ' || description AS doc FROM tool"
            )
        )
        conn.execute(text("CREATE INDEX ON bench_trgm USING gin (doc gin_trgm_ops)"))
        conn.execute(text("ANALYZE bench_trgm"))
    conn = engine.connect()
    statement = text("SELECT title FROM bench_trgm WHERE :q <% doc ORDER BY word_similarity(:q, doc) DESC, id LIMIT 5")

    def query(words: str) -> list[str]:
        return [row[0] for row in conn.execute(statement, {"q": words})]

    return query


# -- one backend -------------------------------------------------------------------------------------------------


def bench_backend(name: str, url: str, tools: list[tuple[str, str, str]], sqlite_path: str | None) -> dict[str, object]:
    upgrade(url)
    settings = Settings(
        DATABASE_URL=url,
        TANDEM_SECRET_KEY="bench-secret-key-0123456789",  # type: ignore[call-arg]
        TANDEM_SCHEDULER="off",
        _env_file=None,
    )
    runtime = build_runtime(settings, clock=SystemClock())
    seed(runtime, tools)
    ask(runtime, "mara", "tandem help")
    with runtime.db.session() as session:
        workspace = find_workspace(session, "playground", "bench")
        assert workspace is not None and workspace.id is not None
        rows = session.execute(
            text("SELECT id, number, title, description, tags, campaign_id FROM tool WHERE workspace_id = :w"),
            {"w": workspace.id},
        ).all()
        cache = cache_for(session)
    builds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        ToolIndex.build((0, 0), rows)
        builds.append((time.perf_counter() - started) * 1000)
    first = ask(runtime, "rita", "tool pricing")  # builds the cached index once
    command_runs = timed_runs(lambda q: ask(runtime, "rita", f"tool {q}"))
    with runtime.db.session() as session:
        ranking_runs = timed_runs(lambda q: search(session, workspace.id or 0, q))
    found = {q: ask(runtime, "rita", f"tool {q}")[:1] == [want] for q, want in TYPO_CASES.items()}
    after_add, after_remove = [], []
    for n in range(RUNS):  # the first search after a change, on a replica whose index is warm
        assert ask(runtime, "mara", f'tool add "Bench extra {n}" url:https://example.com/extra/{n}')
        started = time.perf_counter()
        ask(runtime, "rita", "tool pricng deck")
        after_add.append((time.perf_counter() - started) * 1000)
        ask(runtime, "mara", f"tool remove T-{n + 1}")
        started = time.perf_counter()
        ask(runtime, "rita", "tool pricng deck")
        after_remove.append((time.perf_counter() - started) * 1000)
    assert cache.builds == 1, cache.builds  # brought up to date, never rebuilt
    floor: Callable[[str], list[str]]
    if sqlite_path:
        floor, _ = fts5_floor(sqlite_path, tools)
        floor_name = "FTS5 trigram MATCH + bm25"
    else:
        floor = trgm_floor(url)
        floor_name = "pg_trgm word_similarity (<%, GIN)"
    floor_runs = timed_runs(floor)
    floor_found = {q: want in floor(q)[:1] for q, want in TYPO_CASES.items()}
    floor_any = {q: want in floor(q) for q, want in TYPO_CASES.items()}
    runtime.db.dispose()
    assert first and cache.builds >= 1
    return {
        "backend": name,
        "command": median_of_runs(command_runs),
        "floor": median_of_runs(floor_runs),
        "ranking": median_of_runs(ranking_runs),
        "floor_name": floor_name,
        "found": found,
        "floor_found": floor_found,
        "floor_any": floor_any,
        "build": statistics.median(builds),
        "after_add": statistics.median(after_add),
        "after_remove": statistics.median(after_remove),
    }


def report(result: dict[str, object]) -> None:
    command, floor, ranking = result["command"], result["floor"], result["ranking"]
    assert isinstance(command, dict) and isinstance(floor, dict) and isinstance(ranking, dict)
    print(
        f"\n{result['backend']} (median of {RUNS} runs; p50 / p99 in ms), cold index build {result['build']:.0f} ms, "
        f"first search after an add {result['after_add']:.1f} ms, after a removal {result['after_remove']:.1f} ms"
    )
    for clock in ("wall", "cpu"):
        print(
            f"  {clock:>4}: `tool <query>` {command[clock][0]:.2f} / {command[clock][1]:.2f} | search alone "
            f"{ranking[clock][0]:.2f} / {ranking[clock][1]:.2f} | {result['floor_name']} {floor[clock][0]:.2f} / "
            f"{floor[clock][1]:.2f} | ratio p50 {command[clock][0] / floor[clock][0]:.1f}x, "
            f"p99 {command[clock][1] / floor[clock][1]:.1f}x"
        )
    print(f"  typo cases found first by tool: {result['found']}")
    print(f"  typo cases found first by the bare query: {result['floor_found']}, in its top 5: {result['floor_any']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a scratch database is created beside it")
    parser.add_argument("--tools", type=int, default=10_000)
    args = parser.parse_args()
    tools = make_tools(args.tools)
    print(f"{len(tools):,} tools; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    alternative = wratio_alternative(tools)
    runs = median_of_runs(timed_runs(alternative, repeats=2))  # ~0.25 s a query: 2 repeats are plenty
    print(
        f"\nrapidfuzz WRatio over title+tags+description, in memory: wall {runs['wall'][0]:.2f} / "
        f"{runs['wall'][1]:.2f} ms, cpu {runs['cpu'][0]:.2f} / {runs['cpu'][1]:.2f} ms (p50 / p99); typo cases "
        f"found first: { {q: alternative(q)[:1] == [want] for q, want in TYPO_CASES.items()} }"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/bench.db"
        report(bench_backend("SQLite", f"sqlite:///{path}", tools, path))
    if args.postgres:
        name = f"tandem_bench_tools_{os.getpid()}"
        admin = create_engine(normalise_url(args.postgres), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(normalise_url(args.postgres)).set(database=name).render_as_string(hide_password=False)
            report(bench_backend("PostgreSQL", url, tools, None))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
