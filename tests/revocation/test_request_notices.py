"""The written request's e-mails say what happened (issue 13): filing (online: the number, the paper's
deadline and where to send it; by a receiver with the paper: received), approval (revoked, titled as
such), and a deleted general user's revoked certificate (no reissue).

Filing goes through the use-case (``usecases.revocation.file_request``) on a real gateway, as the web
does; the time-skipping server, the product's worker, SQLite and a real SMTP sink.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from temporalio.testing import ActivityEnvironment

from activities.mail import MailActivities, SmtpSettings
from contract import revocation_client
from core.config import Settings
from domain.certificates import LifecycleState
from domain.notices import NoticeKind, NoticeRequest
from domain.revocation import Party, RequestInput, RequestState, RevocationReason
from domain.roles import CertificateStatus, UserStatus
from domain.validity import tokyo_date
from store.db import make_engine, make_session_factory
from store.models import User
from store.revocation_queries import OWN_BRANCH
from tests.fixtures.temporal import product_worker
from tests.fixtures.users import registered_master
from tests.workflows.certificate_support import certificate_row, end_lifecycle, issue_like_the_web, lifecycle
from tests.workflows.lockout_support import registered_general
from usecases import revocation as revocation_cases
from usecases.bridge import TemporalBridge
from usecases.gateway import TemporalGateway

from .request_support import make_staff, master_party, settle_children
from .test_request_workflow import env, subjects  # noqa: F401  (the time-skipping server per test)

ISSUED = "電子証明書発行のお知らせ"
FILED = "電子証明書の失効依頼 受付のお知らせ（書面のご提出のお願い）"
FILED_WITH_PAPER = "電子証明書の失効依頼 受付のお知らせ"
WITHDRAWN = "電子証明書の失効依頼 取下げのお知らせ"
APPROVED = "電子証明書の失効依頼 承認・失効完了のお知らせ"


async def file_through_the_use_case(client, settings: Settings, *, serial: str, actor: Party,  # noqa: ANN001
                                    now: datetime) -> RequestInput:
    """What the web's 失効依頼 (or the staff's filing page) does: the use-case, on a gateway to ``client``."""
    gateway = TemporalGateway(TemporalBridge.on_loop(client, asyncio.get_running_loop(), settings.task_queue))
    engine = make_engine(settings.database_url)

    def file() -> RequestInput:
        with make_session_factory(engine)() as session:
            return revocation_cases.file_request(session, gateway, serial=serial, reason=RevocationReason.DELETED,
                                                 actor=actor, now=now)

    try:
        return await asyncio.to_thread(file)
    finally:
        engine.dispose()


def date_text(day) -> str:  # noqa: ANN001
    return f"{day.year}年{day.month}月{day.day}日"


async def test_filing_online_emails_the_number_the_paper_deadline_and_where_to_send_it(
    env, worker_settings, smtp_sink  # noqa: F811
):
    master = registered_master(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, master)
        await smtp_sink.async_wait_for(1)
        filed = await file_through_the_use_case(client, worker_settings, serial=delivered.certificate.serial,
                                                actor=master_party(master), now=await env.get_current_time())
        mail = (await smtp_sink.async_wait_for(2))[0]
        assert subjects(smtp_sink) == [ISSUED, FILED] and mail.recipients == [master.email]
        last_day = tokyo_date(filed.filed_at) + timedelta(days=29)  # the filing day is day 1 of 30
        assert f"受付番号：{filed.number}" in mail.body
        assert f"書面の提出期限：{date_text(last_day)}（必着）" in mail.body
        # the organization's お取引店 (tests.fixtures.users.TEST_BRANCH) with its address, as the printed form
        assert "提出先：中央労働金庫 本店営業部 〒101-0062 東京都千代田区神田駿河台2丁目" in mail.body
        assert OWN_BRANCH not in mail.body
        assert "まだ失効していません" in mail.body and "失効しました" not in mail.body
        assert f"依頼日：{date_text(tokyo_date(filed.filed_at))}" in mail.body and "失効理由：" in mail.body
        assert certificate_row(worker_settings, delivered.certificate.serial).status is CertificateStatus.ACTIVE

        await revocation_client.withdraw(client, filed.number, master_party(master))
        handle = revocation_client.request_handle(client, filed.number)
        assert await handle.result() == RequestState.WITHDRAWN
        await smtp_sink.async_wait_for(3)
        assert subjects(smtp_sink) == [ISSUED, FILED, WITHDRAWN]
        await settle_children(client, handle.id)
        await end_lifecycle(client, delivered.certificate.serial)


async def test_filing_with_the_paper_in_hand_then_approval_email_what_happened(
    env, worker_settings, smtp_sink  # noqa: F811
):
    master = registered_master(worker_settings.database_url)
    staff = make_staff(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, master)
        await smtp_sink.async_wait_for(1)
        filed = await file_through_the_use_case(client, worker_settings, serial=delivered.certificate.serial,
                                                actor=staff.receiver, now=await env.get_current_time())
        received = (await smtp_sink.async_wait_for(2))[0]
        assert subjects(smtp_sink) == [ISSUED, FILED_WITH_PAPER] and received.recipients == [master.email]
        assert f"受付番号：{filed.number}" in received.body
        assert "書面（失効依頼書）により受け付けました" in received.body
        assert "提出期限" not in received.body and "提出先" not in received.body  # the paper is here already
        assert "まだ失効していません" in received.body

        await revocation_client.approve(client, filed.number, staff.approver)
        handle = revocation_client.request_handle(client, filed.number)
        assert await handle.result() == RequestState.APPROVED
        assert await lifecycle(client, delivered.certificate.serial).result() == LifecycleState.REVOKED
        approved = (await smtp_sink.async_wait_for(3))[0]
        assert subjects(smtp_sink) == [ISSUED, FILED_WITH_PAPER, APPROVED]
        assert "受付完了" not in approved.subject  # issue 13: it was titled as a receipt
        assert "失効依頼を承認し、電子証明書を失効しました" in approved.body
        assert f"受付番号：{filed.number}" in approved.body
        assert certificate_row(worker_settings, delivered.certificate.serial).status is CertificateStatus.REVOKED
        await settle_children(client, handle.id)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("deleted", "next_step"), [
    (False, "ログイン画面の「電子証明書発行」ボタンから電子証明書を再発行できます"),
    (True, "削除されたため、電子証明書の再発行はできません"),
])
async def test_the_master_is_told_whether_the_general_user_can_reissue(database_url, session_factory, smtp_sink,
                                                                        deleted, next_step):
    """A general user deleted by the master loses the certificate with the ID: no 「再発行できます」."""
    master = registered_master(database_url)
    general = registered_general(database_url, master, user_id=f"ip{uuid.uuid4().hex[:6]}1")
    if deleted:
        with session_factory.begin() as session:
            session.execute(update(User).where(User.uuid == uuid.UUID(general.uuid)).values(status=UserStatus.DELETED))
    mail = MailActivities(session_factory, SmtpSettings(smtp_sink.host, smtp_sink.port, "no-reply@rokin.example.jp"))
    activity_env = ActivityEnvironment()
    activity_env.info = replace(activity_env.info, workflow_id=f"notice/x/{uuid.uuid4()}", activity_id="1")
    request = NoticeRequest(NoticeKind.CERTIFICATE_REVOKED_TO_MASTER, master.uuid, about_user_uuid=general.uuid)
    assert (await activity_env.run(mail.send_notice, request)).sent
    [message] = smtp_sink.messages()
    assert f"一般ユーザーのユーザーID：{general.user_id}" in message.body
    assert next_step in message.body
    assert ("再発行できます" in message.body) is not deleted
