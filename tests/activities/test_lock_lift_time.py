"""One rule for a lock's lift time (issue 13): the lock e-mail and the pages name the same minute.

A lock that began at 02:17:38 lifts at 03:17:38; the e-mail said 「ロック解除予定：03:17」 while the
login page said 「03:18以降」. Both now show ``domain.lockout.lift_time_text`` (rounded up to the minute),
checked at the minute's edges: the e-mail as sent (the real mail activity, database and SMTP sink),
the page's texts as the login screen and the user list render them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import datetime

import pytest
from temporalio.testing import ActivityEnvironment

from activities.mail import MailActivities, SmtpSettings
from domain.lockout import (
    LOCK_DURATION,
    AttemptResult,
    LockoutStatus,
    Outcome,
    SubjectKind,
    lift_date_time_text,
    lift_minute,
    lift_time_text,
)
from domain.notices import NoticeKind, NoticeRequest
from domain.validity import TOKYO
from store.lockout import LockoutView
from tests.fixtures.users import registered_master
from usecases.authentication import AttemptRefused

# when the 6th wrong password came (JST) → the minute the lock is shown to lift
EDGES = [
    pytest.param(datetime(2026, 4, 1, 2, 17, 38, tzinfo=TOKYO), "03:18", id="issue-13-02:17:38"),
    pytest.param(datetime(2026, 4, 1, 2, 17, 0, 0, tzinfo=TOKYO), "03:17", id="hh:mm:00.000"),
    pytest.param(datetime(2026, 4, 1, 2, 17, 0, 1000, tzinfo=TOKYO), "03:18", id="hh:mm:00.001"),
    pytest.param(datetime(2026, 4, 1, 2, 17, 59, 999000, tzinfo=TOKYO), "03:18", id="hh:mm:59.999"),
    pytest.param(datetime(2026, 4, 1, 23, 30, 0, 1000, tzinfo=TOKYO), "00:31", id="lifts-the-next-day"),
]


@pytest.mark.parametrize(("locked_at", "shown"), EDGES)
def test_the_rule_rounds_up_to_the_minute(locked_at, shown):
    until = locked_at + LOCK_DURATION
    assert lift_time_text(until) == shown
    assert lift_minute(until) >= until  # never a minute too early
    assert lift_minute(until) - until < LOCK_DURATION / 60
    assert lift_date_time_text(until).endswith(f"日 {shown}")


def _page_texts(app, until: datetime) -> list[str]:  # noqa: ANN001
    """What the login screen says to a locked ID, and what the user list says about it."""
    from web.lockout import refusal_text, status_text

    result = AttemptResult(allowed=False, outcome=Outcome.LOCKED, failures=6, remaining_before_lock=0,
                           locked_until=until, lock_count=1, blocked=False)
    with app.test_request_context("/"):
        return [refusal_text(AttemptRefused(result, SubjectKind.MASTER)),
                status_text(LockoutView(LockoutStatus.LOCKED, until, lock_count=1, failures=6))]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("locked_at", "shown"), EDGES)
async def test_the_lock_email_and_the_pages_show_the_same_minute(app, database_url, session_factory, smtp_sink,
                                                                  locked_at, shown):
    user = registered_master(database_url)
    until = locked_at + LOCK_DURATION
    mail = MailActivities(session_factory, SmtpSettings(smtp_sink.host, smtp_sink.port, "no-reply@rokin.example.jp"))
    env = ActivityEnvironment()
    env.info = replace(env.info, workflow_id=f"notice/account_locked/{user.uuid}/{uuid.uuid4()}", activity_id="1",
                       current_attempt_scheduled_time=locked_at)
    assert (await env.run(mail.send_notice, NoticeRequest(NoticeKind.ACCOUNT_LOCKED, user.uuid, until=until))).sent

    [message] = smtp_sink.messages()
    in_mail = re.search(r"ロック解除予定：\d+年\d+月\d+日 (\d\d:\d\d)以降", message.body)
    assert in_mail is not None, message.body
    login_message, list_status = _page_texts(app, until)
    in_page = re.search(r"(\d\d:\d\d)以降", login_message)
    in_list = re.search(r"（(\d\d:\d\d)まで）", list_status)
    assert in_page is not None and in_list is not None, (login_message, list_status)
    assert in_mail.group(1) == in_page.group(1) == in_list.group(1) == shown
    local = lift_minute(until)
    assert f"ロック解除予定：{local.year}年{local.month}月{local.day}日 {shown}以降" in message.body
