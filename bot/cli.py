"""`tandem` command line: serve, demo, chat, db upgrade — and the operator commands other modules add."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from bot.core.config import Settings

if TYPE_CHECKING:
    from storage.db import Database

app = typer.Typer(
    help="Tandem — sales and marketing, one team, in Slack and Microsoft Teams.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
jobs_app = typer.Typer(help="Scheduled jobs: list them, or run one now.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")

DEMO_DB = "tandem-demo.db"


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


UPGRADE_FIRST = "Run `tandem db upgrade` first"


def migrated_database(settings: Settings, *, fix: str = UPGRADE_FIRST) -> Database:
    """The database of an operator command, opened only when it is at this release's head: otherwise the command
    says what to do and exits 1, without a traceback and without leaving an empty SQLite file behind."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from storage.db import Database, sqlite_file
    from storage.migrate import MigrationsUnreadable, schema_state

    try:
        path = sqlite_file(settings.database_url)
        if path is not None and not path.exists():
            _fail(f"There is no database at {path.resolve()} yet. {UPGRADE_FIRST}: it creates it.")
        db = Database(settings.database_url)
    except ArgumentError:
        _fail("DATABASE_URL is not a database URL (for example sqlite:///./tandem.db or postgresql://user@host/db).")
    try:
        state = schema_state(db.engine)
    except MigrationsUnreadable as error:
        db.dispose()
        _fail(f"This Tandem install is incomplete ({error}). Reinstall it.")
    except SQLAlchemyError as error:
        db.dispose()
        _fail(f"Cannot open the database: {_reason(error)}. Check DATABASE_URL.")
    if state.is_newer:
        db.dispose()
        _fail(
            f"The database was migrated by a newer Tandem (at {state.current}; this release knows up to "
            f"{state.head}). Run that release, or install it here."
        )
    if not state.is_current:
        db.dispose()
        _fail(f"The database schema is not current ({state.describe()}). {fix}.")
    return db


def _reason(error: Exception) -> str:
    """The driver's own first line (names a host or a file, never a password), after its error class."""
    cause = getattr(error, "orig", None) or error
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (run once before starting replicas)."""
    from sqlalchemy.exc import OperationalError

    from storage.migrate import upgrade

    settings = load_settings()
    try:
        upgrade(settings.database_url)
    except OperationalError as error:
        _fail(f"Cannot reach the database: {_reason(error)}. Check DATABASE_URL.")
    typer.echo("Database is at the latest migration.")


@jobs_app.command("list")
def jobs_list() -> None:
    """Each job, its schedule, and its last run (any replica's): when, how long, what it did."""
    from bot.server import build_runtime
    from schedules.registry import describe, list_jobs

    settings = load_settings()
    runtime = build_runtime(settings, db=migrated_database(settings))
    try:
        for status in list_jobs(runtime):
            typer.echo(describe(status))
    finally:
        runtime.db.dispose()


@jobs_app.command("run")
def jobs_run(name: Annotated[str, typer.Argument(help="delivery, nags, housekeeping, …")]) -> None:
    """Run one job now, on this machine, through the senders this configuration enables."""
    from bot.server import build_runtime, create_app
    from schedules.registry import run_job

    settings = load_settings()
    runtime = build_runtime(settings, db=migrated_database(settings))
    create_app(settings, runtime=runtime)  # plugs in the senders this configuration enables
    try:
        firing = run_job(runtime, name)
    except LookupError as error:
        _fail(str(error))
        return
    finally:
        runtime.db.dispose()
    if firing.error:
        _fail(f"{name} failed after {firing.seconds:.2f} s: {firing.error}")
    typer.echo(f"{name}: {firing.result or 'done'} ({firing.seconds:.2f} s)")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run Tandem in production: migrations must be current and TANDEM_SECRET_KEY set."""
    import uvicorn

    settings = load_settings()
    try:
        settings.require_production_secret()
    except ValueError as error:
        _fail(str(error))
    migrated_database(settings).dispose()
    _configure_logging()
    uvicorn.run(
        "bot.server:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )


@app.command()
def demo(
    host: str = "127.0.0.1",
    port: int = 8000,
    fresh: bool = True,
    database: Annotated[Path, typer.Option(help="SQLite file for the demo")] = Path(DEMO_DB),
) -> None:
    """A fresh SQLite demo with a sample team and leads; opens the web playground."""
    import uvicorn

    from bot.server import create_app

    url = f"http://{host}:{port}/"
    runtime = _demo_runtime(database, fresh=fresh, served_at=url.rstrip("/"))
    _configure_logging()

    class Announcing(uvicorn.Server):
        """Says the demo is ready only once it is: the app started and the port accepts connections."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and not self.should_exit:
                typer.secho(
                    f"\n  Tandem demo is ready: {url}\n  Pick a person, type `help`, hand a lead off and accept it.\n",
                    fg=typer.colors.GREEN,
                    bold=True,
                )

    server = Announcing(
        uvicorn.Config(create_app(runtime.settings, runtime=runtime), host=host, port=port, log_level="warning")
    )
    with contextlib.suppress(SystemExit):  # uvicorn exits when it cannot start; say why below instead
        server.run()
    if not server.started:
        _fail(
            f"The demo could not start on {host}:{port}. Is another program using the port? "
            f"Try `tandem demo --port {port + 1}`."
        )


@app.command()
def chat(
    as_: Annotated[str, typer.Option("--as", help="the demo person to speak as, e.g. rita")],
    database: Annotated[Path, typer.Option(help="SQLite demo file (created when missing)")] = Path(DEMO_DB),
) -> None:
    """Talk to the bot in the terminal as a demo person (reads lines from stdin when it is not a terminal)."""
    from adapters.console import run_console
    from bot.server import build_runtime

    if database.exists():  # someone's file: used as it is, never migrated behind their back
        settings = _demo_settings(database)
        fix = f"Run `DATABASE_URL=sqlite:///{database} tandem db upgrade` first, or delete {database} for a fresh demo"
        runtime = build_runtime(settings, db=migrated_database(settings, fix=fix))
    else:
        runtime = _demo_runtime(database, fresh=True)
    code = run_console(runtime, as_, sys.stdin, sys.stdout)
    raise typer.Exit(code=code or 0)


def _demo_settings(database: Path, served_at: str | None = None) -> Settings:
    """``served_at`` is where this demo listens: links it hands out (tools, the dashboard) point there unless
    ``TANDEM_BASE_URL`` says otherwise."""
    overrides: dict[str, object] = {"DATABASE_URL": f"sqlite:///{database}", "TANDEM_PLAYGROUND": "1"}
    if served_at and "TANDEM_BASE_URL" not in os.environ:
        overrides["TANDEM_BASE_URL"] = served_at
    return load_settings(**overrides).with_secret()


def _demo_runtime(database: Path, *, fresh: bool, served_at: str | None = None):  # type: ignore[no-untyped-def]
    from bot.demo import seed_demo
    from bot.server import build_runtime
    from storage.migrate import upgrade

    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    settings = _demo_settings(database, served_at)
    upgrade(settings.database_url)
    runtime = build_runtime(settings)
    if fresh:
        seed_demo(runtime)
    return runtime


import_app = typer.Typer(help="Bring data in from files.", no_args_is_help=True)
app.add_typer(import_app, name="import")
REFUSED_ROWS_EXIT = 2


@import_app.command("leads")
def import_leads(
    file: Annotated[Path, typer.Argument(help="CSV with a header row: company, email, name, source, campaign, …")],
    workspace: Annotated[
        str | None,
        typer.Option(help="Slack team id, Teams tenant id or workspace name (not needed when there is one)"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check the file and say what would happen")] = False,
) -> None:
    """Import leads as hand-offs: routed, carded in one message per owner, SLA clock started. Rows matching an
    open lead (or a lead an earlier import of this file created) are skipped; exit code 2 when rows were refused."""
    from sqlalchemy.exc import SQLAlchemyError

    from adapters.console import render_text
    from bot.core.clock import SystemClock
    from bot.core.errors import TandemError
    from bot.core.workspaces import find_workspace_by_ref
    from bot.imports.service import ImportFile, UnreadableFile
    from bot.imports.service import import_leads as run_import
    from bot.imports.views import summary_reply

    data = _read_file(file)
    settings = load_settings()
    db = migrated_database(settings)
    try:
        with db.session() as session:
            target = find_workspace_by_ref(session, workspace)
        with _progress_bar(file.name) as progress:
            report = run_import(
                db,
                SystemClock(),
                ImportFile(file.name, data),
                workspace_id=target.id,
                dry_run=dry_run,
                progress=progress,
            )
    except (UnreadableFile, TandemError) as error:
        _fail(str(error))
    except SQLAlchemyError as error:
        _fail(
            f"The import stopped: {_reason(error)}. The leads imported before it are saved; run the same command "
            "again to finish it (they are skipped, not doubled)."
        )
    except KeyboardInterrupt:
        typer.secho("Interrupted. Run the same command again to finish the import.", fg=typer.colors.YELLOW, err=True)
        raise typer.Exit(code=130) from None
    finally:
        db.dispose()
    typer.echo(f"Workspace: {target.describe()}")
    typer.echo(render_text(summary_reply(report, every_refusal=True)))
    if report.refused:
        raise typer.Exit(code=REFUSED_ROWS_EXIT)


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        _fail(f"There is no file at {path}.")
    except IsADirectoryError:
        _fail(f"{path} is a folder; give the CSV file in it.")
    except OSError as error:
        _fail(f"Cannot read {path}: {error.strerror or error}.")


@contextlib.contextmanager
def _progress_bar(name: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar while rows are written, on a terminal only: piped output stays the summary alone."""
    if not sys.stdout.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("Importing {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task(name, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


from bot.admin.apikey_cli import apikey_app  # noqa: E402  (after the helpers it uses)

app.add_typer(apikey_app, name="apikey")


teams_app = typer.Typer(help="Microsoft Teams.", no_args_is_help=True)
app.add_typer(teams_app, name="teams")


@teams_app.command("package")
def teams_package(
    output: Annotated[Path, typer.Option("--output", "-o", help="where to write the zip")] = Path("tandem-teams.zip"),  # noqa: E501
) -> None:
    """Build the Teams app zip (manifest with the bot id and commands, icons) to upload in Teams."""
    from adapters.teams.package import build_package
    from bot.features import build_registry

    try:
        path = build_package(load_settings(), build_registry(), output)
    except ValueError as error:
        _fail(str(error))
        return
    typer.echo(f"Wrote {path}: upload it in Teams (Apps → Manage your apps → Upload an app) or the Teams admin center.")


slack_app = typer.Typer(help="Slack.", no_args_is_help=True)
app.add_typer(slack_app, name="slack")


@slack_app.command("manifest")
def slack_manifest() -> None:
    """Print the Slack app manifest (YAML) for "Create app → From a manifest" at api.slack.com/apps."""
    from adapters.slack.manifest import render_manifest
    from bot.features import build_registry

    typer.echo(render_manifest(load_settings(), build_registry()), nl=False)


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per firing every 2 s is noise
    logging.getLogger("alembic").setLevel(logging.WARNING)  # /readyz inspects the schema on every probe


def main() -> None:
    app()


if __name__ == "__main__":
    main()
