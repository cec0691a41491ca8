"""`tandem jobs list` and `tandem jobs run <name>` for operators."""

from __future__ import annotations

from typer.testing import CliRunner

from bot.cli import app


def test_jobs_run_then_list_shows_the_run(sqlite_url: str) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": sqlite_url, "TANDEM_SCHEDULER": "off"}
    ran = runner.invoke(app, ["jobs", "run", "nags"], env=env)
    assert ran.exit_code == 0, ran.output
    assert ran.output.startswith("nags: nagged 0")
    listed = runner.invoke(app, ["jobs", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    lines = {line.split()[0]: line for line in listed.output.splitlines()}
    assert "every 5 min" in lines["nags"] and "nagged 0" in lines["nags"] and " s) on " in lines["nags"]
    assert "never run" in lines["delivery"] and "daily at 03:17 UTC" in lines["housekeeping"]
    schedule_columns = {line.index(line.split()[1]) for line in lines.values()}
    assert len(schedule_columns) == 1, "every job's schedule starts in the same column, however long its name"


def test_jobs_run_an_unknown_job_names_the_real_ones(sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["jobs", "run", "nag"], env={"DATABASE_URL": sqlite_url})
    assert result.exit_code == 1
    assert "no job called `nag`" in result.output and "nags" in result.output
