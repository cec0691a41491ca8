"""When a due lead is nagged (SPEC §4): the SLA phase it is in, quiet hours and weekends in the owner's own
time zone, the cadence (`nag_every_hours`) and the escalation threshold (`escalate_after_nags`). Pure: from
the lead, its owner, the workspace's settings and what the trail says about the current phase."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.leads.sla import sla_due_at
from storage.models import Lead, Member

MIN_NAG_GAP = timedelta(minutes=1)  # `nag_every_hours 0` means "every firing", never twice in one firing
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class QuietHours:
    """The nightly window (``start``–``end``, may wrap midnight) and whether weekends are quiet."""

    start: time | None
    end: time | None
    weekends: bool

    @classmethod
    def parse(cls, value: str) -> QuietHours:
        value = (value or "").strip().lower()
        if value == "none":
            return cls(None, None, weekends=False)
        match = _RANGE.match(value)
        if not match:
            return cls(time(18), time(9), weekends=True)  # the default, if a stored value is unreadable
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        start, end = time(h1, m1), time(h2, m2)
        return cls(None, None, weekends=True) if start == end else cls(start, end, weekends=True)

    def is_quiet(self, local: datetime) -> bool:
        if self.weekends and local.weekday() >= 5:
            return True
        if self.start is None or self.end is None:
            return False
        now = local.time().replace(tzinfo=None)
        if self.start > self.end:  # wraps midnight, e.g. 18:00-09:00
            return now >= self.start or now < self.end
        return self.start <= now < self.end

    def next_working(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """``moment`` itself when it is a working moment in ``zone``, else the start of the next one (UTC).
        Local wall times are built per date, so a DST change moves the UTC instant, not the 09:00."""
        local = moment.astimezone(zone)
        for _ in range(16):
            if not self.is_quiet(local):
                return local.astimezone(UTC)
            day = local.date()
            if self.weekends and local.weekday() >= 5:
                nxt = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            else:
                assert self.start is not None and self.end is not None
                wraps_today = self.start > self.end and local.time().replace(tzinfo=None) >= self.start
                nxt = datetime.combine(day + timedelta(days=1) if wraps_today else day, self.end, tzinfo=zone)
            local = nxt.astimezone(UTC).astimezone(zone)  # normalise times that fall into a DST gap
        return local.astimezone(UTC)


def zone_of(member: Member | None, settings: Mapping[str, str]) -> ZoneInfo:
    """The owner's own time zone when known and valid, else the workspace's, else UTC."""
    for name in ((member.timezone if member else None), settings.get("timezone"), "UTC"):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def phase_start(lead: Lead) -> datetime:
    """Since when the current SLA clock runs: hand-off, acceptance, or the last touch."""
    if lead.status == "handed_off":
        return lead.handed_off_at or lead.created_at
    if lead.last_touch_at is not None:
        return lead.last_touch_at
    return lead.accepted_at or lead.created_at


@dataclass(frozen=True, slots=True)
class PhaseHistory:
    """What the trail holds since the current phase began: the reminders sent, and whether managers heard."""

    nags: int = 0
    escalated: bool = False


@dataclass(frozen=True, slots=True)
class NagStep:
    """What the round does with one due lead. ``settle``: not due after all (touched, closed, SLA moved, nagged
    recently), its due time corrected or cleared; ``defer``: quiet hours, moved to the owner's next working
    moment; ``nag``: remind the owner (reminder ``reminder`` of the phase; with ``escalate`` the managers and
    the marketer hear too). ``next_due`` is the lead's new due time in every case."""

    action: Literal["settle", "defer", "nag"]
    next_due: datetime | None
    reminder: int = 0
    threshold: int = 0
    escalate: bool = False


def next_step(
    lead: Lead, owner: Member | None, settings: Mapping[str, str], now: datetime, history: PhaseHistory
) -> NagStep:
    """The SLA rule is trusted over the stored due time: a lead touched since it fell due is settled."""
    deadline = sla_due_at(lead, settings)
    if deadline is None or owner is None or deadline > now:
        return NagStep("settle", deadline if owner is not None else None)
    zone = zone_of(owner, settings)
    quiet = QuietHours.parse(settings.get("quiet_hours", "18:00-09:00"))
    every = max(timedelta(hours=int(settings.get("nag_every_hours", "24"))), MIN_NAG_GAP)
    if lead.last_nag_at is not None and phase_start(lead) <= lead.last_nag_at and now < lead.last_nag_at + every:
        # nagged recently for this same overdue step (a settings change recomputed the due time): wait.
        # A new step (accepted, touched, reassigned to someone else) starts its own clock.
        return NagStep("settle", quiet.next_working(lead.last_nag_at + every, zone))
    if quiet.is_quiet(now.astimezone(zone)):
        return NagStep("defer", quiet.next_working(now, zone))
    threshold = int(settings.get("escalate_after_nags", "2"))
    return NagStep(
        "nag",
        quiet.next_working(now + every, zone),
        reminder=history.nags + 1,
        threshold=threshold,
        escalate=history.nags >= threshold and not history.escalated,
    )
