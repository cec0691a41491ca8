"""`tandem apikey create|revoke|list [--workspace …]`: API keys from the command line, for an operator setting up
an integration before anyone has chatted with Tandem (or without chat access). The same service as chat's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings

if TYPE_CHECKING:
    from sqlmodel import Session

T = TypeVar("T")

apikey_app = typer.Typer(help="API keys for the REST API (/api/v1).", no_args_is_help=True)
WorkspaceOption = Annotated[
    str | None,
    typer.Option("--workspace", help="Slack team id, Teams tenant id or workspace name (optional when there is one)"),
]


@apikey_app.command("create")
def apikey_create(
    label: Annotated[str, typer.Argument(help="what uses the key, e.g. website or zapier")],
    workspace: WorkspaceOption = None,
) -> None:
    """Make a key for one workspace; it is printed this once and only its fingerprint is kept."""
    from bot.admin import api_keys
    from bot.cli import load_settings

    settings = load_settings()
    made, name = _in_workspace(
        settings, workspace, lambda s, ws: api_keys.create(s, _clock(), workspace_id=ws, label=label)
    )
    typer.echo(f"API key “{made.label}” for {name}:\n\n    {made.secret}\n")
    typer.echo("Copy it now: this is the only time it is shown. Send it as `Authorization: Bearer <key>` to")
    typer.echo(f"{settings.base_url.rstrip('/')}/api/v1/leads. `tandem apikey revoke {made.label}` stops it.")


@apikey_app.command("revoke")
def apikey_revoke(
    label: Annotated[str, typer.Argument(help="the key's label")], workspace: WorkspaceOption = None
) -> None:
    """Stop a key: requests with it get 401 from now on."""
    from bot.admin import api_keys
    from bot.cli import load_settings

    line, name = _in_workspace(
        load_settings(), workspace, lambda s, ws: api_keys.revoke(s, _clock(), workspace_id=ws, label=label)
    )
    typer.echo(f"Revoked the key “{line.label}” ({line.prefix}…) of {name}: requests with it now get 401.")


@apikey_app.command("list")
def apikey_list(workspace: WorkspaceOption = None) -> None:
    """The workspace's active keys: label, prefix, created, last used."""
    from bot.admin import api_keys
    from bot.cli import load_settings

    lines, name = _in_workspace(load_settings(), workspace, lambda s, ws: api_keys.list_keys(s, ws))
    if not lines:
        typer.echo(f"{name} has no active API keys. Make one with `tandem apikey create <label>`.")
        return
    typer.echo(f"API keys of {name}:")
    for line in lines:
        used = f"last used {line.last_used_at:%Y-%m-%d %H:%M} UTC" if line.last_used_at else "never used"
        by = f" by {line.created_by}" if line.created_by else ""
        typer.echo(f"  {line.label:<24} {line.prefix}…  created {line.created_at:%Y-%m-%d}{by}, {used}")


def _clock() -> Clock:
    return SystemClock()


def _in_workspace(settings: Settings, ref: str | None, work: Callable[[Session, int], T]) -> tuple[T, str]:
    """``work`` in the workspace ``ref`` names, in one transaction; a user mistake exits 1 with the reason."""
    from bot.cli import _fail, migrated_database
    from bot.core.errors import TandemError
    from bot.core.workspaces import find_workspace_by_ref

    db = migrated_database(settings)
    try:
        with db.session() as session:
            found = find_workspace_by_ref(session, ref)
            assert found.id is not None
            return work(session, found.id), found.name
    except TandemError as error:
        _fail(str(error))
    finally:
        db.dispose()
