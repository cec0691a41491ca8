"""Shared fixtures: a migrated database (SQLite always, PostgreSQL when TANDEM_TEST_DATABASE_URL is set),
a clock that only moves when told, and a runtime wired like production."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.runtime import Runtime
from bot.server import build_runtime
from storage.db import Database, normalise_url
from storage.migrate import upgrade

PG_URL = os.environ.get("TANDEM_TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(not PG_URL, reason="no PostgreSQL"))]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "tandem.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_ready() -> Iterator[str]:
    """A database of this test run's own on the PostgreSQL server named by TANDEM_TEST_DATABASE_URL, migrated;
    dropped at the end, so parallel runs and the server's other databases are never touched."""
    assert PG_URL
    name = f"tandem_test_{os.getpid()}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def truncate_all(db: Database) -> None:
    from sqlmodel import SQLModel

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A migrated, empty database; parametrised over the backends available."""
    if request.param == "sqlite":
        path = tmp_path / "tandem.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_ready")
    db = Database(url)
    truncate_all(db)
    db.dispose()
    yield url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite file, for tests that need not run on every backend."""
    path = tmp_path / "tandem.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def clock() -> FakeClock:
    # A Tuesday, 10:00 UTC: inside working hours everywhere in Europe.
    return FakeClock(datetime(2026, 3, 10, 10, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        DATABASE_URL=database_url,
        TANDEM_SECRET_KEY="test-secret-key-0123456789",  # type: ignore[call-arg]
        TANDEM_SCHEDULER="off",
        _env_file=None,
    )


@pytest.fixture
def runtime(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    rt = build_runtime(settings, clock=clock)
    yield rt
    rt.db.dispose()
