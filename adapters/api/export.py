"""``GET /api/v1/leads.csv``: every lead of the key's workspace as CSV, streamed — the header row at once, then
a batch of leads at a time, each batch one keyset query on the database lane. Memory stays flat however many
leads there are, and the lane is never held for the whole export: on SQLite, with its one connection, chat
commands and hand-offs run between two batches instead of waiting for the download to finish."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from adapters.api.deps import ApiKeyDep, RuntimeDep
from adapters.api.errors import API_PREFIX
from adapters.api.leads import ERRORS, stage_name
from bot.core.runtime import Runtime
from bot.leads import records

log = logging.getLogger("tandem.api.export")

BATCH = 1000
# The import template's columns first (company … owner_email), so an export can be edited and imported again.
COLUMNS = (
    "id",
    "company",
    "email",
    "name",
    "source",
    "campaign",
    "note",
    "owner_email",
    "owner",
    "status",
    "stage",
    "amount",
    "outcome_reason",
    "marketer",
    "created_at",
    "handed_off_at",
    "accepted_at",
    "first_touch_at",
    "last_touch_at",
    "closed_at",
)
# A cell a spreadsheet would run as a formula (CSV injection): it is kept as text behind a quote mark.
FORMULA_STARTS = frozenset("=+-@\t\r")


def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value[0] in FORMULA_STARTS else value


def _when(moment: datetime | None) -> str:
    """``2026-03-10T10:00:00Z``: the stored times are UTC (storage/types.py)."""
    if moment is None:
        return ""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def row_of(lead: records.LeadRecord) -> list[str]:
    """One lead's row, cell by cell by kind (a million rows go through here)."""
    owner, marketer = lead.owner, lead.marketer
    return [
        f"L-{lead.number}",
        _text(lead.company),
        _text(lead.email),
        _text(lead.contact_name),
        _text(lead.source),
        _text(lead.campaign),
        _text(lead.note),
        _text(owner.email) if owner else "",
        _text(owner.name) if owner else "",
        lead.status,
        stage_name(lead.stage) or "",
        f"{lead.amount:.2f}" if lead.amount is not None else "",
        _text(lead.outcome_reason),
        _text(marketer.name) if marketer else "",
        _when(lead.created_at),
        _when(lead.handed_off_at),
        _when(lead.accepted_at),
        _when(lead.first_touch_at),
        _when(lead.last_touch_at),
        _when(lead.closed_at),
    ]


def csv_text(rows: Iterable[Iterable[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


async def lead_rows(runtime: Runtime, workspace_id: int, batch: int = BATCH) -> AsyncIterator[str]:
    """The CSV, a batch at a time: the header first, then leads in number order."""
    yield csv_text([COLUMNS])
    after = 0
    while True:
        leads = await runtime.db.run(_batch, runtime, workspace_id, after, batch)
        if not leads:
            return
        yield csv_text(row_of(lead) for lead in leads)
        after = leads[-1].number


def _batch(runtime: Runtime, workspace_id: int, after: int, size: int) -> list[records.LeadRecord]:
    with runtime.db.session() as session:
        return records.batch(session, workspace_id, after=after, size=size)


def router() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX, tags=["leads"])

    @api.get(
        "/leads.csv",
        summary="Export every lead as CSV",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/csv": {}}, "description": "Header row first, one row per lead."}, **ERRORS},
    )
    async def export_leads(key: ApiKeyDep, runtime: RuntimeDep) -> StreamingResponse:
        """Every lead of the workspace, oldest first, streamed (it starts at once, whatever the size). Cells that
        a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`) are prefixed with `'`."""
        day = runtime.clock.now().date().isoformat()
        return StreamingResponse(
            lead_rows(runtime, key.workspace_id),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="tandem-leads-{day}.csv"',
                "Cache-Control": "no-store",
            },
        )

    return api
