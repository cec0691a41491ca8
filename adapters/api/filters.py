"""The query filters `GET /api/v1/leads` and `GET /api/v1/stats` share, read against the key's workspace: an
``owner_email`` or ``campaign`` that names nothing there is a 422 naming the field, never an empty answer."""

from __future__ import annotations

from sqlmodel import Session

from adapters.api.errors import FieldError, invalid
from adapters.api.schemas import unprintable
from bot.core.args import find_campaign
from bot.core.errors import NotFound, UsageError
from bot.leads.records import owners_with_email


def owners(session: Session, workspace_id: int, email: str) -> tuple[int, ...]:
    """The members of the workspace with this e-mail (ignoring case)."""
    _plain("owner_email", email)
    found = owners_with_email(session, workspace_id, email)
    if not found:
        raise invalid([FieldError("owner_email", f"No one in this workspace has the e-mail {email[:320]}.")])
    return found


def campaign_id(session: Session, workspace_id: int, ref: str) -> int | None:
    """The campaign ``ref`` names (name, start of a name or ``C-<n>``)."""
    _plain("campaign", ref)
    try:
        return find_campaign(session, workspace_id, ref).id
    except (NotFound, UsageError) as error:
        raise invalid([FieldError("campaign", str(error))]) from None


def _plain(field: str, value: str) -> None:
    """A filter is text to match: a control character (a NUL, which PostgreSQL cannot even compare) is a 422."""
    if char := unprintable(value):
        raise invalid([FieldError(field, f"holds a control character ({char}); send plain text")])
