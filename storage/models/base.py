"""What every table module shares: the lead statuses and roles, and tz-aware timestamp columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column
from sqlmodel import Field

from storage.types import UTCDateTime

ROLES = ("rep", "marketer", "manager", "admin")
OPEN_STATUSES = ("handed_off", "accepted", "unassigned")
OPEN_STATUSES_SQL = "status IN ('handed_off', 'accepted', 'unassigned')"
# The three ways an open lead can breach its SLA (bot/leads/sla.py), as the partial indexes behind the dashboard's
# table of breaching leads spell them.
WAITING_SQL = "status = 'handed_off'"
UNTOUCHED_SQL = "status = 'accepted' AND last_touch_at IS NULL"
STALE_SQL = "status = 'accepted' AND last_touch_at IS NOT NULL"


def ts(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))
