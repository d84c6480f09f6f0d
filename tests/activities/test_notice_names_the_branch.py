"""E-mails name the recipient's お取引店 and its phone where they say "contact your branch" (issue 16),
looked up by the mail activity when it sends — nothing more goes through the workflow — and read as
before while the organization has no branch. Real database (SQLite and PostgreSQL), real SMTP sink."""

from __future__ import annotations

import uuid
from dataclasses import replace

from temporalio.testing import ActivityEnvironment

from activities.mail import MailActivities, SmtpSettings
from activities.mail_templates import render_notice
from domain.notices import NoticeKind, NoticeRequest
from tests.fixtures.users import give_branch, registered_master

MAIL_FROM = "no-reply@rokin.example.jp"
KYOTO_NOTE = "（近畿労働金庫 京都支店　電話 075-211-0030）"



async def send(session_factory, smtp_sink, kind: NoticeKind, user_uuid: str) -> str:  # noqa: ANN001
    mail = MailActivities(session_factory, SmtpSettings(smtp_sink.host, smtp_sink.port, MAIL_FROM))
    env = ActivityEnvironment()
    env.info = replace(env.info, workflow_id=f"notice/{kind.value}/{user_uuid}/{uuid.uuid4()}", activity_id="1")
    seen = {message.body for message in smtp_sink.messages()}
    assert (await env.run(mail.send_notice, NoticeRequest(kind, user_uuid))).sent
    [new] = [message.body for message in smtp_sink.messages() if message.body not in seen]  # the maildir has no order
    return new


async def test_the_footer_and_the_blocked_masters_mail_name_the_branch_found_at_send_time(
        database_url, session_factory, smtp_sink):  # noqa: ANN001
    master = registered_master(database_url, branch=None)
    before = await send(session_factory, smtp_sink, NoticeKind.MASTER_USER_BLOCKED, master.uuid)
    assert "お取引店へお問い合わせください。" in before and "至急お取引店へご連絡ください。" in before
    assert "京都支店" not in before

    # after the workflow started: the activity still finds it
    give_branch(session_factory, master.user_id, "2978", "030")
    after = await send(session_factory, smtp_sink, NoticeKind.MASTER_USER_BLOCKED, master.uuid)
    assert f"マスターユーザーの閉塞は労金が解除します。お取引店{KYOTO_NOTE}へお問い合わせください。" in after
    assert f"至急お取引店{KYOTO_NOTE}へご連絡ください。" in after

    registered = await send(session_factory, smtp_sink, NoticeKind.REGISTRATION_COMPLETE, master.uuid)
    assert f"至急お取引店{KYOTO_NOTE}へご連絡ください。" in registered  # every mail's footer


def test_every_contact_line_takes_the_branch_and_reads_as_before_without_one():
    values = {"user_id": "m", "request_number": "R-1", "reason": "r", "filed_on": "d", "comment": "c"}
    lines = {NoticeKind.REVOCATION_REJECTED: "ご不明な点は、お取引店{}へお問い合わせください。",
             NoticeKind.REVOCATION_WITHDRAWN: "お心当たりのない場合は、お取引の労働金庫{}へ至急お問い合わせください。"}
    for kind, line in lines.items():
        assert line.format("") in render_notice(kind, values).body
        assert line.format(KYOTO_NOTE) in render_notice(kind, {**values, "branch_note": KYOTO_NOTE}).body
