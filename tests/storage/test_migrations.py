"""Schema changes only through Alembic: the migrations build exactly what the models describe."""

from __future__ import annotations

import warnings
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, inspect, text
from sqlmodel import SQLModel

from storage.db import Database
from storage.migrate import current_revision, head_revision, is_current, upgrade


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Tables of slack_sdk's installation and state stores are checked against slack_sdk itself
    (tests/adapters/slack/test_oauth_tables.py); every other table must match our models."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
    return not (table or "").startswith("slack_")


def _expression_indexes() -> dict[str, str]:
    """Indexes of the models on an expression (``lower(email)``), by name → table."""
    return {
        index.name: table.name
        for table in SQLModel.metadata.sorted_tables
        for index in table.indexes
        if index.name and any(not isinstance(e, Column) for e in index.expressions)
    }


def test_models_and_migrations_agree(database_url: str) -> None:
    db = Database(database_url)
    try:
        with db.engine.connect() as conn, warnings.catch_warnings():
            if db.is_sqlite:  # SQLite cannot reflect expression indexes: the next test checks those
                warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
                warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based")
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _ours})
            diff = compare_metadata(context, SQLModel.metadata)
        assert diff == [], f"models and migrations disagree — add a migration: {diff}"
        assert is_current(db.engine)
    finally:
        db.dispose()


def test_expression_indexes_of_the_models_exist_on_sqlite_too(sqlite_url: str) -> None:
    expected = _expression_indexes()
    assert "ix_lead_open_email" in expected
    db = Database(sqlite_url)
    with db.engine.connect() as conn:
        found: dict[str, str] = {
            name: table
            for name, table in conn.execute(text("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"))
        }
    db.dispose()
    assert {name: found.get(name) for name in expected} == expected


def test_upgrade_from_nothing_on_a_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    db = Database(url)
    assert current_revision(db.engine) is None and not is_current(db.engine)
    upgrade(url)
    assert current_revision(db.engine) == head_revision()
    assert {"lead", "lead_event", "outbox", "job_lease"} <= set(inspect(db.engine).get_table_names())
    upgrade(url)  # a second run is a no-op
    db.dispose()


def test_sqlite_runs_in_wal_mode_with_normal_sync_and_a_busy_timeout(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_the_nag_query_uses_its_index(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    with db.engine.connect() as conn:
        plan = " ".join(
            str(row)
            for row in conn.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT id FROM lead WHERE nag_due_at IS NOT NULL AND nag_due_at <= '2026-01-01'"
                )
            )
        )
    assert "ix_lead_nag_due" in plan
    db.dispose()


def test_the_light_head_check_agrees_with_alembic() -> None:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    assert head_revision() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_serving_does_not_import_alembic() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from bot.core.config import Settings; from bot.server import create_app; "
        "create_app(Settings(DATABASE_URL='sqlite://', TANDEM_SCHEDULER='off', _env_file=None)); "
        "print('alembic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_my_open_leads_are_read_through_their_partial_index(sqlite_url: str) -> None:
    """`lead list mine` must cost what the rep owns, not what the workspace holds (bench/README.md)."""
    from sqlalchemy.dialects import sqlite

    from bot.leads.lists import _statements

    _, query = _statements("mine", by_owner=False, by_campaign=False, own_only=False)
    query = query.params(workspace=1, actor=2, size=20)
    sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    db = Database(sqlite_url)
    with db.engine.connect() as conn:
        plan = " ".join(str(row) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
    db.dispose()
    assert "ix_lead_owner_open" in plan


def test_a_lead_card_reads_its_own_ratings_not_the_workspaces(sqlite_url: str) -> None:
    """The card's quality comes from the lead's few ratings via the (lead_id, member_id) key (lead_views.py)."""
    from sqlalchemy.dialects import sqlite

    from bot.leads.queries import _BY_NUMBER

    query = _BY_NUMBER.params(workspace=1, number=7)
    sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    db = Database(sqlite_url)
    with db.engine.connect() as conn:
        plan = [str(row[3]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql))]
    db.dispose()
    assert any(step.startswith("SEARCH lead USING INDEX") for step in plan), plan
    ratings = [step for step in plan if "feedback" in step]
    assert len(ratings) == 2 and all("(lead_id=?)" in step for step in ratings), plan


def test_the_duplicate_check_of_a_new_lead_reads_its_partial_indexes(database_url: str) -> None:
    """Every hand-off asks whether an open lead has the same e-mail or company: one index probe, not a scan of
    the workspace's leads (bot/leads/duplicates.py ``open_duplicate``) — on a table of some thousands of leads,
    open and closed, whose statistics the database has (autovacuum keeps them on PostgreSQL)."""
    from datetime import UTC, datetime

    from sqlmodel import Session

    from bot.leads.duplicates import _SAME_COMPANY, _SAME_EMAIL
    from storage.models import Lead, Workspace

    db = Database(database_url)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with Session(db.engine) as session:
        session.add_all([Workspace(id=1, name="Acme", created_at=now), Workspace(id=2, name="Globex", created_at=now)])
        session.flush()
        session.add_all(
            Lead(
                workspace_id=1 + n % 2,
                number=n,
                company=f"Company {n}",
                email=f"person{n}@example.com",
                status=("handed_off", "accepted", "won", "lost")[n % 4],
                created_at=now,
            )
            for n in range(1, 3001)
        )
        session.commit()
    plans = {}
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE lead" if db.is_postgres else "ANALYZE"))
        explain = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
        for name, query in (
            ("email", _SAME_EMAIL.params(workspace=1, email="Jo@Acme.com")),
            ("company", _SAME_COMPANY.params(workspace=1, company="ACME")),
        ):
            sql = str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
            plans[name] = " ".join(str(row) for row in conn.execute(text(explain + sql)))
    db.dispose()
    assert "ix_lead_open_email" in plans["email"], plans
    assert "ix_lead_open_company" in plans["company"], plans


def test_a_marketers_hand_offs_are_read_through_their_index(sqlite_url: str) -> None:
    from sqlalchemy.dialects import sqlite

    from bot.leads.lists import _statements

    _, query = _statements("handed", by_owner=False, by_campaign=False, own_only=False)
    sql = str(
        query.params(workspace=1, actor=2, size=20).compile(
            dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}
        )
    )
    db = Database(sqlite_url)
    with db.engine.connect() as conn:
        plan = " ".join(str(row) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
    db.dispose()
    assert "ix_lead_marketer_created" in plan and "TEMP B-TREE" not in plan, plan
