"""When a lead next deserves a nag, by the workspace's SLA settings (SPEC §4). Kept on the lead as
``nag_due_at`` so the nag job reads an index of due leads instead of scanning the table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from storage.models import Lead


def sla_due_at(lead: Lead, settings: Mapping[str, str]) -> datetime | None:
    if lead.owner_id is None:
        return None
    if lead.status == "handed_off":
        return (lead.handed_off_at or lead.created_at) + timedelta(hours=int(settings["accept_sla_hours"]))
    if lead.status != "accepted":
        return None
    if lead.last_touch_at is None:
        start = lead.accepted_at or lead.created_at
        return start + timedelta(hours=int(settings["first_touch_sla_hours"]))
    return lead.last_touch_at + timedelta(days=int(settings["stale_after_days"]))
