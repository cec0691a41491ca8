"""What an imported row must hold to become a lead: the same limits as `lead handoff` (bot/leads/lifecycle.py),
checked with the row's line named, so each refused row can be found and fixed in the spreadsheet."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace

from bot.core.errors import UsageError
from bot.core.grammar import is_email
from bot.imports.leads_csv import RawRow
from bot.leads.lifecycle import LIMITS, NewLead, validate

CAMPAIGN_LIMIT = 200
# Control characters (Unicode category Cc: C0, DEL and C1) and the bidirectional overrides and isolates, which
# reorder what is shown around them (a company name that reads as another one).
_NOT_SHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ONE_LINE = ("company", "email", "name", "source", "campaign", "owner_email")
_WORDS = {"email": "e-mail", "owner_email": "owner_email", "name": "name", "note": "note"}


@dataclass(frozen=True, slots=True)
class ImportRow:
    """A row that passed every check of its own: what is left to decide needs the database (owner, campaign,
    duplicates)."""

    line: int
    new: NewLead  # without its campaign: ``campaign`` names it until the service finds it
    campaign: str | None
    owner_email: str | None


@dataclass(frozen=True, slots=True)
class Refusal:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def check_row(row: RawRow) -> ImportRow | Refusal:
    """The row as a lead to create, or why it cannot be one."""
    values = {field: value.strip() for field, value in row.values.items()}
    values["note"] = values.get("note", "").replace("\r\n", "\n").replace("\r", "\n")
    for field, value in values.items():
        if reason := _unprintable(field, value):
            return Refusal(row.line, reason)
    company = values.get("company", "")
    if not company:
        return Refusal(row.line, "the company is empty; every lead needs one.")
    for field in ("company", "email", "name", "source", "note"):
        if len(values.get(field, "")) > LIMITS[field]:
            return Refusal(row.line, _too_long(field, len(values[field]), LIMITS[field]))
    campaign = values.get("campaign") or None
    if campaign and len(campaign) > CAMPAIGN_LIMIT:
        return Refusal(row.line, _too_long("campaign", len(campaign), CAMPAIGN_LIMIT))
    email = values.get("email") or None
    if email and not is_email(email):
        return Refusal(row.line, f"the e-mail “{_shown(email)}” is not an e-mail address (like jo@acme.com).")
    owner = (values.get("owner_email") or "").lower() or None
    if owner and not is_email(owner):
        return Refusal(
            row.line, f"the owner_email “{_shown(owner)}” is not an e-mail address; put the owner's e-mail there."
        )
    try:
        new = validate(
            NewLead(
                company=company,
                email=email,
                name=values.get("name") or None,
                source=values.get("source") or None,
                note=values.get("note") or None,
            )
        )
    except UsageError as error:  # the same rules as a hand-off typed in chat, should they ever say more
        return Refusal(row.line, _lower_first(str(error)))
    # A file repeats a handful of sources and campaigns: one string each, not one per row.
    if new.source:
        new = replace(new, source=sys.intern(new.source))
    return ImportRow(row.line, new, sys.intern(campaign) if campaign else None, owner)


def _unprintable(field: str, value: str) -> str | None:
    """Why ``value`` cannot be stored as shown text: a line break in a one-line field, or a control or
    direction-overriding character anywhere (a note may hold line breaks and tabs)."""
    found = _NOT_SHOWN.search(value)
    while found is not None:
        char = found.group()
        word = _WORDS.get(field, field)
        if char in "\n\r" and field in _ONE_LINE:
            return f"the {word} runs over several lines; put it on one line."
        if char not in "\n\t" or field != "note":
            return (
                f"the {word} holds a control character (U+{ord(char):04X}), which cannot be shown; remove it "
                "(it often comes from copying out of another program)."
            )
        found = _NOT_SHOWN.search(value, found.end())
    return None


def _too_long(field: str, length: int, limit: int) -> str:
    return f"the {_WORDS.get(field, field)} is {length:,} characters long; the limit is {limit:,}."


def _shown(value: str) -> str:
    return value if len(value) <= 60 else value[:59] + "…"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
