"""The JSON of /api/v1, as pydantic models: what a lead may hold (SPEC §7's limits, the same as chat's), and
what the API answers. Unknown fields are refused (``extra="forbid"``): a misspelt ``emial`` is answered with
its name instead of the e-mail being dropped without a word."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator

from bot.core.grammar import is_email
from bot.leads.lifecycle import LIMITS

CAMPAIGN_LIMIT = 200
_NOTE_LAYOUT = frozenset("\n\t")


def _blank_is_none(value: Any) -> Any:
    """An empty or all-space optional field is the same as leaving it out (forms send empty strings)."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _limited(limit: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=limit)


Company = Annotated[str, _limited(LIMITS["company"])]
Email = Annotated[Annotated[str, _limited(LIMITS["email"])] | None, BeforeValidator(_blank_is_none)]
Name = Annotated[Annotated[str, _limited(LIMITS["name"])] | None, BeforeValidator(_blank_is_none)]
Source = Annotated[Annotated[str, _limited(LIMITS["source"])] | None, BeforeValidator(_blank_is_none)]
CampaignRef = Annotated[Annotated[str, _limited(CAMPAIGN_LIMIT)] | None, BeforeValidator(_blank_is_none)]
Note = Annotated[Annotated[str, _limited(LIMITS["note"])] | None, BeforeValidator(_blank_is_none)]


def unprintable(value: str, *, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first character a lead's text must not hold (control characters, lone surrogates, NUL), if any."""
    for char in value:
        if char in allowed:
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            return f"U+{ord(char):04X}"
    return None


class LeadIn(BaseModel):
    """A lead for ``POST /api/v1/leads``. Only ``company`` is required."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "company": "Acme Corp",
                    "email": "ann@acme.example",
                    "name": "Ann Lee",
                    "source": "website",
                    "campaign": "Q4 Webinar",
                    "note": "Asked for a demo of the analytics add-on.",
                    "owner_email": "rita@yourcompany.example",
                }
            ]
        },
    )

    company: Company = Field(description="The prospect's company (at most 200 characters).")
    email: Email = Field(None, description="The contact's e-mail (at most 320); also what duplicates are found by.")
    name: Name = Field(None, description="The contact's name (at most 200 characters).")
    source: Source = Field(None, description="Where it came from, e.g. `website` (at most 60; default `marketing`).")
    campaign: CampaignRef = Field(
        None, description="A campaign of the workspace: its name, a unique prefix or `C-<n>`."
    )
    note: Note = Field(None, description="A note for the owner (at most 2,000 characters; new lines are kept).")
    owner_email: Email = Field(
        None, description="Who owns it, by e-mail; left out, the next rep in turn (round-robin)."
    )

    @field_validator("company", "name", "source", "campaign", "email", "owner_email")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and (char := unprintable(value)):
            raise ValueError(f"holds a control character ({char}); send plain text")
        return value

    @field_validator("note")
    @classmethod
    def _printable_note(cls, value: str | None) -> str | None:
        if value is not None and (char := unprintable(value, allowed=_NOTE_LAYOUT)):
            raise ValueError(f"holds a control character ({char}); only new lines and tabs are kept")
        return value

    @field_validator("email", "owner_email")
    @classmethod
    def _an_email(cls, value: str | None) -> str | None:
        if value is not None and not is_email(value):
            raise ValueError("is not an e-mail address (expected name@company.com)")
        return value


class Owner(BaseModel):
    name: str
    email: str | None


class LeadCreated(BaseModel):
    """The answer to a new lead: ``201`` when it was created, ``200`` with ``duplicate: true`` when an open lead
    with the same e-mail (or, without one, company) already exists, ``200`` again for a repeated
    ``Idempotency-Key``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "L-42",
                    "owner": {"name": "Rita Rep", "email": "rita@yourcompany.example"},
                    "status": "handed_off",
                    "duplicate": False,
                }
            ]
        }
    )

    id: str = Field(description="The lead's id, `L-<n>`.")
    owner: Owner | None = Field(description="Who it went to; null when no rep was available (`unassigned`).")
    status: str
    duplicate: bool = False


class Lead(BaseModel):
    """A lead as `lead show` knows it. Times are UTC, ISO 8601."""

    id: str
    company: str
    name: str | None
    email: str | None
    source: str
    campaign: str | None
    note: str | None
    status: str = Field(description="handed_off, accepted, rejected, unassigned, won or lost.")
    stage: str | None = Field(description="For an accepted lead, its selling step (approach … cement).")
    owner: Owner | None
    marketer: Owner | None = Field(description="Who handed it off; null for integrations and reps' own leads.")
    amount: float | None
    outcome_reason: str | None
    created_at: datetime
    handed_off_at: datetime | None
    accepted_at: datetime | None
    first_touch_at: datetime | None
    last_touch_at: datetime | None
    closed_at: datetime | None


class LeadPage(BaseModel):
    leads: list[Lead]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")


class Quality(BaseModel):
    average: float | None = Field(description="The mean of the 1–5 ratings; null before the first.")
    ratings: int


class HistoryEvent(BaseModel):
    at: datetime
    kind: str = Field(description="handoff, accept, reject, touch, first_touch, stage, won, lost, reassign, …")
    by: str | None = Field(description="Who did it; null when Tandem or an integration did.")
    detail: str | None


class LeadDetail(Lead):
    quality: Quality
    history: list[HistoryEvent] = Field(description="Oldest first, up to the latest 500 events.")


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """Every error: a stable ``error`` code, a ``message`` for people and, for ``422``, one entry per field."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": "invalid_fields",
                    "message": "Some values cannot be used: company.",
                    "fields": [{"field": "company", "message": "company is 240 characters long; the limit is 200."}],
                }
            ]
        }
    )

    error: str
    message: str
    fields: list[FieldProblem] | None = None
