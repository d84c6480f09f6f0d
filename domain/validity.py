"""The certificate calendar (SPEC.md §2 "Certificates"; seed 001 §6, seed 003 Q7), in Asia/Tokyo.

A certificate is valid for 366 days including its issue date: notAfter is 23:59:59 JST of the
issue date + 365 days. "N days before expiry" means 00:00 JST of the expiry date minus N days,
so the renewal window (30 days before) opens on day 336, counting the issue date as day 1.
Leap days count as days. Every function takes the instant it is about (``now``) as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")

VALIDITY_DAYS = 366  # 発行日を含めて366日間
RENEWAL_WINDOW_DAYS = 30  # 有効期限が切れる30日前から更新可能
REMINDER_DAYS_BEFORE_EXPIRY = 7
BANNER_DAYS_BEFORE_EXPIRY = 40  # seed 003 Q7: トップ画面でのお知らせ
LAST_SECOND = time(23, 59, 59)


def tokyo_date(moment: datetime) -> date:
    """The calendar date in Japan at ``moment`` (an aware datetime)."""
    return moment.astimezone(TOKYO).date()


def start_of_day(day: date) -> datetime:
    """00:00:00 JST of ``day``."""
    return datetime.combine(day, time.min, tzinfo=TOKYO)


@dataclass(frozen=True)
class CertificateCalendar:
    """Every date in the life of a certificate issued at ``issued_at``."""

    issued_at: datetime

    @property
    def issue_date(self) -> date:
        return tokyo_date(self.issued_at)

    @property
    def expiry_date(self) -> date:
        """The last day of validity (day 366)."""
        return self.issue_date + timedelta(days=VALIDITY_DAYS - 1)

    @property
    def not_after(self) -> datetime:
        """23:59:59 JST of the expiry date: the certificate's notAfter."""
        return datetime.combine(self.expiry_date, LAST_SECOND, tzinfo=TOKYO)

    @property
    def expires_at(self) -> datetime:
        """The first instant the certificate is no longer valid: 00:00 JST the day after the expiry date."""
        return start_of_day(self.expiry_date + timedelta(days=1))

    def days_before_expiry(self, days: int) -> datetime:
        return start_of_day(self.expiry_date - timedelta(days=days))

    @property
    def renewal_opens_at(self) -> datetime:
        """00:00 JST of day 336: renewal possible, e-mail sent."""
        return self.days_before_expiry(RENEWAL_WINDOW_DAYS)

    @property
    def reminder_at(self) -> datetime:
        """00:00 JST 7 days before the expiry date: the reminder if not renewed."""
        return self.days_before_expiry(REMINDER_DAYS_BEFORE_EXPIRY)

    @property
    def banner_from(self) -> datetime:
        """00:00 JST 40 days before the expiry date (day 326): the top screen shows the renewal banner
        and the lifecycle e-mails the same (seed 003 Q7: 「トップ画面」および「電子メール」)."""
        return self.days_before_expiry(BANNER_DAYS_BEFORE_EXPIRY)

    def day_number(self, now: datetime) -> int:
        """Day 1 is the issue date (JST)."""
        return (tokyo_date(now) - self.issue_date).days + 1

    def days_left(self, now: datetime) -> int:
        """Days of validity left, today included: 366 on the issue date, 1 on the expiry date, then 0."""
        return _days_left(self.expiry_date, tokyo_date(now))

    def is_valid(self, now: datetime) -> bool:
        return self.issued_at <= now < self.expires_at

    def in_renewal_window(self, now: datetime) -> bool:
        return self.renewal_opens_at <= now < self.expires_at

    def shows_renewal_banner(self, now: datetime) -> bool:
        return self.banner_from <= now < self.expires_at


def _days_left(expiry_date: date, today: date) -> int:
    """Days of validity left, today included (the top screen's 残り日数 and every notice)."""
    return max((expiry_date - today).days + 1, 0)


@dataclass(frozen=True)
class ExpiryOutlook:
    """What a notice about a certificate's end says at the moment it is sent: the real days left and
    the real renewal window, also when it goes out late (SPEC.md §2 "Every notice states …")."""

    today: date  # in Japan, when the notice is sent
    expiry_date: date  # the last day of validity (day 366)
    renewal_opens_on: date  # day 336: renewal possible from 00:00 JST

    @property
    def days_left(self) -> int:
        return _days_left(self.expiry_date, self.today)

    @property
    def in_renewal_window(self) -> bool:
        return self.renewal_opens_on <= self.today <= self.expiry_date


def expiry_outlook(not_after: datetime, now: datetime) -> ExpiryOutlook:
    """The outlook of a certificate whose notAfter is ``not_after`` (23:59:59 JST of day 366) at ``now``."""
    expiry_date = tokyo_date(not_after)
    return ExpiryOutlook(today=tokyo_date(now), expiry_date=expiry_date,
                         renewal_opens_on=expiry_date - timedelta(days=RENEWAL_WINDOW_DAYS))


def calendar_for(issued_at: datetime) -> CertificateCalendar:
    """The calendar of a certificate issued at ``issued_at``; whole seconds, as X.509 stores them."""
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    return CertificateCalendar(issued_at.replace(microsecond=0))


def p12_file_name(user_id: str, issued_at: datetime) -> str:
    """``<userID><YYYYMMDDhhmmss>.p12`` in JST (seed 001 ⑦)."""
    return f"{user_id}{issued_at.astimezone(TOKYO):%Y%m%d%H%M%S}.p12"
