"""Liveness and readiness (SPEC §5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from bot.core.config import Settings
from bot.server import create_app
from storage import migrate
from storage.db import Database
from storage.migrate import head_revision, upgrade


def test_healthz_and_readyz_when_migrated(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"


def _readyz(database_url: str) -> tuple[int, dict[str, str]]:
    settings = Settings(DATABASE_URL=database_url, TANDEM_SCHEDULER="off", _env_file=None)  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
    return ready.status_code, ready.json()


def test_readyz_says_what_to_do_when_migrations_are_pending(tmp_path: Path) -> None:
    status, body = _readyz(f"sqlite:///{tmp_path / 'empty.db'}")
    assert status == 503
    assert body["database"] == f"migrations pending: at none, head {head_revision()}: run `tandem db upgrade`"


def test_readyz_names_the_migration_a_half_upgraded_database_is_at(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0002")
    status, body = _readyz(url)
    assert status == 503 and body["database"].startswith(f"migrations pending: at 0002, head {head_revision()}:")


def test_readyz_tells_a_database_migrated_by_a_newer_release_from_a_pending_one(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    db.dispose()
    status, body = _readyz(sqlite_url)
    assert status == 503 and body["database"].startswith("schema newer than this release: at 9999_from_the_future")
    assert "tandem db upgrade" not in body["database"]


def test_readyz_reports_an_unreachable_database_without_its_url() -> None:
    status, body = _readyz("postgresql://nobody:hunter2-secret@127.0.0.1:1/none")
    assert status == 503 and body == {"status": "unavailable", "database": "unreachable: OperationalError"}


def test_readyz_reports_an_install_whose_migrations_are_gone(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a running server sees when its package is replaced under it: not an unreachable database."""
    migrate._revisions.cache_clear()
    monkeypatch.setattr(migrate, "MIGRATIONS", tmp_path / "gone")
    try:
        status, body = _readyz(sqlite_url)
    finally:
        migrate._revisions.cache_clear()
    assert status == 503 and body["database"].startswith("migrations unreadable:")


def samples(body: str, family: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples of one metric family in a Prometheus text page, keyed by their sorted labels."""
    [found] = [f for f in text_string_to_metric_families(body) if f.name == family]
    return {tuple(sorted(s.labels.items())): s.value for s in found.samples if s.name.startswith(family)}


def test_metrics_count_commands_jobs_and_the_outbox(settings: Settings) -> None:
    from bot.core.replies import say, to_json
    from bot.core.request import Person, Request
    from storage.models import Outbox, Workspace

    app = create_app(settings)
    runtime = app.state.runtime
    person = Person("playground", "u-1", "Mara", "mara@acme.test")
    runtime.dispatcher.handle(Request(person=person, team_id="T1", text="lead list"))
    runtime.dispatcher.handle(Request(person=person, team_id="T1", text="lead handoff Acme"))
    now = runtime.clock.now()
    with runtime.db.session() as session:
        workspace = Workspace(name="Acme", created_at=now)
        session.add(workspace)
        session.flush()
        for n, status in enumerate(["pending", "pending", "pending", "sent", "failed", "sent"]):
            session.add(
                Outbox(
                    workspace_id=workspace.id,
                    kind="test",
                    target_channel="playground:#x",
                    payload=to_json(say("hi")),
                    dedupe_key=f"metrics-{n}",
                    status=status,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    with TestClient(app) as client:
        body = client.get("/metrics").text
    commands = samples(body, "tandem_commands")
    assert commands[(("command", "lead list"), ("outcome", "ok"))] == 1.0
    assert commands[(("command", "lead handoff"), ("outcome", "refused"))] == 1.0
    assert samples(body, "tandem_outbox_rows") == {
        (("status", "failed"),): 1.0,
        (("status", "pending"),): 3.0,
        (("status", "sent"),): 2.0,
    }
