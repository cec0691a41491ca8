"""`tandem import leads <file.csv> [--workspace …] [--dry-run]` (SPEC §5): the summary at the end, exit code 1
with nothing written when the file cannot be read, 2 when rows were refused, and the workspace named by team id,
tenant id or name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.core.config import Settings
from bot.server import build_runtime
from storage.models import Lead, LeadImport
from tests.bot.conftest import Team, _set_role

CSV = "Company Name,E-mail,Phone\nAcme,jo@acme.com,555\nGlobex,gus@globex.com,556\n"


@pytest.fixture
def database(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite file with one Slack workspace (two reps) and the working directory beside it."""
    path = tmp_path / "tandem.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    monkeypatch.chdir(tmp_path)
    runtime = build_runtime(Settings(DATABASE_URL=url, TANDEM_SCHEDULER="off", _env_file=None))  # type: ignore[call-arg]
    team = Team(runtime, team_id="T0ACME", platform="slack")
    for who in ("mara", "rita", "sam"):
        team.say(who, "lead list")
    _set_role(runtime, team, "mara", "marketer")
    runtime.db.dispose()
    yield url


def tandem(database: str, *args: str) -> Result:
    env = {"DATABASE_URL": database, "TANDEM_SCHEDULER": "off", "TANDEM_SECRET_KEY": "cli-test-secret-0123456789"}
    return CliRunner().invoke(app, ["import", "leads", *args], env=env)


def leads_in(database: str) -> int:
    runtime = build_runtime(Settings(DATABASE_URL=database, TANDEM_SCHEDULER="off", _env_file=None))  # type: ignore[call-arg]
    with runtime.db.session() as session:
        count = session.exec(select(func.count()).select_from(Lead)).one()
        imports = session.exec(select(func.count()).select_from(LeadImport)).one()
    runtime.db.dispose()
    return count + 1000 * imports


def write(tmp_path: Path, text: str | bytes, name: str = "leads.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def test_an_import_prints_its_summary_and_exits_0(database: str, tmp_path: Path) -> None:
    result = tandem(database, write(tmp_path, CSV))
    assert result.exit_code == 0, result.output
    assert "✅ Imported 2 leads from leads.csv (L-1 to L-2)." in result.output
    assert "Imported: 2" in result.output and "Duplicates skipped: 0" in result.output and "Refused: 0" in result.output
    assert "Owners: Rita 1, Sam 1." in result.output
    assert "Ignored (not a lead column): “Phone”" in result.output
    assert "Workspace: " in result.output and "Slack team T0ACME" in result.output
    assert str(tmp_path) not in result.output  # messages name the file, not the operator's folders
    again = tandem(database, write(tmp_path, CSV))
    assert again.exit_code == 0 and "Nothing new in leads.csv" in again.output
    assert "Duplicates skipped: 2" in again.output


def test_refused_rows_are_each_named_and_the_exit_code_is_2(database: str, tmp_path: Path) -> None:
    rows = "company,email\n" + "".join(f"Bad {n},not-mail-{n}\n" for n in range(30)) + "Good,good@example.com\n"
    result = tandem(database, write(tmp_path, rows))
    assert result.exit_code == 2, result.output
    assert "✅ Imported 1 lead from leads.csv (L-1)." in result.output
    assert "line 2: the e-mail “not-mail-0” is not an e-mail address" in result.output
    assert "line 31: the e-mail “not-mail-29”" in result.output  # every refused row, not the first twenty


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "leads.csv is empty"),
        (b"PK\x03\x04 a workbook", "an Excel workbook"),
        (b"company\nCaf\xe9\n", "not UTF-8 text"),
        (b"name,email\nJo,jo@acme.com\n", "no `company` column"),
    ],
)
def test_an_unreadable_file_exits_1_and_writes_nothing(
    database: str, tmp_path: Path, content: bytes, says: str
) -> None:
    result = tandem(database, write(tmp_path, content))
    assert result.exit_code == 1 and says in result.output, result.output
    assert "Traceback" not in result.output
    assert leads_in(database) == 0


def test_a_missing_file_is_named(database: str, tmp_path: Path) -> None:
    result = tandem(database, str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and f"There is no file at {tmp_path / 'nope.csv'}." in result.output


def test_a_dry_run_writes_nothing(database: str, tmp_path: Path) -> None:
    result = tandem(database, write(tmp_path, CSV), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "🔎 Dry run of leads.csv: 2 leads would be created (L-1 to L-2). Nothing was written." in result.output
    assert "Would go to: Rita 1, Sam 1." in result.output
    assert leads_in(database) == 0


def test_the_workspace_is_named_by_team_id_or_name_when_there_are_several(database: str, tmp_path: Path) -> None:
    runtime = build_runtime(Settings(DATABASE_URL=database, TANDEM_SCHEDULER="off", _env_file=None))  # type: ignore[call-arg]
    globex = Team(runtime, team_id="72f988bf-86f1-41af-91ab-2d7cd011db47", platform="teams")
    globex.say("gus", "lead list")
    runtime.db.dispose()
    path = write(tmp_path, CSV)
    unsure = tandem(database, path)
    assert unsure.exit_code == 1 and "holds 2 workspaces; say which one with --workspace" in unsure.output
    assert "Slack team T0ACME" in unsure.output and "Teams tenant 72f988bf" in unsure.output
    unknown = tandem(database, path, "--workspace", "Initech")
    assert unknown.exit_code == 1 and "No workspace has the id or name “Initech”" in unknown.output
    by_tenant = tandem(database, path, "--workspace", "72F988BF-86F1-41AF-91AB-2D7CD011DB47")
    assert by_tenant.exit_code == 0 and "Teams tenant 72f988bf" in by_tenant.output, by_tenant.output
    assert "Owners: Gus 2." in by_tenant.output  # the only rep over there
    by_id = tandem(database, path, "--workspace", "T0ACME")
    assert by_id.exit_code == 0 and "Imported 2 leads" in by_id.output, by_id.output


def test_a_database_not_upgraded_is_refused_like_every_operator_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing.db'}"
    result = tandem(url, write(tmp_path, CSV))
    assert result.exit_code == 1 and "Run `tandem db upgrade` first" in result.output
    assert not (tmp_path / "missing.db").exists()


def test_the_workspace_may_be_named_by_its_name_ignoring_case(database: str, tmp_path: Path) -> None:
    from storage.models import Workspace

    runtime = build_runtime(Settings(DATABASE_URL=database, TANDEM_SCHEDULER="off", _env_file=None))  # type: ignore[call-arg]
    Team(runtime, team_id="T0OTHER", platform="slack").say("olga", "lead list")
    with runtime.db.session() as session:
        for workspace in session.exec(select(Workspace)).all():
            workspace.name = "Acme Corp" if workspace.id == 1 else "Other Co"
            session.add(workspace)
    runtime.db.dispose()
    result = tandem(database, write(tmp_path, CSV), "--workspace", "acme corp")
    assert result.exit_code == 0 and "Workspace: Acme Corp (Slack team T0ACME)" in result.output, result.output
    with runtime.db.session() as session:
        for workspace in session.exec(select(Workspace)).all():
            workspace.name = "Acme Corp"
            session.add(workspace)
    runtime.db.dispose()
    twins = tandem(database, write(tmp_path, CSV), "--workspace", "Acme Corp")
    assert twins.exit_code == 1
    assert "2 workspaces are called “Acme Corp”; name one by its team or tenant id" in twins.output


def test_a_progress_bar_is_drawn_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from bot.cli import _progress_bar

    with _progress_bar("leads.csv") as none:
        assert none is None  # pytest's captured stdout is no terminal
    screen = io.StringIO()
    screen.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdout", screen)
    with _progress_bar("leads.csv") as progress:
        assert progress is not None
        progress(500, 1000)
        progress(1000, 1000)
