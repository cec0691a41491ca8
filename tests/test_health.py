"""Liveness and readiness (SPEC §5)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bot.core.config import Settings
from bot.server import create_app


def test_healthz_and_readyz_when_migrated(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_readyz_says_what_to_do_when_migrations_are_pending(tmp_path: Path) -> None:
    settings = Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}", TANDEM_SCHEDULER="off",  # type: ignore[call-arg]
                        _env_file=None)
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503 and "tandem db upgrade" in ready.json()["database"]


def test_readyz_reports_an_unreachable_database() -> None:
    settings = Settings(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none", TANDEM_SCHEDULER="off",  # type: ignore[call-arg]
                        _env_file=None)
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["database"] == "unreachable"


def test_metrics_count_commands_jobs_and_the_outbox(settings: Settings) -> None:
    from bot.core.request import Person, Request

    app = create_app(settings)
    runtime = app.state.runtime
    person = Person("playground", "u-1", "Mara", "mara@acme.test")
    runtime.dispatcher.handle(Request(person=person, team_id="T1", text="lead list"))
    runtime.dispatcher.handle(Request(person=person, team_id="T1", text="lead handoff Acme"))
    with TestClient(app) as client:
        body = client.get("/metrics").text
    assert 'tandem_commands_total{command="lead list",outcome="ok"} 1.0' in body
    assert 'tandem_commands_total{command="lead handoff",outcome="refused"} 1.0' in body
    assert "tandem_outbox_rows" in body
