"""What a certificate notice says depends on when it is sent (issue 13): the real days left (counted as
the top screen counts them, today included) and the real renewal window — also when it goes out late,
e.g. a renewal e-mail with 25 days left after the reconciliation started a lifecycle."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from activities.mail_templates import minute_text, paper_values, render_notice, timed_values
from domain.notices import NoticeKind
from domain.validity import TOKYO, calendar_for, expiry_outlook

ISSUED_AT = datetime(2026, 4, 1, 10, 30, tzinfo=TOKYO)  # expiry date 2027-04-01, day 336 = 2027-03-02
CALENDAR = calendar_for(ISSUED_AT)


def body(kind: NoticeKind, sent_at: datetime) -> str:
    values = {"user_id": "abc123XYZ", **timed_values(kind, CALENDAR.not_after, sent_at)}
    return render_notice(kind, values).body


def on_day(day: int, hour: int = 0) -> datetime:
    return datetime.combine(CALENDAR.issue_date + timedelta(days=day - 1), datetime.min.time(),
                            tzinfo=TOKYO) + timedelta(hours=hour)


@pytest.mark.parametrize(("day", "days_left"), [(326, 41), (336, 31), (342, 25), (359, 8), (366, 1), (367, 0)])
def test_days_left_are_the_top_screens(day, days_left):
    assert expiry_outlook(CALENDAR.not_after, on_day(day)).days_left == days_left == CALENDAR.days_left(on_day(day))


def test_the_renewal_email_on_day_336_says_renewal_opens_today():
    text = body(NoticeKind.CERTIFICATE_RENEWAL_OPEN, on_day(336))
    assert "有効期限まで残り31日（本日を含む）" in text
    assert "本日から電子証明書の更新ができます" in text
    assert "更新受付期間：2027年3月2日〜2027年4月1日" in text and "有効期限：2027年4月1日 23:59" in text


def test_the_renewal_email_sent_late_states_the_real_days_left_and_window():
    text = body(NoticeKind.CERTIFICATE_RENEWAL_OPEN, on_day(342, hour=15))
    assert "有効期限まで残り25日（本日を含む）" in text
    assert "まで30日" not in text and "本日から" not in text
    assert "電子証明書の更新は2027年3月2日から受け付けています" in text
    assert "更新受付期間：2027年3月2日〜2027年4月1日" in text


def test_the_40_day_email_says_when_renewal_opens_and_how():
    text = body(NoticeKind.CERTIFICATE_EXPIRY_NOTICE, on_day(326))
    assert "有効期限：2027年4月1日 23:59（残り41日、本日を含む）" in text
    assert "電子証明書の更新は2027年3月2日から可能になります（あと10日）" in text
    assert "【更新の方法】" in text and "「電子証明書発行」" in text
    late = body(NoticeKind.CERTIFICATE_EXPIRY_NOTICE, on_day(336, hour=1))  # a retry that crossed into day 336
    assert "（残り31日、本日を含む）" in late and "本日から電子証明書の更新ができます" in late


def test_the_reminder_states_the_days_left():
    assert "有効期限：2027年4月1日 23:59（残り8日、本日を含む）" in body(NoticeKind.CERTIFICATE_RENEWAL_REMINDER,
                                                                    on_day(359))


def test_issued_and_expired_notices_show_the_not_after_minute():
    assert timed_values(NoticeKind.CERTIFICATE_ISSUED, CALENDAR.not_after, ISSUED_AT) == {
        "until": "2027年4月1日 23:59"} == {"until": minute_text(CALENDAR.not_after)}


def test_the_paper_deadline_is_the_last_of_30_days():
    filed_at = datetime(2026, 4, 1, 23, 50, tzinfo=TOKYO)
    deadline = datetime(2026, 5, 1, tzinfo=TOKYO)  # 00:00 after day 30 (domain.revocation.paper_deadline)
    assert paper_values(deadline) == {"paper_last_day": "2026年4月30日"}
    assert (deadline - timedelta(days=1)).date() - filed_at.date() == timedelta(days=29)
