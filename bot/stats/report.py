"""The weekly report (SPEC §4): at each workspace's `weekly_report` moment (`mon 09:00` in its time zone) the last
seven days of `stats` against the week before, the three things that need attention and the dashboard link go to
`managers_channel`, or to each manager by DM. One report per workspace and week however many replicas run: the
week is claimed (a `job_lease` row keyed by workspace and the week's moment) in the same transaction that writes
the outbox rows, whose keys name the ISO week too — a crash sends nothing, and a second run sends nothing new."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from bot.admin.settings import SPECS, all_settings
from bot.core.clock import Clock
from bot.core.outbox import enqueue_channel, enqueue_dm
from bot.stats.periods import Period, Window, day_span, local_today
from bot.stats.scope import Scope
from bot.stats.service import Providers, compute
from bot.stats.views import report_reply
from storage.models import JobLease, Member, Workspace, WorkspaceSetting

KIND = "weekly_report"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WHEN = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun) ([01]?\d|2[0-3]):([0-5]\d)$")
_SETTING = WorkspaceSetting.__table__  # type: ignore[attr-defined]
_WORKSPACE = Workspace.__table__  # type: ignore[attr-defined]
_SETTINGS = select(_SETTING.c.workspace_id, _SETTING.c.key, _SETTING.c.value).where(
    _SETTING.c.key.in_(("weekly_report", "timezone"))
)


@dataclass(frozen=True)
class Due:
    """A workspace's report of one ISO week: when it is due, the days it covers and the week's key."""

    workspace_id: int
    moment: datetime  # this week's `weekly_report` moment, UTC
    week: str  # "2026-W49"
    period: Period


def weekly_moment(setting: str, zone: str, now: datetime) -> datetime | None:
    """This ISO week's report moment (UTC) for a `weekly_report` setting, in ``zone``; None when it is `off`.
    The local wall time is kept across DST changes (09:00 is 09:00 both sides of the change)."""
    match = _WHEN.match((setting or "").strip().lower())
    if match is None:
        return None
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    day = monday + timedelta(days=DAYS.index(match.group(1)))
    local = datetime.combine(day, time(int(match.group(2)), int(match.group(3))), tzinfo=tz)
    return local.astimezone(UTC)


def report_period(end: date, zone: str) -> Period:
    """The seven whole days before ``end`` (exclusive), against the seven before them."""
    current = Window(end - timedelta(days=7), end, zone)
    previous = Window(end - timedelta(days=14), end - timedelta(days=7), zone)
    return Period(
        "7d", "Last 7 days", current, previous, f"the week before ({day_span(previous.first, previous.last)})"
    )


def due_reports(session: Session, now: datetime, *, manual: bool = False) -> list[Due]:
    """Each workspace whose report for this week is due at ``now`` (``manual``: all of them, now), with the
    period it covers: the seven days before the report's day, or before today when run by hand earlier in the
    week. Reads every workspace's two settings in one query."""
    settings: dict[int, dict[str, str]] = {}
    for workspace_id, key, value in session.execute(_SETTINGS):
        settings.setdefault(int(workspace_id), {})[key] = value
    out = []
    for (workspace_id,) in session.execute(select(_WORKSPACE.c.id).order_by(_WORKSPACE.c.id)):
        own = settings.get(int(workspace_id), {})
        zone = own.get("timezone", SPECS["timezone"].default)
        moment = weekly_moment(own.get("weekly_report", SPECS["weekly_report"].default), zone, now)
        if moment is None or (not manual and now < moment):
            continue
        local = moment.astimezone(ZoneInfo(zone)).date()
        year, week, _ = local.isocalendar()
        end = min(local, local_today(now, zone) if manual else local)
        out.append(Due(int(workspace_id), moment, f"{year}-W{week:02d}", report_period(end, zone)))
    return out


def _claim(session: Session, due: Due, owner: str, now: datetime) -> int | None:
    """This week's report for the workspace, claimed in the caller's transaction; None when it was sent."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(JobLease)
        .values(job=f"{KIND}:w{due.workspace_id}", fire_time=due.moment, owner=owner[:100], started_at=now)
        .on_conflict_do_nothing(index_elements=["job", "fire_time"])
        .returning(JobLease.id)
    )
    found: int | None = session.execute(statement).scalar_one_or_none()
    return found


_MANAGERS = (
    select(Member)
    .where(col(Member.workspace_id) == bindparam("workspace"), col(Member.role).in_(("manager", "admin")))
    .order_by(col(Member.id))
)


def send_report(
    session: Session,
    clock: Clock,
    due: Due,
    *,
    owner: str,
    dashboard_url: str,
    providers: Providers | None = None,
) -> int:
    """Claim the week, compute its figures and write the report's outbox rows; how many were written (0 when
    this week's report was already sent)."""
    now = clock.now()
    lease = _claim(session, due, owner, now)
    if lease is None:
        return 0
    figures = compute(
        session,
        workspace_id=due.workspace_id,
        period=due.period,
        scope=Scope(viewer_id=0, reach="workspace"),
        now=now,
        providers=providers or Providers(),
    )
    reply = report_reply(figures, dashboard_url)
    settings = all_settings(session, due.workspace_id)
    channel = settings.get("managers_channel", "")
    written = 0
    if channel and ":" in channel:
        row = enqueue_channel(
            session, clock, workspace_id=due.workspace_id, channel=channel, reply=reply, kind=KIND, key=due.week
        )
        written += row is not None
    else:
        staff = list(session.execute(_MANAGERS, {"workspace": due.workspace_id}).scalars())
        for member in [m for m in staff if m.role == "manager"] or staff:
            written += enqueue_dm(session, clock, member=member, reply=reply, kind=KIND, key=due.week) is not None
    session.execute(
        update(JobLease)
        .where(col(JobLease.id) == lease)
        .values(finished_at=clock.now(), result=f"{written} message{'s' if written != 1 else ''}")
    )
    return written
