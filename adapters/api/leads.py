"""``/api/v1/leads``: inbound leads from web forms, marketing automation or a CRM, and the same data as
`lead list` / `lead show` as JSON (SPEC §5). A new lead runs chat's hand-off (bot/leads/inbound.py) on the
database lane; this module only translates HTTP to it and back."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from adapters.api import filters
from adapters.api.deps import ApiKeyDep, RuntimeDep
from adapters.api.errors import API_PREFIX, FieldError, field_errors, invalid, not_found, read_json
from adapters.api.people import Directories
from adapters.api.schemas import LeadCreated, LeadDetail, LeadIn, LeadPage, Problem
from bot.admin.api_keys import VerifiedKey
from bot.core.errors import UsageError
from bot.core.people import Unmet
from bot.core.request import Named
from bot.core.runtime import Runtime
from bot.core.unit import Changes
from bot.leads import records
from bot.leads.inbound import FieldProblem, Idempotency, Inbound, Received, receive
from bot.leads.lifecycle import STAGES, parse_id

LEAD_BODY_LIMIT = 64 * 1024  # one lead is at most ~5 KB of text; anything near this is not a lead
IDEMPOTENCY_KEY_LIMIT = 200
PAGE_DEFAULT, PAGE_LIMIT = 50, 100
StatusFilter = Literal["handed_off", "accepted", "rejected", "unassigned", "won", "lost", "open"]

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No key, or a key that is unknown or revoked."},
    422: {"model": Problem, "description": "A value that cannot be used, with one entry per field."},
}
_LEAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": LeadIn.model_json_schema()}},
    }
}


def router(directories: Directories) -> APIRouter:
    """The leads endpoints; ``directories`` finds an ``owner_email`` Tandem has not met in the workspace's chat."""
    api = APIRouter(prefix=API_PREFIX, tags=["leads"])
    # One hand-off per workspace at a time in this process: they serialise on the workspace's row anyway (the
    # duplicate check and the lead number lock it), and waiting here, rather than in the database lane, keeps
    # the lane's threads free and the lock's holder from fighting four waiting threads for the GIL
    # (bench/README_api.md: 81 → 131 req/s and p99 383 → 196 ms on PostgreSQL). Replicas still serialise in the
    # database, which stays the only authority.
    queues: dict[int, asyncio.Lock] = {}

    @api.post(
        "/leads",
        status_code=201,
        summary="Hand off a new lead",
        response_model=LeadCreated,
        openapi_extra=_LEAD_BODY,
        responses={
            200: {
                "model": LeadCreated,
                "description": "An open lead with this e-mail or company exists "
                "(`duplicate: true`), or this `Idempotency-Key` was sent before: that lead, nothing new.",
            },
            400: {"model": Problem, "description": "The body is not JSON (or nested past reason)."},
            413: {"model": Problem, "description": "The body is over 64 KB."},
            415: {"model": Problem, "description": "The body is not sent as JSON."},
            **ERRORS,
        },
    )
    async def create_lead(
        request: Request,
        key: ApiKeyDep,
        runtime: RuntimeDep,
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                description="Any unique string up to 200 characters (a UUID, your form's submission id): the "
                "same key again returns the lead it made instead of a second one.",
            ),
        ] = None,
    ) -> JSONResponse:
        """The lead goes to `owner_email` or the next rep in turn, who gets the lead card with **Accept** /
        **Reject** in Slack or Teams, exactly as a hand-off typed in chat."""
        lead = _lead_in(await read_json(request, limit=LEAD_BODY_LIMIT))
        idempotency = _idempotency(idempotency_key, lead)
        queue = queues.setdefault(key.workspace_id, asyncio.Lock())
        received = await _hand_off(runtime, directories, queue, key, lead, idempotency)
        body = _created(received)
        headers = {"Location": f"{API_PREFIX}/leads/{body['id']}"}
        if received.replayed:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(body, status_code=201 if received.created else 200, headers=headers)

    @api.get("/leads", summary="List leads, newest first", response_model=LeadPage, responses=ERRORS)
    async def list_leads(
        key: ApiKeyDep,
        runtime: RuntimeDep,
        status: Annotated[StatusFilter | None, Query(description="One status, or `open`.")] = None,
        owner_email: Annotated[str | None, Query(max_length=320, description="The owner's e-mail.")] = None,
        campaign: Annotated[str | None, Query(max_length=200, description="Name, prefix or `C-<n>`.")] = None,
        since: Annotated[
            str | None, Query(max_length=40, description="Created at or after: `2026-03-01` or a datetime (UTC).")
        ] = None,
        cursor: Annotated[str | None, Query(max_length=40, description="`next_cursor` of the page before.")] = None,
        limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT, description="Leads per page (at most 100).")] = PAGE_DEFAULT,
    ) -> dict[str, Any]:
        """Pages are stable: leads created while you page appear on a new first page, never shifting the rest."""
        wanted = _Wanted(status, owner_email, campaign, _since(since), _cursor(cursor))
        rows = await runtime.db.run(_page, runtime, key, wanted, limit + 1)
        more = len(rows) > limit
        shown = rows[:limit]
        return {
            "leads": [lead_json(row) for row in shown],
            "next_cursor": _encode_cursor(shown[-1].number) if more and shown else None,
        }

    @api.get(
        "/leads/{lead_id}",
        summary="One lead, with its history",
        response_model=LeadDetail,
        responses={404: {"model": Problem, "description": "No such lead in this workspace."}, **ERRORS},
    )
    async def show_lead(
        key: ApiKeyDep,
        runtime: RuntimeDep,
        lead_id: Annotated[str, Path(max_length=40, description="`L-7` (or `7`).")],
    ) -> dict[str, Any]:
        """What `lead show` shows: the card's data and every event of the lead's trail."""
        try:
            number = parse_id(lead_id)
        except UsageError:
            raise not_found(f"`{lead_id[:40]}` is not a lead id; lead ids look like `L-7`.") from None
        found = await runtime.db.run(_detail, runtime, key.workspace_id, number)
        if found is None:
            raise not_found(f"There is no lead L-{number} in this workspace.")
        return {
            **lead_json(found.record),
            "quality": {"average": found.quality, "ratings": found.ratings},
            "history": [{"at": e.at, "kind": e.kind, "by": e.by, "detail": e.detail} for e in found.history],
        }

    return api


def _lead_in(body: Any) -> LeadIn:
    try:
        return LeadIn.model_validate(body)
    except ValidationError as error:
        raise invalid(field_errors(error)) from None


def _idempotency(raw: str | None, lead: LeadIn) -> Idempotency | None:
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_LIMIT or not key.isascii() or not key.isprintable():
        raise invalid(
            [FieldError("Idempotency-Key", "Idempotency-Key must be 1–200 printable ASCII characters, like a UUID.")]
        )
    canonical = lead.model_dump_json(exclude_none=True).encode()
    return Idempotency(key, hashlib.sha256(canonical).hexdigest())


async def _hand_off(
    runtime: Runtime,
    directories: Directories,
    queue: asyncio.Lock,
    key: VerifiedKey,
    lead: LeadIn,
    idempotency: Idempotency | None,
) -> Received:
    """Hand the lead off; an ``owner_email`` Tandem has not met is looked up in the workspace's chat directory
    (off the database lane, and outside the workspace's queue) and the hand-off runs again knowing them — as
    chat does (adapters/naming.py)."""
    named: tuple[Named, ...] = ()
    while True:
        try:
            async with queue:
                return await runtime.db.run(_receive, runtime, key, lead, idempotency, named)
        except Unmet as stranger:
            if any(n.ref == stranger.ref.key for n in named):
                raise  # the directory's answer was used and still names nobody: a bug, not a retry
            named += (await directories.look_up(runtime, key.workspace_id, stranger.ref),)
        except FieldProblem as problem:
            raise invalid([FieldError(problem.field, str(problem))]) from None


def _receive(
    runtime: Runtime, key: VerifiedKey, lead: LeadIn, idempotency: Idempotency | None, named: tuple[Named, ...]
) -> Received:
    with runtime.db.session() as session:
        return receive(
            session,
            runtime.clock,
            workspace_id=key.workspace_id,
            inbound=Inbound(**lead.model_dump()),
            origin=f"the API (key “{key.label}”)",
            changes=Changes(),  # this request's unit of work, as dispatch makes one per command
            idempotency=idempotency,
            named=named,
            admins=runtime.settings.admins,
        )


def _created(received: Received) -> dict[str, Any]:
    lead = received.lead
    owner = {"name": lead.owner.name, "email": lead.owner.email} if lead.owner else None
    return {"id": f"L-{lead.number}", "owner": owner, "status": lead.status, "duplicate": received.duplicate}


def lead_json(row: records.LeadRecord) -> dict[str, Any]:
    """A lead as the API (and its schema ``Lead``) shows it."""
    return {
        "id": f"L-{row.number}",
        "company": row.company,
        "name": row.contact_name,
        "email": row.email,
        "source": row.source,
        "campaign": row.campaign,
        "note": row.note,
        "status": row.status,
        "stage": stage_name(row.stage),
        "owner": {"name": row.owner.name, "email": row.owner.email} if row.owner else None,
        "marketer": {"name": row.marketer.name, "email": row.marketer.email} if row.marketer else None,
        "amount": row.amount,
        "outcome_reason": row.outcome_reason,
        "created_at": row.created_at,
        "handed_off_at": row.handed_off_at,
        "accepted_at": row.accepted_at,
        "first_touch_at": row.first_touch_at,
        "last_touch_at": row.last_touch_at,
        "closed_at": row.closed_at,
    }


def stage_name(stage: int | None) -> str | None:
    return STAGES[stage - 1] if stage is not None and 1 <= stage <= len(STAGES) else None


@dataclass(frozen=True, slots=True)
class _Wanted:
    """A list request's filters as typed, before the owner and campaign are looked up in the workspace."""

    status: str | None
    owner_email: str | None
    campaign: str | None
    since: datetime | None
    before: int | None


def _page(runtime: Runtime, key: VerifiedKey, wanted: _Wanted, size: int) -> list[records.LeadRecord]:
    with runtime.db.session() as session:
        owners = filters.owners(session, key.workspace_id, wanted.owner_email) if wanted.owner_email else None
        campaign_id = filters.campaign_id(session, key.workspace_id, wanted.campaign) if wanted.campaign else None
        chosen = records.Filters(wanted.status, owners, campaign_id, wanted.since)
        return records.page(session, key.workspace_id, chosen, before=wanted.before, size=size)


def _detail(runtime: Runtime, workspace_id: int, number: int) -> records.LeadDetail | None:
    with runtime.db.session() as session:
        return records.detail(session, workspace_id, number)


def _since(raw: str | None) -> datetime | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        moment = (
            datetime.combine(date.fromisoformat(text), datetime.min.time())
            if len(text) == 10
            else datetime.fromisoformat(text.replace("z", "Z"))
        )
    except ValueError:
        raise invalid(
            [FieldError("since", "since takes a date or a datetime, like 2026-03-01 or 2026-03-01T09:00:00Z.")]
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _encode_cursor(number: int) -> str:
    return base64.urlsafe_b64encode(f"n{number}".encode()).decode().rstrip("=")


def _cursor(raw: str | None) -> int | None:
    if raw is None or not raw:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not (text.startswith("n") and text[1:].isdigit() and len(text) <= 20):
        raise invalid([FieldError("cursor", "cursor is not one this API gave; pass next_cursor as it came.")])
    return int(text[1:])
