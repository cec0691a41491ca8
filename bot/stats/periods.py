"""The periods `stats` answers for (SPEC §3): `7d`, `30d` (any `<n>d`), `quarter`, `last-quarter`, `ytd` and
`<YYYY-MM-DD>..<YYYY-MM-DD>`, each as whole days in the workspace's time zone — every boundary is a local
midnight, whatever DST does — with the period it is compared with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import UsageError

DEFAULT = "30d"
FORMS = "`7d`, `30d`, `quarter`, `last-quarter`, `ytd` or a range of days like `2026-11-01..2026-11-30`"
MAX_DAYS = 3660  # ten years: beyond that a range is a typo
MAX_POINTS = 20  # points of the hand-offs line (Slack draws at most 20 labels)
_DAYS = re.compile(r"^([0-9]{1,4})d$")
_RANGE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})\.\.([0-9]{4})-([0-9]{2})-([0-9]{2})$")


@dataclass(frozen=True, slots=True)
class Window:
    """Whole local days ``[first, end)`` in ``zone``; ``start`` and ``stop`` are the UTC instants of their
    midnights, which is what queries compare with."""

    first: date
    end: date  # exclusive: the day after the last day
    zone: str

    @property
    def days(self) -> int:
        return (self.end - self.first).days

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return midnight(self.first, self.zone)

    @property
    def stop(self) -> datetime:
        return midnight(self.end, self.zone)


@dataclass(frozen=True, slots=True)
class Bucket:
    """One point of the hand-offs line: a label and the local days it covers."""

    label: str
    first: date
    end: date


@dataclass(frozen=True, slots=True)
class Period:
    """What `stats <form>` covers, its comparison and how both are called."""

    form: str
    title: str  # "Last 30 days"
    current: Window
    previous: Window
    compared: str  # "the 30 days before"

    @property
    def zone(self) -> str:
        return self.current.zone

    @property
    def span(self) -> str:
        """``2 Nov – 1 Dec 2026``"""
        return day_span(self.current.first, self.current.last)

    def buckets(self) -> tuple[Bucket, ...]:
        return buckets(self.current)

    def previous_buckets(self) -> tuple[Bucket, ...]:
        """The previous window cut at the same offsets, so its points line up with the current ones."""
        offset = self.current.first - self.previous.first
        return tuple(
            Bucket(b.label, b.first - offset, min(b.end - offset, self.previous.end))
            for b in self.buckets()
            if b.first - offset < self.previous.end
        )


def midnight(day: date, zone: str) -> datetime:
    """The UTC instant of ``day``'s local midnight in ``zone`` (the first moment of the day)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_name(day: date) -> str:
    """``2026-Q4`` — the form SPEC §5 uses."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _previous_quarter(start: date) -> date:
    return quarter_start(start - timedelta(days=1))


def _same_days_before(current: Window, first: date) -> Window:
    """``current``'s number of days from ``first``, never past ``current``'s own first day."""
    return Window(first, min(first + timedelta(days=current.days), current.first), current.zone)


def parse_period(raw: str | None, *, today: date, zone: str) -> Period:
    """The period a `stats` argument names, for ``today`` in ``zone``; a form it cannot read is refused naming
    the forms it takes. Periods "so far" (`30d`, `quarter`, `ytd`) include today."""
    form = (raw or DEFAULT).strip().lower()
    tomorrow = today + timedelta(days=1)
    if match := _DAYS.match(form):
        count = int(match.group(1))
        if not 1 <= count <= MAX_DAYS:
            raise UsageError(f"`{form}` is out of range: a period is 1 to {MAX_DAYS:,} days long. Periods: {FORMS}.")
        current = Window(tomorrow - timedelta(days=count), tomorrow, zone)
        before = Window(current.first - timedelta(days=count), current.first, zone)
        word = "day" if count == 1 else f"{count} days"
        return Period(form, "Today" if count == 1 else f"Last {word}", current, before, f"the {word} before")
    if form == "quarter":
        first = quarter_start(today)
        current = Window(first, tomorrow, zone)
        earlier = _previous_quarter(first)
        return Period(
            form,
            f"This quarter ({_quarter_label(first)}) so far",
            current,
            _same_days_before(current, earlier),
            f"the same days of {_quarter_label(earlier)}",
        )
    if form in ("last-quarter", "lastquarter"):
        first = _previous_quarter(quarter_start(today))
        current = Window(first, quarter_start(today), zone)
        earlier = _previous_quarter(first)
        return Period(
            "last-quarter",
            f"Last quarter ({_quarter_label(first)})",
            current,
            _same_days_before(current, earlier),
            _quarter_label(earlier),
        )
    if form == "ytd":
        current = Window(date(today.year, 1, 1), tomorrow, zone)
        return Period(
            form,
            f"{today.year} so far",
            current,
            _same_days_before(current, date(today.year - 1, 1, 1)),
            f"the same days of {today.year - 1}",
        )
    if match := _RANGE.match(form):
        first, last = _day(*match.groups()[:3]), _day(*match.groups()[3:])
        if last < first:
            raise UsageError(f"`{form}` ends before it starts: put the earlier day first, like `{last}..{first}`.")
        current = Window(first, last + timedelta(days=1), zone)
        if current.days > MAX_DAYS:
            raise UsageError(f"`{form}` is {current.days:,} days long; a range is at most {MAX_DAYS:,} days.")
        before = Window(first - timedelta(days=current.days), first, zone)
        word = "day" if current.days == 1 else f"{current.days} days"
        return Period(form, day_span(first, last), current, before, f"the {word} before")
    raise UsageError(f"`{form[:40]}` is not a period I know. Periods: {FORMS}.", usage=USAGE)


USAGE = "stats [7d|30d|quarter|last-quarter|ytd|<YYYY-MM-DD>..<YYYY-MM-DD>] [campaign:<c>] [owner:<user>] [source:<s>]"


def _day(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise UsageError(f"{year}-{month}-{day} is not a day in the calendar. Periods: {FORMS}.") from None


def _quarter_label(first: date) -> str:
    return f"Q{(first.month - 1) // 3 + 1} {first.year}"


def day_span(first: date, last: date) -> str:
    """``2 Nov – 1 Dec 2026``, ``3 – 9 Nov 2026``, ``5 Nov 2026``."""
    if first == last:
        return f"{first.day} {first:%b %Y}"
    if first.year != last.year:
        return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} – {last.day} {last:%b %Y}"


def buckets(window: Window) -> tuple[Bucket, ...]:
    """The points of a line over ``window``: days up to two weeks, weeks up to twenty (counted back from the end),
    else months (and quarters or years for very long ranges) — never more than 20 points."""
    if window.days <= 14:
        return tuple(
            Bucket(f"{day:%a} {day.day}", day, day + timedelta(days=1))
            for day in (window.first + timedelta(days=n) for n in range(window.days))
        )
    if window.days <= 7 * MAX_POINTS:
        # whole weeks back from the period's end, so the latest point is a full week (a short one first)
        out = []
        end = window.end
        while end > window.first:
            first = max(end - timedelta(days=7), window.first)
            out.append(Bucket(f"{first.day} {first:%b}", first, end))
            end = first
        return tuple(reversed(out))
    for months in (1, 3, 12):
        out = []
        day = window.first
        while day < window.end:
            step = _add_months(date(day.year, day.month, 1), months)
            label = f"{day:%b %Y}" if months == 1 else (quarter_name(day) if months == 3 else str(day.year))
            out.append(Bucket(label, day, min(step, window.end)))
            day = step
        if len(out) <= MAX_POINTS:
            return tuple(out)
    return tuple(out)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)
