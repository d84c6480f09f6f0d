"""Business days of the Rokin (SPEC.md §2 "Revocation"): not Saturdays, Sundays or Japanese public holidays.

The holidays are data, not code: ``domain/data/jp_holidays.json`` (source: 内閣府「国民の祝日」),
read once at import with ``importlib.resources``. The table covers ``FIRST_YEAR``–``LAST_YEAR``;
outside it only weekends count as days off, so extend the table before a new year starts (a test
fails when the current or the next year is missing).

Workflows call these functions with ``workflow.now()``: the table is read when the module is
imported, never inside a workflow task, so replays see the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from importlib import resources
from types import MappingProxyType

SATURDAY = 5


def _load() -> tuple[Mapping[date, str], int, int]:
    document = json.loads(resources.files("domain.data").joinpath("jp_holidays.json").read_text("utf-8"))
    holidays = {date.fromisoformat(day): name for day, name in document["holidays"].items()}
    return MappingProxyType(holidays), int(document["first_year"]), int(document["last_year"])


HOLIDAYS, FIRST_YEAR, LAST_YEAR = _load()


def covers(year: int) -> bool:
    """Whether the holiday table lists ``year``."""
    return FIRST_YEAR <= year <= LAST_YEAR


def holiday_name(day: date) -> str | None:
    """The holiday's name (e.g. 勤労感謝の日, 振替休日), or None."""
    return HOLIDAYS.get(day)


def is_business_day(day: date) -> bool:
    return day.weekday() < SATURDAY and day not in HOLIDAYS


def add_business_days(day: date, count: int) -> date:
    """The ``count``-th business day after ``day`` (``day`` itself never counts; count ≥ 1)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    current = day
    while count:
        current += timedelta(days=1)
        if is_business_day(current):
            count -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``):
    how many whole business days a request received on ``start`` has waited by the end of ``end``."""
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        days += is_business_day(current)
    return days


def whole_business_days_waited(start: date, today: date) -> int:
    """Business days strictly between ``start`` and ``today``: what a request received on ``start``
    has waited by ``today`` (3 on the morning its approvers are reminded)."""
    return business_days_between(start, today - timedelta(days=1)) if today > start else 0
