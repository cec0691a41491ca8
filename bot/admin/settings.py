"""Per-workspace settings (SPEC §3 "Settings per workspace"): defaults, validation, storage."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import get_close_matches
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam
from sqlmodel import Session, select

from bot.core.errors import UsageError
from storage.db import unit_cache
from storage.id_lists import among
from storage.models import WorkspaceSetting

CHANNEL_KEYS = ("sales_channel", "marketing_channel", "managers_channel")
_HHMM = r"([01]?\d|2[0-3]):([0-5]\d)"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _number(key: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not re.fullmatch(r"\d{1,4}", value):
            raise UsageError(f"`{key}` takes a whole number (0 means immediately), for example `{key} 4`.")
        return str(int(value))

    return check


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"`{value}` is not a time zone I know. Use a name like `Europe/Berlin` or `UTC`.") from None
    return value


def _quiet_hours(value: str) -> str:
    value = value.lower()
    if value == "none" or re.fullmatch(f"{_HHMM}-{_HHMM}", value):
        return value
    raise UsageError("`quiet_hours` takes a range like `18:00-09:00` (weekends are always quiet), or `none`.")


def _weekly_report(value: str) -> str:
    value = value.lower()
    if value == "off" or re.fullmatch(rf"({'|'.join(_DAYS)}) {_HHMM}", value):
        return value
    raise UsageError("`weekly_report` takes a day and time like `mon 09:00`, or `off`.")


def _choice(key: str, *choices: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value.lower() not in choices:
            raise UsageError(f"`{key}` takes one of: {', '.join(choices)}.")
        return value.lower()

    return check


def _channel(value: str) -> str:
    return value  # resolved to "platform:address" by the caller, who knows where it was typed


@dataclass(frozen=True)
class SettingSpec:
    default: str
    check: Callable[[str], str]
    help: str


SPECS: dict[str, SettingSpec] = {
    "sales_channel": SettingSpec("", _channel, "where campaigns are announced"),
    "marketing_channel": SettingSpec("", _channel, "where unassigned leads and intel go"),
    "managers_channel": SettingSpec("", _channel, "escalations and the weekly report"),
    "timezone": SettingSpec("UTC", _timezone, "the workspace's time zone"),
    "accept_sla_hours": SettingSpec("4", _number("accept_sla_hours"), "hours a rep has to accept a lead"),
    "first_touch_sla_hours": SettingSpec(
        "24", _number("first_touch_sla_hours"), "hours from accepting to the first touch"
    ),
    "stale_after_days": SettingSpec("7", _number("stale_after_days"), "days without a touch before a nag"),
    "nag_every_hours": SettingSpec("24", _number("nag_every_hours"), "hours between two nags"),
    "escalate_after_nags": SettingSpec("2", _number("escalate_after_nags"), "nags before managers hear"),
    "quiet_hours": SettingSpec("18:00-09:00", _quiet_hours, "no nags in these hours or at weekends"),
    "weekly_report": SettingSpec("mon 09:00", _weekly_report, "when managers get the weekly report"),
    "survey": SettingSpec("on", _choice("survey", "on", "off"), "the quarterly pulse survey to reps"),
    "routing": SettingSpec("round-robin", _choice("routing", "round-robin", "manual"), "how hand-offs find a rep"),
}


def all_settings(session: Session, workspace_id: int) -> dict[str, str]:
    return dict(_settings(session, workspace_id))


def settings_of(session: Session, workspace_ids: list[int]) -> dict[int, dict[str, str]]:
    """``all_settings`` of many workspaces (a job's batch), those not yet read in this transaction in one query."""
    cache = unit_cache(session, "settings")
    missing = [workspace_id for workspace_id in workspace_ids if workspace_id not in cache]
    if missing:
        found: dict[int, dict[str, str]] = {w: {key: spec.default for key, spec in SPECS.items()} for w in missing}
        with session.no_autoflush:
            rows = session.execute(_ROWS_OF, {"workspaces": missing}).all()
        for workspace_id, key, value in rows:
            if key in SPECS:
                found[int(workspace_id)][key] = value
        cache.update(found)
    return {workspace_id: dict(cache[workspace_id]) for workspace_id in workspace_ids}


_TABLE = WorkspaceSetting.__table__  # type: ignore[attr-defined]
_ROWS = select(_TABLE.c.key, _TABLE.c.value).where(_TABLE.c.workspace_id == bindparam("workspace"))
_ROWS_OF = select(_TABLE.c.workspace_id, _TABLE.c.key, _TABLE.c.value).where(among(_TABLE.c.workspace_id, "workspaces"))


def _settings(session: Session, workspace_id: int) -> dict[str, str]:
    """Read once per transaction (a hand-off needs routing, SLA and channel settings); cleared by set_setting.
    No autoflush: set_setting flushes its own row, and a lead half-way through a change need not be written first."""
    cache = unit_cache(session, "settings")
    if workspace_id not in cache:
        values = {key: spec.default for key, spec in SPECS.items()}
        with session.no_autoflush:
            rows = session.execute(_ROWS, {"workspace": workspace_id}).all()
        for key, value in rows:
            if key in values:
                values[key] = value
        cache[workspace_id] = values
    found: dict[str, str] = cache[workspace_id]
    return found


def get_setting(session: Session, workspace_id: int, key: str) -> str:
    return _settings(session, workspace_id)[key]


def get_int(session: Session, workspace_id: int, key: str) -> int:
    return int(get_setting(session, workspace_id, key))


def set_setting(session: Session, workspace_id: int, key: str, value: str) -> str:
    """Validate and store; returns the stored value. Unknown keys and bad values raise UsageError."""
    spec = SPECS.get(key)
    if spec is None:
        close = get_close_matches(key, SPECS, n=1)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        raise UsageError(f"There is no setting `{key}`.{hint} `tandem settings` lists them all.")
    value = spec.check(value.strip())
    if len(value) > 200:
        raise UsageError("A setting value can be at most 200 characters.")
    row = session.get(WorkspaceSetting, (workspace_id, key))
    if row is None:
        session.add(WorkspaceSetting(workspace_id=workspace_id, key=key, value=value))
    else:
        row.value = value
        session.add(row)
    session.flush()
    unit_cache(session, "settings").pop(workspace_id, None)
    return value
