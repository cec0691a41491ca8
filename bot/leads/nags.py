"""Hand-off nags (SPEC §4): which leads are due, when the owner may be reminded (quiet hours, weekends,
their own time zone), the reminder and escalation messages, and the trail. Platform-neutral: the scheduler
calls ``nag_due_leads``; nothing here knows about APScheduler or a chat platform."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.admin.settings import all_settings
from bot.core.clock import Clock
from bot.core.outbox import enqueue_channel, enqueue_dm
from bot.core.people import members_with_role, mention
from bot.core.replies import Button, Buttons, Reply, Span, b, context, p
from bot.leads.queries import card
from bot.leads.sla import sla_due_at
from bot.leads.views import lead_blocks
from storage.models import Lead, LeadEvent, Member

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


def zone_of(member: Member | None, settings: dict[str, str]) -> ZoneInfo:
    """The owner's own time zone when known and valid, else the workspace's, else UTC."""
    for name in ((member.timezone if member else None), settings.get("timezone"), "UTC"):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


@dataclass
class NagRound:
    """What one pass over the due leads did."""

    nagged: int = 0
    escalated: int = 0
    deferred: int = 0  # quiet hours: moved to the owner's next working hour
    settled: int = 0  # not due after all (touched, closed, SLA moved): due time corrected or cleared

    @property
    def seen(self) -> int:
        return self.nagged + self.deferred + self.settled

    def add(self, other: NagRound) -> None:
        self.nagged += other.nagged
        self.escalated += other.escalated
        self.deferred += other.deferred
        self.settled += other.settled

    def __str__(self) -> str:
        return (f"nagged {self.nagged}, escalated {self.escalated}, deferred to working hours {self.deferred}, "
                f"settled {self.settled}")


def due_leads(session: Session, now: datetime, limit: int) -> list[Lead]:
    """Leads whose nag is due, oldest first. Reads the partial index on ``nag_due_at``, so the cost follows
    the due leads, not the table; ``SKIP LOCKED`` lets a concurrent round on another replica take others."""
    return list(session.exec(due_query(now, limit)).all())


def due_query(now: datetime, limit: int = 200) -> SelectOfScalar[Lead]:
    return (select(Lead).where(col(Lead.nag_due_at) <= now).order_by(col(Lead.nag_due_at))
            .limit(limit).with_for_update(skip_locked=True))


def nag_due_leads(session: Session, clock: Clock, now: datetime, *, limit: int = 200,
                  settings_cache: dict[int, dict[str, str]] | None = None) -> NagRound:
    """One batch, in the caller's transaction: every nag, escalation and trail row is written with the
    lead's new due time, so a crash either keeps all of it or none."""
    cache = settings_cache if settings_cache is not None else {}
    done = NagRound()
    for lead in due_leads(session, now, limit):
        if lead.workspace_id not in cache:
            cache[lead.workspace_id] = all_settings(session, lead.workspace_id)
        done.add(nag_lead(session, clock, lead, cache[lead.workspace_id], now))
    return done


def nag_lead(session: Session, clock: Clock, lead: Lead, settings: dict[str, str], now: datetime) -> NagRound:
    outcome = NagRound()
    deadline = sla_due_at(lead, settings)
    owner = session.get(Member, lead.owner_id) if lead.owner_id else None
    if deadline is None or owner is None or deadline > now:
        lead.nag_due_at = deadline if owner is not None else None
        session.add(lead)
        outcome.settled = 1
        return outcome
    zone = zone_of(owner, settings)
    quiet = QuietHours.parse(settings.get("quiet_hours", "18:00-09:00"))
    every = max(timedelta(hours=int(settings.get("nag_every_hours", "24"))), MIN_NAG_GAP)
    if lead.last_nag_at is not None and phase_start(lead) <= lead.last_nag_at and now < lead.last_nag_at + every:
        # nagged recently for this same overdue step (a settings change recomputed the due time): wait.
        # A new step (accepted, touched, reassigned to someone else) starts its own clock.
        lead.nag_due_at = quiet.next_working(lead.last_nag_at + every, zone)
        session.add(lead)
        outcome.settled = 1
        return outcome
    if quiet.is_quiet(now.astimezone(zone)):
        lead.nag_due_at = quiet.next_working(now, zone)
        session.add(lead)
        outcome.deferred = 1
        return outcome
    since = phase_start(lead)
    phase_nags, escalated_already = _phase_history(session, lead, since)
    threshold = int(settings.get("escalate_after_nags", "2"))
    escalate = phase_nags >= threshold and not escalated_already
    number = lead.nag_count + 1
    key = f"L{lead.id}:n{number}:{int((lead.nag_due_at or now).timestamp())}"
    _record(session, lead, "nag", now, f"reminder {phase_nags + 1} to {owner.display_name}: "
                        f"{_reason(lead, settings, now)}")
    marketer = session.get(Member, lead.marketer_id) if lead.marketer_id else None
    escalation_text = ""
    if escalate:
        told = _escalate(session, clock, lead, owner, marketer, settings, now, phase_nags, key)
        escalation_text = f"after {phase_nags} reminders; told {', '.join(told) or 'nobody (no managers)'}"
        _record(session, lead, "escalation", now, escalation_text)
        outcome.escalated = 1
    reply = nag_reply(session, lead, owner, settings, now, phase_nags + 1, threshold, escalate, marketer)
    enqueue_dm(session, clock, member=owner, reply=reply, kind="nag", key=key, lead_id=lead.id)
    lead.nag_count = number
    lead.last_nag_at = now
    lead.nag_due_at = quiet.next_working(now + every, zone)
    session.add(lead)
    outcome.nagged = 1
    return outcome


def phase_start(lead: Lead) -> datetime:
    """Since when the current SLA clock runs: hand-off, acceptance, or the last touch."""
    if lead.status == "handed_off":
        return lead.handed_off_at or lead.created_at
    if lead.last_touch_at is not None:
        return lead.last_touch_at
    return lead.accepted_at or lead.created_at


def _phase_history(session: Session, lead: Lead, since: datetime) -> tuple[int, bool]:
    rows = session.exec(select(LeadEvent.kind, func.count()).where(
        LeadEvent.workspace_id == lead.workspace_id, LeadEvent.lead_id == lead.id,
        col(LeadEvent.kind).in_(("nag", "escalation")), col(LeadEvent.created_at) >= since,
    ).group_by(LeadEvent.kind)).all()
    counts = dict(rows)
    return int(counts.get("nag", 0)), bool(counts.get("escalation", 0))


def _record(session: Session, lead: Lead, kind: str, now: datetime, detail: str) -> LeadEvent:
    assert lead.id is not None
    event = LeadEvent(workspace_id=lead.workspace_id, lead_id=lead.id, actor_id=None, kind=kind,
                      from_status=lead.status, to_status=lead.status, detail=detail[:2000], created_at=now)
    session.add(event)
    return event


def _reason(lead: Lead, settings: dict[str, str], now: datetime) -> str:
    waited = describe_span(now - phase_start(lead))
    if lead.status == "handed_off":
        return f"not accepted {waited} after hand-off (SLA {settings['accept_sla_hours']} h)"
    if lead.last_touch_at is None:
        return f"accepted {waited} ago, no first touch yet (SLA {settings['first_touch_sla_hours']} h)"
    return f"no touch for {waited} (stale after {settings['stale_after_days']} days)"


def describe_span(span: timedelta) -> str:
    hours = max(0, int(span.total_seconds() // 3600))
    if hours < 1:
        return f"{max(1, int(span.total_seconds() // 60))} min"
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def nag_reply(session: Session, lead: Lead, owner: Member, settings: dict[str, str], now: datetime,
              reminder: int, threshold: int, escalated: bool, marketer: Member | None) -> Reply:
    """The owner's DM: what is overdue and why, the lead card, and one-click Accept / Log touch."""
    waited = describe_span(now - phase_start(lead))
    ref = f"L-{lead.number}"
    if lead.status == "handed_off":
        intro: tuple[Span | str, ...] = ("⏰ ", b(f"{ref} is waiting for you"), p(
            f" — handed to you {waited} ago and not accepted yet. Accept it, or reject it with a reason so "
            "marketing can route it to someone else."))
    elif lead.last_touch_at is None:
        intro = ("⏰ ", b(f"{ref} needs a first touch"), p(
            f" — you accepted it {waited} ago. A quick call or e-mail keeps it warm; log it with one click."))
    else:
        intro = ("⏰ ", b(f"{ref} has gone quiet"), p(f" — no touch for {waited}. Log your next step."))
    blocks = lead_blocks(card(session, lead), viewer=owner, intro=intro)
    if escalated:
        who = ["your managers"] + ([marketer.display_name] if marketer else [])
        blocks.append(context(f"Reminder {reminder}. I have also let {' and '.join(who)} know."))
    elif reminder <= threshold:
        blocks.append(context(f"Reminder {reminder} of {threshold} before your managers are told."))
    else:
        blocks.append(context(f"Reminder {reminder}."))
    return Reply(blocks=tuple(blocks))


def _escalate(session: Session, clock: Clock, lead: Lead, owner: Member, marketer: Member | None,
              settings: dict[str, str], now: datetime, nags: int, key: str) -> list[str]:
    """Managers (channel, or each manager by DM when no channel is set) and the marketer who handed it off."""
    ref = f"L-{lead.number}"
    problem = _reason(lead, settings, now)
    reminders = f"{nags} reminder{'s' if nags != 1 else ''}"
    intro: tuple[Span | str, ...] = ("🚨 ", b(f"{ref} · {lead.company}"), p(" — "), mention(session, owner),
                                     p(f" has had {reminders}: {problem}." if nags else f" is overdue: {problem}."))
    blocks = lead_blocks(card(session, lead), intro=intro, with_buttons=False)
    show = Buttons(buttons=(Button(label="Show lead", command=f"lead show {ref}"),))
    told: list[str] = []
    channel = settings.get("managers_channel", "")
    if channel and ":" in channel:
        enqueue_channel(session, clock, workspace_id=lead.workspace_id, channel=channel, kind="escalation", key=key,
                        reply=Reply(blocks=(*blocks, show), visibility="in_channel"))
        told.append("the managers channel")
    else:
        managers = members_with_role(session, lead.workspace_id, "manager") or \
            members_with_role(session, lead.workspace_id, "admin")
        for manager in managers:
            if manager.id != owner.id:
                enqueue_dm(session, clock, member=manager, reply=Reply(blocks=(*blocks, show)), kind="escalation",
                           key=key)
        if managers:
            told.append("the managers")
    if marketer is not None and marketer.id != owner.id:
        after = f", after {reminders}." if nags else "."
        heads_up = ("👀 ", b(f"Heads-up on {ref} · {lead.company}"), p(", which you handed to "),
                    mention(session, owner), p(f": {problem}{after} Managers have been told."))
        enqueue_dm(session, clock, member=marketer, kind="escalation", key=key,
                   reply=Reply(blocks=tuple(lead_blocks(card(session, lead), viewer=marketer, intro=heads_up,
                                                        with_buttons=False))))
        told.append(marketer.display_name)
    return told
