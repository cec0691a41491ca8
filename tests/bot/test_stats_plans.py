"""The cost of `stats` follows the rows of the period, not the table: on SQLite every statement reads the lead,
event and rating tables through an index that narrows the time or the lead — never a whole-table scan. (The
benchmark, bench/README_stats.md, measures it at 10k and 1M leads; PostgreSQL's plans are read there.)"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event

from bot.stats.periods import parse_period
from bot.stats.scope import Scope
from bot.stats.service import compute
from storage.db import Database

SHAPES = [
    Scope(viewer_id=1),
    Scope(viewer_id=1, reach="own"),
    Scope(viewer_id=1, reach="marketing", campaign_id=1, source="webinar"),
    Scope(viewer_id=1, owner_id=2),
]


@pytest.mark.parametrize("scope", SHAPES, ids=lambda s: "-".join(map(str, s.shape)))
def test_no_stats_statement_scans_a_whole_table(sqlite_url: str, scope: Scope) -> None:
    db = Database(sqlite_url)
    plans: list[tuple[str, list[str]]] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            rows = cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            plans.append((statement, [row[3] for row in rows]))

    period = parse_period("30d", today=date(2026, 11, 18), zone="UTC")
    try:
        with db.session() as session:
            compute(session, workspace_id=1, period=period, scope=scope, now=datetime(2026, 11, 18, tzinfo=UTC))
    finally:
        db.dispose()
    assert len(plans) >= 8
    for statement, plan in plans:
        for step in plan:
            for table in ("lead ", "lead_event", "feedback", "tool_click"):
                assert not step.startswith(f"SCAN {table}"), (step, statement[:200])
    read = " ".join(step for _, plan in plans for step in plan)
    for index in ("ix_lead_workspace_created", "ix_lead_event_kind_created_lead", "ix_lead_event_lead_kind"):
        assert index in read
