"""What one Slack command may cost if Tandem is to answer at half the rate of an ack-only bolt app, against what
the pieces of a command cost. In-process, SQLite, the same seeded workspace as `bench/slack_wrk.py`; best of
5 rounds per piece, so other load on the machine counts as little as it can. A script, not a test:

    .venv/bin/python bench/slack_budget.py
"""

from __future__ import annotations

import gc
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from slack_wrk import TEAM, seed  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from adapters.slack.commands import reply_payload  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.request import Person, Request  # noqa: E402
from bot.server import build_runtime  # noqa: E402
from storage.models import Lead  # noqa: E402


def best_us(work: Callable[[], object], count: int = 2_000, rounds: int = 5) -> float:
    """Microseconds per call, the best of ``rounds`` rounds of ``count`` calls."""
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(count):
            work()
        results.append((time.perf_counter() - start) / count * 1e6)
    return min(results)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tandem-budget-"))
    path = work / "tandem.db"
    url = f"sqlite:///{path}"
    seed(url, 40)
    runtime = build_runtime(Settings(DATABASE_URL=url, _env_file=None), clock=SystemClock())  # type: ignore[call-arg]
    rita = Person("slack", "URITA", "Rita Rep", "rita@bench.test", "Europe/Berlin")
    gc.collect()
    gc.freeze()  # as `tandem serve` does after start-up
    rows: list[tuple[str, float]] = []
    try:
        db = runtime.db

        def session_one_query() -> None:
            with db.session() as session:
                session.execute(text("SELECT 1")).all()

        columns = select(Lead.id, Lead.status).where(Lead.workspace_id == 1, Lead.number == 1)  # built once
        entity = select(Lead).where(Lead.workspace_id == 1, Lead.number == 1)

        def session_core_lead() -> None:
            with db.session() as session:
                session.execute(columns).all()

        def session_orm_lead() -> None:
            with db.session() as session:
                session.scalars(entity).first()

        rows.append(("an SQLAlchemy session, one transaction, `SELECT 1`", best_us(session_one_query)))
        rows.append(("… reading one lead's columns (Core)", best_us(session_core_lead)))
        rows.append(("… reading one lead entity (ORM)", best_us(session_orm_lead)))
        raw = sqlite3.connect(path)
        rows.append(
            (
                "the same row through the raw `sqlite3` driver, no transaction",
                best_us(
                    lambda: raw.execute(
                        "SELECT id, status FROM lead WHERE workspace_id = ? AND number = ?", (1, 1)
                    ).fetchall(),
                    count=20_000,
                ),
            )
        )
        raw.close()
        for command in ("lead help", "lead show L-1", "lead list mine"):
            request = Request(person=rita, team_id=TEAM, text=command, channel="C0BENCH")
            reply = runtime.dispatcher.handle(request)
            rows.append(
                (
                    f"`{command}`: dispatch",
                    best_us(lambda request=request: runtime.dispatcher.handle(request), count=500),
                )
            )
            rows.append(
                (f"`{command}`: the Reply rendered as Block Kit", best_us(lambda reply=reply: reply_payload(reply)))
            )
    finally:
        runtime.db.dispose()
        shutil.rmtree(work, ignore_errors=True)
    print("| piece | µs |\n|---|---:|")
    for name, micros in rows:
        print(f"| {name} | {micros:,.1f} |")


if __name__ == "__main__":
    main()
