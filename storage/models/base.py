"""What every table module shares: the lead statuses and roles, and tz-aware timestamp columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column
from sqlmodel import Field

from storage.types import UTCDateTime

ROLES = ("rep", "marketer", "manager", "admin")
OPEN_STATUSES = ("handed_off", "accepted", "unassigned")
OPEN_STATUSES_SQL = "status IN ('handed_off', 'accepted', 'unassigned')"


def ts(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))
