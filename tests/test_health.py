"""Liveness and readiness (SPEC §5)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
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


def samples(body: str, family: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples of one metric family in a Prometheus text page, keyed by their sorted labels."""
    [found] = [f for f in text_string_to_metric_families(body) if f.name == family]
    return {tuple(sorted(s.labels.items())): s.value for s in found.samples if s.name.startswith(family)}


def test_metrics_count_commands_jobs_and_the_outbox(settings: Settings) -> None:
    from bot.replies import say, to_json
    from bot.request import Person, Request
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
            session.add(Outbox(workspace_id=workspace.id, kind="test", target_channel="playground:#x",
                               payload=to_json(say("hi")), dedupe_key=f"metrics-{n}", status=status,
                               next_attempt_at=now, created_at=now))
    with TestClient(app) as client:
        body = client.get("/metrics").text
    commands = samples(body, "tandem_commands")
    assert commands[(("command", "lead list"), ("outcome", "ok"))] == 1.0
    assert commands[(("command", "lead handoff"), ("outcome", "refused"))] == 1.0
    assert samples(body, "tandem_outbox_rows") == {
        (("status", "failed"),): 1.0, (("status", "pending"),): 3.0, (("status", "sent"),): 2.0}
