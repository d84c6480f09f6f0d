"""MailActivities.send_notice on its own: real database (SQLite and PostgreSQL), real SMTP sink."""

from __future__ import annotations

import mailbox
import uuid
from dataclasses import replace

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.mail import MailActivities, SmtpSettings
from domain.notices import NoticeKind, NoticeRequest, NoticeResult
from tests.fixtures.mail import free_port
from tests.fixtures.users import pending_general_user, registered_master

MAIL_FROM = "no-reply@rokin.example.jp"


def activity_env(workflow_id: str) -> ActivityEnvironment:
    env = ActivityEnvironment()
    env.info = replace(env.info, workflow_id=workflow_id, activity_id="1")
    return env


def message_ids(maildir) -> list[str]:  # noqa: ANN001
    return [message["Message-ID"] for message in mailbox.Maildir(maildir, create=False)]


async def test_sends_to_the_address_on_file_with_a_stable_message_id(
    database_url, session_factory, smtp_sink
):
    user = registered_master(database_url)
    mail = MailActivities(session_factory, SmtpSettings(smtp_sink.host, smtp_sink.port, MAIL_FROM))
    request = NoticeRequest(NoticeKind.REGISTRATION_COMPLETE, user.uuid)
    env = activity_env(f"notice/registration_complete/{user.uuid}/{uuid.uuid4()}")

    first = await env.run(mail.send_notice, request)
    again = await env.run(mail.send_notice, request)  # what a retry after a lost reply would do

    assert first.sent and first == again
    messages = smtp_sink.messages()
    assert [m.recipients for m in messages] == [[user.email], [user.email]]
    assert messages[0].sender == MAIL_FROM
    assert message_ids(smtp_sink.maildir) == [first.message_id, first.message_id]

    other = await activity_env(f"notice/registration_complete/{user.uuid}/{uuid.uuid4()}").run(
        mail.send_notice, request)
    assert other.message_id != first.message_id  # another notice is another message


async def test_no_address_no_mail(database_url, session_factory, smtp_sink):
    general = pending_general_user(database_url, registered_master(database_url))
    mail = MailActivities(session_factory, SmtpSettings(smtp_sink.host, smtp_sink.port, MAIL_FROM))
    env = activity_env("notice/test")
    for user_uuid in (general.uuid, str(uuid.uuid4()), "not-a-uuid"):
        result = await env.run(mail.send_notice, NoticeRequest(NoticeKind.REGISTRATION_COMPLETE, user_uuid))
        assert result == NoticeResult(sent=False)
    assert smtp_sink.messages() == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_mail_server_down_raises_a_retryable_error_without_the_address(database_url, session_factory):
    user = registered_master(database_url)
    mail = MailActivities(session_factory, SmtpSettings("127.0.0.1", free_port(), MAIL_FROM))
    with pytest.raises(ApplicationError) as raised:
        await activity_env("notice/test").run(
            mail.send_notice, NoticeRequest(NoticeKind.REGISTRATION_COMPLETE, user.uuid))
    assert not raised.value.non_retryable
    assert raised.value.__cause__ is None and raised.value.__suppress_context__  # nothing more to serialize
    assert user.email not in str(raised.value)
