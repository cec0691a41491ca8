"""The dashboard's own reads (its drill-downs and filter choices) cost the rows they show, not the table: on SQLite
each goes through the index made for it — never a whole-table scan of leads, events or ratings, whatever the
filters. (bench/README_dashboard.md measures them at 200k and 1M leads.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.stats import drilldown
from bot.stats.dashboard_filters import choices
from storage.db import Database

NOW = datetime(2026, 11, 18, 10, tzinfo=UTC)
SETTINGS = {"accept_sla_hours": "4", "first_touch_sla_hours": "24", "stale_after_days": "7"}
SHAPES = [
    drilldown.Narrowing(1),
    drilldown.Narrowing(1, owner_id=2),
    drilldown.Narrowing(1, campaign_id=1, source="webinar"),
]


def _plans(db: Database) -> list[tuple[str, list[str]]]:
    plans: list[tuple[str, list[str]]] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            rows = cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            plans.append((statement, [row[3] for row in rows]))

    return plans


@pytest.mark.parametrize("narrowing", SHAPES, ids=["workspace", "owner", "campaign-and-source"])
def test_no_dashboard_statement_scans_a_whole_table(sqlite_url: str, narrowing: drilldown.Narrowing) -> None:
    db = Database(sqlite_url)
    plans = _plans(db)
    try:
        with db.session() as session:
            drilldown.sla_breaches(session, narrowing, SETTINGS, NOW, limit=25)
            drilldown.low_quality(session, narrowing, NOW - timedelta(days=30), NOW, limit=30)
            choices(session, 1)
    finally:
        db.dispose()
    for statement, plan in plans:
        for step in plan:
            for table in ("lead ", "lead_event", "feedback"):
                assert not step.startswith(f"SCAN {table}"), (step, statement[:200])
            if "handed_off_at" in statement:  # the breaching leads come in their indexes' order: nothing is sorted
                assert "TEMP B-TREE" not in step, (step, statement[:200])
    read = " ".join(step for _, plan in plans for step in plan)
    for index in ("ix_lead_sla_waiting", "ix_lead_sla_untouched", "ix_lead_sla_stale", "ix_feedback_workspace_created",
                  "ix_lead_workspace_source"):  # fmt: skip
        assert index in read, index
