"""The periods `stats` answers for (SPEC §3): whole days in the workspace's time zone, each compared with the
period before of the same length, and a clear refusal naming the forms for anything else."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.errors import UsageError
from bot.stats.commands import period_text
from bot.stats.periods import buckets, midnight, parse_period

TODAY = date(2026, 11, 18)  # a Wednesday in Q4


def days(form: str, today: date = TODAY) -> tuple[tuple[date, date], tuple[date, date]]:
    period = parse_period(form, today=today, zone="Europe/Berlin")
    return (period.current.first, period.current.end), (period.previous.first, period.previous.end)


def test_default_is_the_last_30_days_including_today() -> None:
    period = parse_period(None, today=TODAY, zone="UTC")
    assert (period.form, period.title, period.span) == ("30d", "Last 30 days", "20 Oct – 18 Nov 2026")
    assert days("30d") == ((date(2026, 10, 20), date(2026, 11, 19)), (date(2026, 9, 20), date(2026, 10, 20)))
    assert period.compared == "the 30 days before"


def test_seven_days_and_any_number_of_days() -> None:
    assert days("7d") == ((date(2026, 11, 12), date(2026, 11, 19)), (date(2026, 11, 5), date(2026, 11, 12)))
    assert days("90D")[0] == (date(2026, 8, 21), date(2026, 11, 19))
    with pytest.raises(UsageError, match="1 to 3,660 days"):
        parse_period("0d", today=TODAY, zone="UTC")


def test_this_quarter_so_far_against_the_same_days_of_the_last_one() -> None:
    period = parse_period("quarter", today=TODAY, zone="UTC")
    assert period.title == "This quarter (Q4 2026) so far"
    assert days("quarter") == ((date(2026, 10, 1), date(2026, 11, 19)), (date(2026, 7, 1), date(2026, 8, 19)))
    assert period.compared == "the same days of Q3 2026"
    # on the quarter's last day the comparison stops at the quarter it compares with
    assert days("quarter", date(2026, 6, 30)) == (
        (date(2026, 4, 1), date(2026, 7, 1)),
        (date(2026, 1, 1), date(2026, 4, 1)),
    )


def test_last_quarter_is_the_whole_previous_quarter_against_the_one_before() -> None:
    assert days("last-quarter") == ((date(2026, 7, 1), date(2026, 10, 1)), (date(2026, 4, 1), date(2026, 7, 1)))
    assert days("last-quarter", date(2026, 2, 10)) == (
        (date(2025, 10, 1), date(2026, 1, 1)),
        (date(2025, 7, 1), date(2025, 10, 1)),
    )
    assert parse_period("last-quarter", today=TODAY, zone="UTC").title == "Last quarter (Q3 2026)"


def test_year_to_date_against_the_same_days_of_last_year() -> None:
    assert days("ytd") == ((date(2026, 1, 1), date(2026, 11, 19)), (date(2025, 1, 1), date(2025, 11, 19)))
    # the same length: 61 days, so in a year without 29 February it runs to 2 March
    assert days("ytd", date(2028, 3, 1))[1] == (date(2027, 1, 1), date(2027, 3, 3))


def test_a_range_of_days_includes_both_days() -> None:
    assert days("2026-11-01..2026-11-30") == (
        (date(2026, 11, 1), date(2026, 12, 1)),
        (date(2026, 10, 2), date(2026, 11, 1)),
    )
    period = parse_period("2026-11-05..2026-11-05", today=TODAY, zone="UTC")
    assert (period.current.days, period.span, period.compared) == (1, "5 Nov 2026", "the day before")


def test_boundaries_are_local_midnights_whatever_dst_does() -> None:
    period = parse_period("2026-10-25..2026-10-25", today=TODAY, zone="Europe/Berlin")  # summer time ends that day
    assert period.current.start == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 00:00 CEST
    assert period.current.stop == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # 00:00 CET: a 25-hour day
    assert midnight(date(2026, 3, 29), "Europe/Berlin") == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert midnight(date(2026, 3, 30), "Europe/Berlin") == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # 23-hour day


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("yesterday", "is not a period I know"),
        ("2026-13-01..2026-12-31", "is not a day in the calendar"),
        ("2026-02-30..2026-03-01", "is not a day in the calendar"),
        ("2026-12-01..2026-11-01", "ends before it starts: put the earlier day first, like `2026-11-01..2026-12-01`"),
        ("2000-01-01..2026-01-01", "a range is at most 3,660 days"),
        ("30", "is not a period I know"),
    ],
)
def test_a_bad_period_is_refused_naming_the_forms(typed: str, why: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_period(typed, today=TODAY, zone="UTC")
    assert why in str(refused.value)
    if "ends before" not in why and "at most" not in why:
        assert "`7d`, `30d`, `quarter`, `last-quarter`, `ytd`" in str(refused.value)


def test_typed_forms_are_forgiving() -> None:
    assert period_text([]) is None
    assert period_text(["last", "quarter"]) == "last-quarter"
    assert period_text(["This", "Quarter"]) == "quarter"
    assert period_text(["2026-11-01", "..", "2026-11-30"]) == "2026-11-01..2026-11-30"
    with pytest.raises(UsageError, match="more than one period"):
        period_text(["7d", "30d"])
    with pytest.raises(UsageError, match="dashboard is not part of this version"):
        period_text(["dashboard"])


def test_the_hand_offs_line_has_days_weeks_or_months_never_more_than_20_points() -> None:
    week = parse_period("7d", today=TODAY, zone="UTC")
    assert [b.label for b in week.buckets()] == ["Thu 12", "Fri 13", "Sat 14", "Sun 15", "Mon 16", "Tue 17", "Wed 18"]
    month = parse_period("30d", today=TODAY, zone="UTC").buckets()
    # whole weeks back from the end: the latest point is a full week, the first one two days
    assert [b.label for b in month] == ["20 Oct", "22 Oct", "29 Oct", "5 Nov", "12 Nov"]
    assert (month[0].end, month[-1].first, month[-1].end) == (
        date(2026, 10, 22),
        date(2026, 11, 12),
        date(2026, 11, 19),
    )
    year = buckets(parse_period("ytd", today=TODAY, zone="UTC").current)
    assert len(year) == 11 and year[0].label == "Jan 2026"
    decade = buckets(parse_period("2017-01-01..2026-11-18", today=TODAY, zone="UTC").current)
    assert len(decade) <= 20 and decade[0].label == "2017"
    # the period before is cut at the same offsets, so its points line up with these
    quarter = parse_period("quarter", today=TODAY, zone="UTC")
    assert [b.label for b in quarter.previous_buckets()] == [b.label for b in quarter.buckets()]
    assert quarter.previous_buckets()[0].first == date(2026, 7, 1)
