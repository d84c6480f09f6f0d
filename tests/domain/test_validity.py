"""The JST certificate calendar: notAfter, day 336, reminder, banner, across leap years and midnight."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.validity import TOKYO, calendar_for, p12_file_name

UTC = timezone.utc


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TOKYO)


# issued at → (issue date, expiry date = day 366, renewal opens = day 336, reminder day, banner day)
CALENDAR = [
    pytest.param(jst(2026, 4, 1, 10, 30), date(2026, 4, 1), date(2027, 4, 1), date(2027, 3, 2),
                 date(2027, 3, 25), date(2027, 2, 20), id="ordinary-year"),
    pytest.param(jst(2027, 2, 28, 9), date(2027, 2, 28), date(2028, 2, 28), date(2028, 1, 29),
                 date(2028, 2, 21), date(2028, 1, 19), id="ends-the-day-before-a-leap-day"),
    pytest.param(jst(2027, 3, 1, 9), date(2027, 3, 1), date(2028, 2, 29), date(2028, 1, 30),
                 date(2028, 2, 22), date(2028, 1, 20), id="spans-2028-02-29-ends-on-it"),
    pytest.param(jst(2028, 2, 28, 9), date(2028, 2, 28), date(2029, 2, 27), date(2029, 1, 28),
                 date(2029, 2, 20), date(2029, 1, 18), id="spans-2028-02-29-from-the-day-before"),
    pytest.param(jst(2028, 2, 29, 9), date(2028, 2, 29), date(2029, 2, 28), date(2029, 1, 29),
                 date(2029, 2, 21), date(2029, 1, 19), id="issued-on-the-leap-day"),
    pytest.param(datetime(2026, 12, 31, 15, 0, 0, tzinfo=UTC), date(2027, 1, 1), date(2028, 1, 1),
                 date(2027, 12, 2), date(2027, 12, 25), date(2027, 11, 22), id="utc-new-years-eve-is-jst-new-year"),
    pytest.param(datetime(2026, 12, 31, 14, 59, 59, tzinfo=UTC), date(2026, 12, 31), date(2027, 12, 31),
                 date(2027, 12, 1), date(2027, 12, 24), date(2027, 11, 21), id="last-second-of-the-jst-year"),
    pytest.param(jst(2027, 6, 30, 23, 59, 59), date(2027, 6, 30), date(2028, 6, 29), date(2028, 5, 30),
                 date(2028, 6, 22), date(2028, 5, 20), id="late-evening-jst-with-leap-day-inside"),
]


@pytest.mark.parametrize(("issued_at", "issue_date", "expiry", "renewal", "reminder", "banner"), CALENDAR)
def test_calendar_table(issued_at, issue_date, expiry, renewal, reminder, banner):
    calendar = calendar_for(issued_at)
    assert calendar.issue_date == issue_date
    assert calendar.expiry_date == expiry
    assert calendar.not_after == jst(expiry.year, expiry.month, expiry.day, 23, 59, 59)
    assert calendar.expires_at == calendar.not_after + timedelta(seconds=1)
    assert calendar.renewal_opens_at == jst(renewal.year, renewal.month, renewal.day)
    assert calendar.reminder_at == jst(reminder.year, reminder.month, reminder.day)
    assert calendar.banner_from == jst(banner.year, banner.month, banner.day)


@pytest.mark.parametrize(("issued_at", "issue_date", "expiry", "renewal", "reminder", "banner"), CALENDAR)
def test_day_numbers_count_the_issue_date_as_day_one(issued_at, issue_date, expiry, renewal, reminder, banner):
    calendar = calendar_for(issued_at)
    assert calendar.day_number(issued_at) == 1
    assert calendar.day_number(calendar.renewal_opens_at) == 336
    assert calendar.day_number(calendar.renewal_opens_at - timedelta(seconds=1)) == 335
    assert calendar.day_number(calendar.not_after) == 366
    assert calendar.days_left(issued_at) == 366
    assert calendar.days_left(calendar.renewal_opens_at) == 31  # the window opens 30 days before the expiry date
    assert calendar.days_left(calendar.reminder_at) == 8
    assert calendar.days_left(calendar.not_after) == 1
    assert calendar.days_left(calendar.expires_at) == 0
    assert (calendar.not_after.date() - calendar.issue_date).days == 365


@pytest.mark.parametrize(("issued_at", "issue_date", "expiry", "renewal", "reminder", "banner"), CALENDAR)
def test_validity_window_and_banner_edges(issued_at, issue_date, expiry, renewal, reminder, banner):
    calendar = calendar_for(issued_at)
    second = timedelta(seconds=1)
    assert calendar.is_valid(calendar.issued_at) and calendar.is_valid(calendar.not_after)
    assert not calendar.is_valid(calendar.expires_at)
    assert not calendar.is_valid(calendar.issued_at - second)
    assert not calendar.in_renewal_window(calendar.renewal_opens_at - second)
    assert calendar.in_renewal_window(calendar.renewal_opens_at)
    assert calendar.in_renewal_window(calendar.not_after)
    assert not calendar.in_renewal_window(calendar.expires_at)
    assert not calendar.shows_renewal_banner(calendar.banner_from - second)
    assert calendar.shows_renewal_banner(calendar.banner_from)
    assert not calendar.shows_renewal_banner(calendar.expires_at)


def test_issue_time_is_kept_to_the_second_as_x509_stores_it():
    calendar = calendar_for(datetime(2027, 3, 1, 1, 2, 3, 987654, tzinfo=UTC))
    assert calendar.issued_at == datetime(2027, 3, 1, 1, 2, 3, tzinfo=UTC)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        calendar_for(datetime(2027, 3, 1, 9))  # noqa: DTZ001  naive on purpose


@pytest.mark.parametrize(
    ("issued_at", "name"),
    [
        (datetime(2026, 12, 31, 15, 0, 5, tzinfo=UTC), "abc12320270101000005.p12"),
        (jst(2028, 2, 29, 23, 59, 59), "abc12320280229235959.p12"),
        (datetime(2027, 7, 1, 3, 4, 5, tzinfo=UTC), "abc12320270701120405.p12"),
    ],
)
def test_p12_file_name_is_user_id_and_jst_time(issued_at, name):
    assert p12_file_name("abc123", issued_at) == name
