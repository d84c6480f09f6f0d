"""The holiday table (data: 内閣府「国民の祝日」) and the business-day calendar of written requests."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from importlib import resources

import pytest

from domain import business_days
from domain.business_days import (
    add_business_days,
    business_days_between,
    covers,
    holiday_name,
    is_business_day,
    whole_business_days_waited,
)
from domain.revocation import paper_deadline, reminder_at, reminders_due
from domain.validity import TOKYO


def jst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TOKYO)


def test_the_table_is_data_shipped_with_the_package_and_says_where_it_comes_from():
    document = json.loads(resources.files("domain.data").joinpath("jp_holidays.json").read_text("utf-8"))
    assert "内閣府" in document["source"]
    assert (document["first_year"], document["last_year"]) == (2026, 2030)
    assert len(business_days.HOLIDAYS) == len(document["holidays"])


@pytest.mark.parametrize("year", range(2026, 2031))
def test_every_year_2026_to_2030_has_all_sixteen_holidays(year):
    assert covers(year)
    names = {name for day, name in business_days.HOLIDAYS.items() if day.year == year}
    assert names >= {"元日", "成人の日", "建国記念の日", "天皇誕生日", "春分の日", "昭和の日", "憲法記念日",
                     "みどりの日", "こどもの日", "海の日", "山の日", "敬老の日", "秋分の日", "スポーツの日",
                     "文化の日", "勤労感謝の日"}


def test_the_table_covers_this_year_and_the_next():
    """Fails when the table needs its next year (the government publishes it each February)."""
    this_year = datetime.now(TOKYO).year
    assert covers(this_year) and covers(this_year + 1), "extend domain/data/jp_holidays.json"


@pytest.mark.parametrize(("day", "name"), [
    (date(2026, 5, 6), "振替休日"),  # こどもの日 week: 憲法記念日 on a Sunday
    (date(2026, 9, 22), "国民の休日"),  # between 敬老の日 and 秋分の日
    (date(2026, 11, 23), "勤労感謝の日"),
    (date(2027, 3, 22), "振替休日"),  # 春分の日 on Sunday 21 March
    (date(2029, 2, 12), "振替休日"),
    (date(2029, 4, 30), "振替休日"),
    (date(2029, 9, 24), "振替休日"),
    (date(2030, 5, 6), "振替休日"),
    (date(2030, 8, 12), "振替休日"),
    (date(2030, 11, 4), "振替休日"),
    (date(2027, 1, 11), "成人の日"),  # second Monday of January
    (date(2028, 7, 17), "海の日"),  # third Monday of July
    (date(2028, 9, 22), "秋分の日"),
])
def test_substitute_and_sandwiched_holidays(day, name):
    assert holiday_name(day) == name
    assert not is_business_day(day)


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 11, 20), True),  # Friday
    (date(2026, 11, 21), False),  # Saturday
    (date(2026, 11, 22), False),  # Sunday
    (date(2026, 11, 23), False),  # Monday, 勤労感謝の日
    (date(2026, 11, 24), True),
    (date(2028, 4, 29), False),  # 昭和の日 on a Saturday: no substitute
    (date(2028, 5, 1), True),
    (date(2026, 12, 31), True),  # year-end: not a public holiday (SPEC: weekends and public holidays only)
])
def test_business_days(day, expected):
    assert is_business_day(day) is expected


@pytest.mark.parametrize(("start", "count", "expected"), [
    (date(2026, 11, 20), 1, date(2026, 11, 24)),  # Friday + 1: over the weekend and 勤労感謝の日
    (date(2026, 11, 21), 3, date(2026, 11, 26)),
    (date(2027, 4, 28), 3, date(2027, 5, 7)),  # Golden Week
    (date(2026, 9, 18), 1, date(2026, 9, 24)),  # Silver Week: 敬老の日, 国民の休日, 秋分の日
    (date(2026, 5, 1), 1, date(2026, 5, 7)),  # 振替休日 on the 6th
])
def test_adding_business_days(start, count, expected):
    assert add_business_days(start, count) == expected
    assert business_days_between(start, expected) == count


def test_adding_needs_a_positive_count():
    with pytest.raises(ValueError):
        add_business_days(date(2026, 11, 20), 0)


@pytest.mark.parametrize(("received", "reminders"), [
    # Received on a Friday: Monday, Tuesday and Wednesday pass whole; Thursday 09:00 JST.
    # Three business days later (Fri 20, Tue 24 after 勤労感謝の日, Wed 25) the next one.
    (jst(2026, 11, 13, 10, 0), [jst(2026, 11, 19, 9, 0), jst(2026, 11, 25, 9, 0)]),
    # Received before the 勤労感謝の日 weekend: 24, 25, 26 count; the 27th. Then 30 Nov, 1 and 2 Dec.
    (jst(2026, 11, 20, 16, 30), [jst(2026, 11, 27, 9, 0), jst(2026, 12, 2, 9, 0)]),
    # Received on a Saturday: the day itself never counts.
    (jst(2026, 11, 21, 11, 0), [jst(2026, 11, 27, 9, 0), jst(2026, 12, 2, 9, 0)]),
    # Golden Week 2027: 30 Apr, 6 May, 7 May count; Monday 10 May, then 11, 12, 13.
    (jst(2027, 4, 28, 10, 0), [jst(2027, 5, 10, 9, 0), jst(2027, 5, 13, 9, 0)]),
    # 23:30 UTC on the 19th is Friday morning the 20th in Japan: the JST date counts.
    (datetime(2026, 11, 19, 23, 30, tzinfo=timezone.utc), [jst(2026, 11, 27, 9, 0), jst(2026, 12, 2, 9, 0)]),
])
def test_approver_reminders_after_three_whole_business_days(received, reminders):
    assert [reminder_at(received, sent) for sent in range(len(reminders))] == reminders
    assert reminders_due(received, reminders[0] - timedelta(seconds=1)) == 0
    waited = whole_business_days_waited(received.astimezone(TOKYO).date(), reminders[0].date())
    assert waited == 3  # what the reminder e-mail says
    assert reminders_due(received, reminders[0]) == 1
    assert reminders_due(received, reminders[1] + timedelta(hours=1)) == 2  # woke up late: still the count due


@pytest.mark.parametrize(("filed", "expires"), [
    (jst(2026, 11, 21, 18, 16), jst(2026, 12, 21, 0, 0)),  # filed on day 1, paper accepted through day 30
    (jst(2026, 11, 21, 0, 0), jst(2026, 12, 21, 0, 0)),
    (jst(2028, 2, 15, 23, 59), jst(2028, 3, 16, 0, 0)),  # over a leap day
    (datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc), jst(2026, 12, 21, 0, 0)),  # 00:00 JST on the 21st
])
def test_the_paper_deadline_is_the_end_of_day_thirty(filed, expires):
    deadline = paper_deadline(filed)
    assert deadline == expires
    first_day = filed.astimezone(TOKYO).date()
    assert (deadline.astimezone(TOKYO).date() - first_day).days == 30  # days 1..30, then it expires
