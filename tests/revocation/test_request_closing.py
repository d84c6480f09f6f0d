"""An open written request closes by itself when its certificate ends by another route — an
administrator's emergency revocation, supersession by a renewal, expiry — and the master user's
withdrawal is e-mailed. On the time-skipping server with the product's worker, real SQLite and a
real SMTP sink: the certificate's lifecycle is the one place that tells the request.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from contract import certificate_client, revocation_client
from domain.certificates import LifecycleState
from domain.revocation import RequestState, RevocationReason
from domain.revocation_rules import RevocationRefusal
from domain.roles import CertificateStatus, StaffRole
from domain.validity import calendar_for
from store import certificates as certificate_store
from store import revocation_direct, revocation_queries
from store.db import make_engine, make_session_factory
from store.models import AuditEntry, Staff
from tests.fixtures.temporal import product_worker
from tests.fixtures.users import registered_master
from tests.workflows.certificate_support import (
    advance_to,
    certificate_row,
    end_lifecycle,
    issue_like_the_web,
    lifecycle,
)
from tests.workflows.lockout_support import staff_account

from .request_support import (
    assert_request_history_private,
    file_like_the_web,
    make_staff,
    master_party,
    request_row,
    settle_children,
)
from .test_request_workflow import env, subjects  # noqa: F401  (the time-skipping server per test)

MINUTE = timedelta(minutes=1)
CLOSED = "電子証明書の失効依頼 終了のお知らせ"
WITHDRAWN = "電子証明書の失効依頼 取下げのお知らせ"


def request_audit(settings, number: str) -> list[AuditEntry]:  # noqa: ANN001
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(AuditEntry).where(AuditEntry.target_id == number)
                                        .order_by(AuditEntry.id)))
    finally:
        engine.dispose()


def history(settings, number: str) -> list[revocation_queries.HistoryEntry]:  # noqa: ANN001
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            return revocation_queries.history(session=session, number=number)
    finally:
        engine.dispose()


async def assert_closed(client, settings, smtp_sink, number: str, master,  # noqa: ANN001
                        ending: str, said: str) -> None:
    """The request ended CLOSED, in the database and the audit log (by the system), e-mailed to the master."""
    handle = revocation_client.request_handle(client, number)
    assert await handle.result() == RequestState.CLOSED
    row = request_row(settings, number)
    assert row.state is RequestState.CLOSED and row.closed_at is not None and row.decided_by_staff_uuid is None
    closing = history(settings, number)[-1]
    assert (closing.action, closing.actor_kind, closing.certificate_end) == ("close", "system", ending)
    mail = next(message for message in reversed(smtp_sink.messages()) if message.subject.endswith(CLOSED))
    assert mail.recipients == [master.email]
    assert f"受付番号：{number}" in mail.body and f"他の手続で無効（{said}）" in mail.body
    assert "提出は不要です" in mail.body
    await settle_children(client, handle.id)


async def test_an_emergency_revocation_closes_a_received_request(env, worker_settings, smtp_sink):  # noqa: F811
    master = registered_master(worker_settings.database_url)
    staff = make_staff(worker_settings.database_url)
    administrator = staff_account(worker_settings.database_url, StaffRole.ADMINISTRATOR, "admin01")
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, master)
        serial = delivered.certificate.serial
        await smtp_sink.async_wait_for(1)
        filed = await file_like_the_web(client, worker_settings, serial=serial, actor=master_party(master),
                                        now=await env.get_current_time())
        await revocation_client.receive(client, filed.number, staff.receiver)

        engine = make_engine(worker_settings.database_url)
        with make_session_factory(engine).begin() as session:  # what the administrator's page does
            revoked = revocation_direct.revoke_in_emergency(
                session=session, staff=session.get(Staff, uuid.UUID(administrator)), serial=serial,
                reason=RevocationReason.SUSPECTED_MISUSE, note="不正アクセスの形跡", now=await env.get_current_time())
        engine.dispose()
        await revocation_client.announce_revoked(client, [revoked], task_queue=worker_settings.task_queue)

        assert await lifecycle(client, serial).result() == LifecycleState.REVOKED
        await assert_closed(client, worker_settings, smtp_sink, filed.number, master, "revoked", "失効")
        assert [entry.action for entry in request_audit(worker_settings, filed.number)] == [
            "revocation_request.file", "revocation_request.receive", "revocation_request.close"]
        with pytest.raises(revocation_client.RevocationRefusedError) as refused:  # nothing left to approve
            await revocation_client.approve(client, filed.number, staff.approver)
        assert refused.value.refusal is RevocationRefusal.WRONG_STATE
        assert sorted(subjects(smtp_sink, master.email)) == sorted(
            ["電子証明書発行のお知らせ", "電子証明書失効のお知らせ", CLOSED])
        await assert_request_history_private(client, filed.number, [master], ["不正アクセス"])


async def test_expiry_closes_a_request_whose_paper_has_not_arrived(env, worker_settings, smtp_sink):  # noqa: F811
    master = registered_master(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, master)
        calendar = calendar_for(delivered.certificate.not_before)
        await advance_to(env, calendar.expires_at - timedelta(days=3))  # past day 336 and the 7-day reminder
        await smtp_sink.async_wait_for(3)
        filed = await file_like_the_web(client, worker_settings, serial=delivered.certificate.serial,
                                        actor=master_party(master), now=await env.get_current_time())
        await advance_to(env, calendar.expires_at + MINUTE)

        assert await lifecycle(client, delivered.certificate.serial).result() == LifecycleState.EXPIRED
        await assert_closed(client, worker_settings, smtp_sink, filed.number, master, "expired", "有効期限切れ")


async def test_the_renewals_first_use_closes_the_request_for_the_old_certificate(env, worker_settings,  # noqa: F811
                                                                                 smtp_sink):
    master = registered_master(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        old = await issue_like_the_web(client, worker_settings, master)
        await advance_to(env, calendar_for(old.certificate.not_before).renewal_opens_at + MINUTE)
        filed = await file_like_the_web(client, worker_settings, serial=old.certificate.serial,
                                        actor=master_party(master), now=await env.get_current_time())
        new = await issue_like_the_web(client, worker_settings, master)  # renewed meanwhile, on the new PC
        used_at = await env.get_current_time()
        engine = make_engine(worker_settings.database_url)
        with make_session_factory(engine).begin() as session:  # what certificate login does at first use
            row = certificate_store.get_by_serial(session=session, serial=new.certificate.serial)
            superseded = certificate_store.record_first_use(session=session, certificate=row, now=used_at)
        engine.dispose()
        await certificate_client.tell_superseded(client, superseded, by_serial=new.certificate.serial, at=used_at)

        assert await lifecycle(client, old.certificate.serial).result() == LifecycleState.SUPERSEDED
        await assert_closed(client, worker_settings, smtp_sink, filed.number, master, "superseded", "更新による失効")
        await end_lifecycle(client, new.certificate.serial)


async def test_a_decided_request_is_left_as_it_is_when_its_lifecycle_ends(env, worker_settings,  # noqa: F811
                                                                          smtp_sink):
    master = registered_master(worker_settings.database_url)
    staff = make_staff(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, master)
        filed = await file_like_the_web(client, worker_settings, serial=delivered.certificate.serial,
                                        actor=master_party(master), now=await env.get_current_time())
        await revocation_client.receive(client, filed.number, staff.receiver)
        await revocation_client.approve(client, filed.number, staff.approver)
        assert await revocation_client.request_handle(client, filed.number).result() == RequestState.APPROVED
        # The approval ended the lifecycle, which asked for an open request: there was none.
        assert await lifecycle(client, delivered.certificate.serial).result() == LifecycleState.REVOKED
        assert request_row(worker_settings, filed.number).state is RequestState.APPROVED
        assert "revocation_request.close" not in [entry.action for entry in
                                                  request_audit(worker_settings, filed.number)]
        await settle_children(client, revocation_client.request_handle(client, filed.number).id)


async def test_the_masters_withdrawal_is_audited_under_its_name_and_emailed(env, worker_settings,  # noqa: F811
                                                                           smtp_sink):
    master = registered_master(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, master)
        await smtp_sink.async_wait_for(1)
        filed = await file_like_the_web(client, worker_settings, serial=delivered.certificate.serial,
                                        actor=master_party(master), now=await env.get_current_time())
        await revocation_client.withdraw(client, filed.number, master_party(master))
        handle = revocation_client.request_handle(client, filed.number)
        assert await handle.result() == RequestState.WITHDRAWN
        withdrawal = request_audit(worker_settings, filed.number)[-1]
        assert (withdrawal.action, withdrawal.actor_kind, withdrawal.actor_id) == (
            "revocation_request.withdraw", "user", master.uuid)
        mail = (await smtp_sink.async_wait_for(2))[0]
        assert mail.subject.endswith(WITHDRAWN) and mail.recipients == [master.email]
        assert f"受付番号：{filed.number}" in mail.body and "電子証明書は失効していません" in mail.body
        assert certificate_row(worker_settings, delivered.certificate.serial).status is CertificateStatus.ACTIVE
        await settle_children(client, handle.id)
        await end_lifecycle(client, delivered.certificate.serial)
