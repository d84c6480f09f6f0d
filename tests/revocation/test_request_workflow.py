"""Written revocation requests on the time-skipping server: the 30-day expiry, approver reminders over
weekends and holidays, approval (revoked in the database, the CRL and the lifecycle), rejection,
maker-checker, and direct revocations — with the product's worker, real SQLite and a real SMTP sink.

The clock moves only when a test says so (``advance_to``); every test leaves no workflow running,
so the next one can move the clock by months.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

import pytest
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.testing import WorkflowEnvironment

from contract import revocation_client
from domain.business_days import holiday_name
from domain.certificates import LifecycleState
from domain.revocation import PartyKind, RequestState, RevocationReason, paper_deadline
from domain.revocation_rules import RevocationRefusal
from domain.roles import CertificateStatus
from domain.validity import TOKYO, tokyo_date
from pki.crl import CRL_PEM
from pki.devca import ensure_dev_pki
from store import revocation_direct
from store import users as user_store
from store.db import make_engine, make_session_factory
from tests.fixtures.payload_keys import TEST_CONVERTER
from tests.fixtures.temporal import TEST_SERVER, product_worker, register_search_attributes
from tests.fixtures.users import registered_master
from tests.pki.conftest import openssl
from tests.workflows.certificate_support import (
    advance_to,
    certificate_row,
    clock_still_moves,
    end_lifecycle,
    issue_like_the_web,
    lifecycle,
)
from tests.workflows.lockout_support import registered_general

from .request_support import (
    assert_request_history_private,
    comment,
    file_like_the_web,
    make_staff,
    master_party,
    request_row,
    settle_children,
    timers_fired,
)

MINUTE = timedelta(minutes=1)
ISSUED = "電子証明書発行のお知らせ"
EXPIRED = "電子証明書の失効依頼 期限切れのお知らせ"
APPROVED = "電子証明書の失効依頼 承認・失効完了のお知らせ"
REJECTED = "電子証明書の失効依頼 不承認のお知らせ"
REMINDER = "承認待ちの電子証明書失効依頼があります"
APPROVERS = "approvers@rokin.example.jp"


def jst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TOKYO)


# Receipt on a business day just before a weekend and a public holiday, and the first reminder,
# worked out by hand from 内閣府's calendar: 3 whole business days, then 09:00 JST the next one.
# They check ``first_reminder`` below, which picks the workflow test's dates from the server's clock.
REMINDER_SCENARIOS = [
    (jst(2027, 1, 8, 10, 0), jst(2027, 1, 15, 9, 0)),  # Fri; Sat, Sun, Mon 成人の日; Tue–Thu count
    (jst(2027, 4, 28, 10, 0), jst(2027, 5, 10, 9, 0)),  # Wed; 昭和の日, weekend, 3–5 May; 30 Apr, 6, 7 May
    (jst(2028, 5, 2, 10, 0), jst(2028, 5, 11, 9, 0)),  # Tue; 3–5 May, weekend; 8, 9, 10 May
    (jst(2029, 4, 27, 10, 0), jst(2029, 5, 8, 9, 0)),  # Fri; weekend, 30 Apr 振替休日, 3–4 May, weekend
    (jst(2030, 1, 11, 10, 0), jst(2030, 1, 18, 9, 0)),  # Fri; weekend, Mon 成人の日
]
RECEIVED_AT = time(10, 0)


def day_off(day: date) -> bool:
    """A Saturday, a Sunday or a day of the holiday table (data, read here without the product's counting)."""
    return day.weekday() >= 5 or holiday_name(day) is not None


def third_business_day(received: date) -> date:
    day, counted = received, 0
    while counted < 3:
        day += timedelta(days=1)
        counted += not day_off(day)
    return day


def first_reminder(received: date) -> datetime:
    """3 whole business days after the day of receipt, then 09:00 JST on the next business day."""
    day = third_business_day(received) + timedelta(days=1)
    while day_off(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(9, 0), tzinfo=TOKYO)


def over_a_weekend_and_a_holiday(received: date) -> bool:
    """The 3 business days are counted over a weekend and a public holiday."""
    counted_over = [received + timedelta(days=n) for n in range(1, (third_business_day(received) - received).days)]
    return any(day.weekday() >= 5 for day in counted_over) and any(holiday_name(day) for day in counted_over)


def reminder_scenario(now: datetime) -> tuple[datetime, datetime]:
    """The first receipt at 10:00 JST more than two days after ``now`` (the server's clock) on a business
    day whose wait for the reminder spans a weekend and a public holiday, and that first reminder."""
    day = tokyo_date(now) + timedelta(days=3)
    for _ in range(400):
        if not day_off(day) and over_a_weekend_and_a_holiday(day):
            return datetime.combine(day, RECEIVED_AT, tzinfo=TOKYO), first_reminder(day)
        day += timedelta(days=1)
    pytest.fail(f"no public holiday within 400 days of {tokyo_date(now)}: extend domain/data/jp_holidays.json")


@pytest.mark.parametrize(("received_at", "reminder_at"), REMINDER_SCENARIOS,
                         ids=[f"{received:%Y-%m-%d}" for received, _ in REMINDER_SCENARIOS])
def test_the_scenario_rule_gives_the_hand_worked_reminders(received_at, reminder_at):
    assert received_at.time() == RECEIVED_AT and not day_off(received_at.date())
    assert over_a_weekend_and_a_holiday(received_at.date())
    assert first_reminder(received_at.date()) == reminder_at
    # Picked from a clock three days before the receipt, the scenario is this one.
    assert reminder_scenario(received_at - timedelta(days=3)) == (received_at, reminder_at)


@pytest.fixture
async def env(worker_settings):  # noqa: ANN001, ANN201
    """A time-skipping server per test: request numbers start again with each test's database (the
    workflow ID is the number), and these tests move the clock by weeks and months."""
    ensure_dev_pki(worker_settings.pki_dir)
    server = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(TEST_SERVER),
                                                           data_converter=TEST_CONVERTER)
    try:
        await register_search_attributes(server.client)
        with server.auto_time_skipping_disabled():
            yield server
        await clock_still_moves(server)
    finally:
        await server.shutdown()


def subjects(smtp_sink, to: str | None = None) -> list[str]:  # noqa: ANN001
    return [message.subject.split("】", 1)[1] for message in reversed(smtp_sink.messages())
            if to is None or message.recipients == [to]]


async def no_more_mail(smtp_sink, expected: list[str]) -> None:  # noqa: ANN001
    await asyncio.sleep(0.5)
    assert subjects(smtp_sink) == expected


async def test_paper_that_never_arrives_expires_the_request_at_the_end_of_day_30(env, worker_settings, smtp_sink):
    master = registered_master(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, master)
        await smtp_sink.async_wait_for(1)
        filed = await file_like_the_web(client, worker_settings, serial=delivered.certificate.serial,
                                        actor=master_party(master), now=await env.get_current_time(),
                                        reason=RevocationReason.OTHER, reason_detail="事務所移転のため")
        handle = revocation_client.request_handle(client, filed.number)
        deadline = paper_deadline(filed.filed_at)

        await advance_to(env, deadline - MINUTE)
        assert (await revocation_client.status(client, filed.number)).state is RequestState.AWAITING_PAPER
        await no_more_mail(smtp_sink, [ISSUED])
        await advance_to(env, deadline + MINUTE)
        assert await handle.result() == RequestState.EXPIRED
        mail = (await smtp_sink.async_wait_for(2))[0]
        assert mail.subject.endswith(EXPIRED) and mail.recipients == [master.email]
        assert f"受付番号：{filed.number}" in mail.body and "30日以内" in mail.body

        fired = (await timers_fired(client, handle.id))[-1]
        assert deadline <= fired < deadline + MINUTE
        assert (fired.astimezone(TOKYO).date() - filed.filed_at.astimezone(TOKYO).date()).days == 30
        assert request_row(worker_settings, filed.number).state is RequestState.EXPIRED
        assert certificate_row(worker_settings, delivered.certificate.serial).status is CertificateStatus.ACTIVE
        with pytest.raises(revocation_client.RevocationRefusedError):  # closed: nothing more to do
            await revocation_client.withdraw(client, filed.number, master_party(master))
        await settle_children(client, handle.id)
        await assert_request_history_private(client, filed.number, [master], ["事務所移転"])
        await end_lifecycle(client, delivered.certificate.serial)


async def test_approvers_are_reminded_after_three_business_days_over_a_weekend_and_a_holiday_then_approval_revokes(
    env, worker_settings, smtp_sink
):
    received_at, reminder_at = reminder_scenario(await env.get_current_time())  # whatever day the suite runs
    await advance_to(env, received_at - timedelta(days=2))  # file on a Wednesday-ish, two days before
    master = registered_master(worker_settings.database_url)
    staff = make_staff(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, master)
        serial = delivered.certificate.serial
        await smtp_sink.async_wait_for(1)
        filed = await file_like_the_web(client, worker_settings, serial=serial, actor=master_party(master),
                                        now=await env.get_current_time(), reason=RevocationReason.SUSPECTED_MISUSE)
        handle = revocation_client.request_handle(client, filed.number)
        with pytest.raises(revocation_client.RevocationRefusedError) as refused:  # the requester is not staff
            await revocation_client.receive(client, filed.number, master_party(master))
        assert refused.value.refusal is RevocationRefusal.NEEDS_RECEIVER

        await advance_to(env, received_at)
        received = await revocation_client.receive(client, filed.number, staff.receiver)
        assert received.state is RequestState.PAPER_RECEIVED and received.received_by == staff.receiver.uuid
        metadata = await handle.query("__temporal_workflow_metadata")
        assert "承認待ち" in metadata.current_details and f"{reminder_at.month}月{reminder_at.day}日 09:00" \
            in metadata.current_details

        await advance_to(env, reminder_at - MINUTE)
        await no_more_mail(smtp_sink, [ISSUED])
        await advance_to(env, reminder_at + MINUTE)
        reminder = (await smtp_sink.async_wait_for(2))[0]
        assert reminder.subject.endswith(REMINDER) and reminder.recipients == [APPROVERS]
        assert f"受付番号：{filed.number}" in reminder.body and "経過営業日数：3営業日" in reminder.body
        assert master.email not in reminder.body and master.user_id not in reminder.body
        fired = (await timers_fired(client, handle.id))[-1]
        assert reminder_at <= fired < reminder_at + MINUTE
        await _wait_for(lambda: request_row(worker_settings, filed.number).reminders_sent == 1)

        # Maker-checker: the receiver, even once made an approver, and the requester may not decide.
        receiver_as_approver = type(staff.approver)(PartyKind.STAFF, staff.receiver.uuid,
                                                    staff_role=staff.approver.staff_role)
        for actor, expected in [(staff.receiver, RevocationRefusal.NEEDS_APPROVER),
                                (receiver_as_approver, RevocationRefusal.RECEIVER_CANNOT_DECIDE),
                                (master_party(master), RevocationRefusal.NEEDS_APPROVER)]:
            with pytest.raises(revocation_client.RevocationRefusedError) as refused:
                await revocation_client.approve(client, filed.number, actor)
            assert refused.value.refusal is expected

        approved = await revocation_client.approve(client, filed.number, staff.approver,
                                                   comment_id=comment(worker_settings, filed.number, staff.approver,
                                                                      "届出印を確認しました", approve=True))
        assert approved.state is RequestState.APPROVED and approved.decided_by == staff.approver.uuid
        # In effect at once: the database, then the CRL, both before the update answered.
        row = certificate_row(worker_settings, serial)
        assert row.status is CertificateStatus.REVOKED and row.revocation_reason == "keyCompromise"
        crl = openssl("crl", "-in", str(worker_settings.pki_dir / CRL_PEM), "-noout", "-text").stdout
        assert _openssl_hex(serial) in crl and "Key Compromise" in crl
        with pytest.raises(revocation_client.RevocationRefusedError) as refused:
            await revocation_client.reject(client, filed.number, staff.second_approver, comment_id=1)
        assert refused.value.refusal is RevocationRefusal.WRONG_STATE

        assert await handle.result() == RequestState.APPROVED
        assert await lifecycle(client, serial).result() == LifecycleState.REVOKED
        mails = await smtp_sink.async_wait_for(3)
        assert mails[0].subject.endswith(APPROVED) and mails[0].recipients == [master.email]
        assert filed.number in mails[0].body and "不正利用の疑い" in mails[0].body
        await no_more_mail(smtp_sink, [ISSUED, REMINDER, APPROVED])

        description = await handle.describe()
        assert {pair.key.name: pair.value for pair in description.typed_search_attributes} == {
            "RokinRequestNumber": filed.number, "RokinOrganizationCode": master.organization_code,
            "RokinUserUuid": master.uuid, "RokinCertificateSerial": serial, "RokinState": "approved"}
        assert filed.number in await description.static_summary()
        await settle_children(client, handle.id)
        await assert_request_history_private(client, filed.number, [master], ["届出印"])


async def test_rejection_emails_the_reason_and_keeps_the_certificate(env, worker_settings, smtp_sink):
    master = registered_master(worker_settings.database_url)
    staff = make_staff(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, master)
        serial = delivered.certificate.serial
        filed = await file_like_the_web(client, worker_settings, serial=serial, actor=master_party(master),
                                        now=await env.get_current_time())
        with pytest.raises(revocation_store_refused()) as second:
            await file_like_the_web(client, worker_settings, serial=serial, actor=master_party(master),
                                    now=await env.get_current_time())
        assert second.value.details == {"number": filed.number}  # the open request, named
        await revocation_client.receive(client, filed.number, staff.receiver)
        with pytest.raises(revocation_client.RevocationRefusedError) as refused:
            await revocation_client.reject(client, filed.number, staff.approver, comment_id=0)
        assert refused.value.refusal is RevocationRefusal.COMMENT_REQUIRED

        reason = "書面のご印鑑が届出印と異なります。"
        rejected = await revocation_client.reject(
            client, filed.number, staff.approver,
            comment_id=comment(worker_settings, filed.number, staff.approver, reason, approve=False))
        assert rejected.state is RequestState.REJECTED
        assert await revocation_client.request_handle(client, filed.number).result() == RequestState.REJECTED
        mail = next(m for m in await smtp_sink.async_wait_for(2) if m.subject.endswith(REJECTED))
        assert reason in mail.body and filed.number in mail.body and mail.recipients == [master.email]
        assert certificate_row(worker_settings, serial).status is CertificateStatus.ACTIVE
        assert await lifecycle(client, serial).query("state") == LifecycleState.ACTIVE
        await settle_children(client, revocation_client.request_handle(client, filed.number).id)
        await assert_request_history_private(client, filed.number, [master], [reason])
        await end_lifecycle(client, serial)


async def test_a_receiver_files_from_paper_received_by_post_and_another_approver_decides(
    env, worker_settings, smtp_sink
):
    master = registered_master(worker_settings.database_url)
    staff = make_staff(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, master)
        filed = await file_like_the_web(client, worker_settings, serial=delivered.certificate.serial,
                                        actor=staff.receiver, now=await env.get_current_time())
        assert (await revocation_client.status(client, filed.number)).state is RequestState.PAPER_RECEIVED
        receiver_as_approver = type(staff.approver)(PartyKind.STAFF, staff.receiver.uuid,
                                                    staff_role=staff.approver.staff_role)
        with pytest.raises(revocation_client.RevocationRefusedError) as refused:
            await revocation_client.approve(client, filed.number, receiver_as_approver)
        assert refused.value.refusal is RevocationRefusal.RECEIVER_CANNOT_DECIDE
        await revocation_client.approve(client, filed.number, staff.second_approver)
        assert await revocation_client.request_handle(client, filed.number).result() == RequestState.APPROVED
        assert await lifecycle(client, delivered.certificate.serial).result() == LifecycleState.REVOKED
        await smtp_sink.async_wait_for(2)
        await settle_children(client, revocation_client.request_handle(client, filed.number).id)


async def test_the_master_withdraws_an_open_request(env, worker_settings, smtp_sink):
    master = registered_master(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, master)
        filed = await file_like_the_web(client, worker_settings, serial=delivered.certificate.serial,
                                        actor=master_party(master), now=await env.get_current_time())
        assert (await revocation_client.withdraw(client, filed.number, master_party(master))).state \
            is RequestState.WITHDRAWN
        assert await revocation_client.request_handle(client, filed.number).result() == RequestState.WITHDRAWN
        assert request_row(worker_settings, filed.number).state is RequestState.WITHDRAWN
        with pytest.raises(WorkflowAlreadyStartedError):  # the same number again (a reset database): refused
            await revocation_client.start_request(client, filed, task_queue=worker_settings.task_queue)
        assert certificate_row(worker_settings, delivered.certificate.serial).status is CertificateStatus.ACTIVE
        await end_lifecycle(client, delivered.certificate.serial)


async def test_a_direct_revocation_ends_the_lifecycle_and_emails_the_user_and_the_master(
    env, worker_settings, smtp_sink
):
    master = registered_master(worker_settings.database_url)
    general = registered_general(worker_settings.database_url, master)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, general)
        await smtp_sink.async_wait_for(1)
        engine = make_engine(worker_settings.database_url)
        with make_session_factory(engine).begin() as session:  # what the user list's 失効 button does
            revoked = revocation_direct.revoke_by_master(
                session=session, master=user_store.get_by_uuid(session=session, user_uuid=master.uuid),
                user_uuid=general.uuid, reason=RevocationReason.PC_CHANGE, now=await env.get_current_time())
        engine.dispose()
        await revocation_client.announce_revoked(client, revoked, task_queue=worker_settings.task_queue)
        assert await lifecycle(client, delivered.certificate.serial).result() == LifecycleState.REVOKED
        mails = await smtp_sink.async_wait_for(3)
        by_recipient = {message.recipients[0]: message for message in mails[:2]}
        assert by_recipient[general.email].subject.endswith("電子証明書失効のお知らせ")
        assert by_recipient[master.email].subject.endswith("一般ユーザーの電子証明書失効のお知らせ")
        assert general.user_id in by_recipient[master.email].body
        crl = openssl("crl", "-in", str(worker_settings.pki_dir / CRL_PEM), "-noout", "-text").stdout
        assert _openssl_hex(delivered.certificate.serial) in crl and "Superseded" in crl


def revocation_store_refused() -> type[Exception]:
    from store.revocation import RevocationRefused

    return RevocationRefused


async def _wait_for(condition, timeout: float = 10.0) -> None:  # noqa: ANN001
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met"
        await asyncio.sleep(0.05)


def _openssl_hex(serial: str) -> str:
    text = serial.upper()
    return text if len(text) % 2 == 0 else "0" + text
