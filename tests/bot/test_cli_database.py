"""Operator commands on a database that is not ready answer like `tandem serve`: what to do, exit code 1, no
traceback — and no empty `tandem.db` left behind, no migration run behind anyone's back."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner, Result

from bot.cli import app
from storage.migrate import head_revision, upgrade

SECRET = {"TANDEM_SECRET_KEY": "cli-test-secret-0123456789"}
OPERATOR_COMMANDS = [["jobs", "list"], ["jobs", "run", "nags"], ["serve"]]


@pytest.fixture(autouse=True)
def fresh_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no `.env`), and a `serve` that fails the test instead of blocking it."""
    monkeypatch.chdir(tmp_path)

    def started(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("tandem serve started on a database that is not ready")

    monkeypatch.setattr(uvicorn, "run", started)
    return tmp_path


def tandem(*args: str, input: str | None = None, **env: str | None) -> Result:
    environment = {"DATABASE_URL": None, "TANDEM_SCHEDULER": "off", **SECRET, **env}
    return CliRunner().invoke(app, list(args), input=input, env=environment)


def refused(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # a friendly exit, not a crash
    assert "Traceback" not in result.output
    return result.output


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.mark.parametrize("command", OPERATOR_COMMANDS, ids=" ".join)
def test_a_command_in_a_fresh_directory_says_to_upgrade_and_creates_no_database(
    command: list[str], fresh_directory: Path
) -> None:
    output = refused(tandem(*command))
    assert f"There is no database at {fresh_directory / 'tandem.db'} yet" in output
    assert "Run `tandem db upgrade` first" in output
    assert list(fresh_directory.iterdir()) == []


@pytest.mark.parametrize("command", OPERATOR_COMMANDS, ids=" ".join)
def test_a_command_on_an_unmigrated_file_says_where_the_schema_is(command: list[str], fresh_directory: Path) -> None:
    sqlite3.connect(fresh_directory / "tandem.db").close()
    output = refused(tandem(*command))
    assert f"(migrations pending: at none, head {head_revision()}). Run `tandem db upgrade` first." in output
    assert tables(fresh_directory / "tandem.db") == set()


def test_a_half_upgraded_database_is_named_by_its_migration(fresh_directory: Path) -> None:
    upgrade(f"sqlite:///{fresh_directory / 'tandem.db'}", "0002")
    output = refused(tandem("jobs", "list"))
    assert f"at 0002, head {head_revision()}" in output and "tandem db upgrade" in output


def test_a_database_migrated_by_a_newer_release_is_not_sent_to_upgrade(fresh_directory: Path) -> None:
    upgrade(f"sqlite:///{fresh_directory / 'tandem.db'}")
    with sqlite3.connect(fresh_directory / "tandem.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    output = refused(tandem("jobs", "list"))
    assert "migrated by a newer Tandem (at 9999" in output and "tandem db upgrade" not in output


def test_after_db_upgrade_the_same_commands_work(fresh_directory: Path) -> None:
    upgraded = tandem("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    listed = tandem("jobs", "list")
    assert listed.exit_code == 0 and "nags" in listed.output, listed.output


def test_an_unreachable_database_is_named_without_its_password() -> None:
    url = "postgresql://tandem:hunter2-secret@127.0.0.1:1/tandem"
    for command in (["jobs", "list"], ["db", "upgrade"]):
        output = refused(tandem(*command, DATABASE_URL=url))
        assert "OperationalError" in output and "Connection refused" in output and "Check DATABASE_URL" in output
        assert "hunter2" not in output


def test_a_database_url_that_is_no_url_is_not_echoed() -> None:
    output = refused(tandem("jobs", "list", DATABASE_URL="tandem:hunter2-secret"))
    assert "DATABASE_URL is not a database URL" in output and "hunter2" not in output


def test_chat_creates_its_demo_when_missing_and_reuses_it(fresh_directory: Path) -> None:
    first = tandem("chat", "--as", "rita", input="lead list\n")
    assert first.exit_code == 0 and "L-" in first.output, first.output
    again = tandem("chat", "--as", "rita", input="lead list\n")
    assert again.exit_code == 0 and "L-" in again.output, again.output


def test_chat_never_migrates_an_existing_file(fresh_directory: Path) -> None:
    path = fresh_directory / "team.db"
    sqlite3.connect(path).close()
    output = refused(tandem("chat", "--as", "rita", "--database", str(path), input="lead list\n"))
    assert "migrations pending: at none" in output and f"or delete {path} for a fresh demo" in output
    assert tables(path) == set()


def test_the_installed_command_answers_in_one_line(fresh_directory: Path) -> None:
    """The real entry point: what an operator sees in the terminal is the sentence, not 224 lines of traceback."""
    env = {"PATH": "", "HOME": str(fresh_directory), "TANDEM_SCHEDULER": "off"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "jobs", "list"],
        cwd=fresh_directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"There is no database at {fresh_directory / 'tandem.db'} yet. Run `tandem db upgrade` first: it creates it."
    ]
    assert list(fresh_directory.iterdir()) == []
