"""The reconciliation on the dev server with the product's worker: lost or disagreeing lifecycles
and lockouts come back, the report says what was fixed, and a second run finds nothing."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from datetime import datetime, timedelta, timezone

from cryptography import x509
from sqlalchemy import update
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDReusePolicy

from contract import certificate_client, lockout_client
from contract.names import lockout_workflow_id, reconciliation_workflow_id
from core.config import Settings
from domain.certificates import CrlReason, LifecycleInput, LifecycleState
from domain.lockout import LockoutState, LockoutStatus, SubjectKind
from domain.reconciliation import ReconciliationInput, ReconciliationReport, Repair
from domain.roles import CertificateStatus
from pki.crl import CRL_DER
from store import certificates as certificate_store
from store import lockout as lockout_store
from store.db import make_engine, make_session_factory
from store.models import Certificate
from tests.fixtures.temporal import history_json, product_worker
from tests.fixtures.users import registered_master
from tests.workflows.certificate_support import lifecycle, sign_like_the_web
from tests.workflows.lockout_support import mirrored, read_model, registered_general, staff_account
from workflows.lockout import LockoutWorkflow
from workflows.reconciliation import ReconciliationWorkflow

from .conftest import sign

DAY = timedelta(days=1)


async def reconcile(client: Client, settings: Settings) -> ReconciliationReport:
    return await client.execute_workflow(
        ReconciliationWorkflow.run, ReconciliationInput("on-demand"), task_queue=settings.task_queue,
        id=f"{reconciliation_workflow_id(settings.task_queue)}/{uuid.uuid4()}")


def change_rows(settings: Settings, statement) -> None:  # noqa: ANN001
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            session.execute(statement)
    finally:
        engine.dispose()


def status_of(settings: Settings, serial: str) -> CertificateStatus:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            return certificate_store.get_by_serial(session=session, serial=serial).status
    finally:
        engine.dispose()


async def start_lifecycle(client: Client, settings: Settings, serial: str, user_uuid: str, code: str,
                          issued_at: datetime) -> None:
    await certificate_client.start_lifecycle(client, LifecycleInput(serial, user_uuid, code, issued_at),
                                   task_queue=settings.task_queue,
                                   id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)


async def test_lost_and_disagreeing_certificate_lifecycles_are_repaired(
        dev_server_env, reconciliation_settings, signing, smtp_sink, caplog):
    settings, url = reconciliation_settings, reconciliation_settings.database_url
    master = registered_master(url)
    users = [registered_general(url, master, user_id=f"ippan0{n}") for n in range(1, 6)]
    now = datetime.now(timezone.utc)
    missing = await sign(signing, master.uuid, now - DAY)  # its issuance never started the lifecycle
    terminated = await sign(signing, users[0].uuid, now - DAY)  # an operator terminated it
    revoked_in_db = await sign(signing, users[1].uuid, now - DAY)  # revoked, the signal lost
    restored = await sign(signing, users[2].uuid, now - DAY)  # revoked, then the database restored
    expired = await sign(signing, users[3].uuid, now - 400 * DAY)  # past notAfter, nobody marked it
    fresh = await sign(signing, users[4].uuid, now)  # just signed: its issuance starts the lifecycle
    client = dev_server_env.client
    caplog.set_level(logging.INFO, logger="temporalio.workflow")
    async with product_worker(client, settings):
        for serial, user in [(terminated, users[0]), (revoked_in_db, users[1]), (restored, users[2])]:
            await start_lifecycle(client, settings, serial, user.uuid, master.organization_code, now - DAY)
        await smtp_sink.async_wait_for(3)  # their 発行 e-mails
        await lifecycle(client, terminated).terminate("operator mistake")
        change_rows(settings, update(Certificate).where(Certificate.serial == revoked_in_db).values(
            status=CertificateStatus.REVOKED, revoked_at=now, revocation_reason=CrlReason.KEY_COMPROMISE.value))
        await certificate_client.tell_revoked(client, restored, reason=CrlReason.KEY_COMPROMISE, at=now)
        assert await lifecycle(client, restored).result() == LifecycleState.REVOKED
        change_rows(settings, update(Certificate).where(Certificate.serial == restored).values(
            status=CertificateStatus.ACTIVE, revoked_at=None, revocation_reason=None))

        report = await reconcile(client, settings)

        assert {(fix.subject, fix.repair) for fix in report.fixes} == {
            (missing, Repair.START_LIFECYCLE), (terminated, Repair.START_LIFECYCLE),
            (revoked_in_db, Repair.SIGNAL_ENDING), (restored, Repair.RECORD_ENDING), (expired, Repair.MARK_EXPIRED)}
        assert report.checked == {"certificates": 6, "users": 0, "staff": 0}
        assert fresh not in {fix.subject for fix in report.fixes}  # left to its issuance
        for serial in (missing, terminated):  # back, and not announcing the issuance a second time
            description = await lifecycle(client, serial).describe()
            assert description.status is WorkflowExecutionStatus.RUNNING
            assert 'resumed\\": true' in await history_json(client, description.id)
        assert await lifecycle(client, revoked_in_db).result() == LifecycleState.REVOKED
        assert status_of(settings, restored) is CertificateStatus.REVOKED
        assert status_of(settings, expired) is CertificateStatus.EXPIRED
        crl = x509.load_der_x509_crl((settings.pki_dir / CRL_DER).read_bytes())
        for serial in (restored, revoked_in_db):
            assert crl.get_revoked_certificate_by_serial_number(int(serial, 16)) is not None
        await asyncio.sleep(0.5)  # what a wrongly sent 発行 e-mail would need to arrive
        assert len(smtp_sink.messages()) == 3

        again = await reconcile(client, settings)
        assert again.fixes == [] and again.checked == {"certificates": 5, "users": 0, "staff": 0}
        for serial in (missing, terminated):
            await lifecycle(client, serial).terminate("test over")

    [line] = [record.getMessage() for record in caplog.records if "reconciliation checked" in record.getMessage()
              and "start_lifecycle 2" in record.getMessage()]
    assert line.startswith("reconciliation checked certificates 6, staff 0, users 0; repairs: mark_expired 1, "
                           "record_ending 1, signal_ending 1, start_lifecycle 2")
    assert "@" not in line and not re.search(r"[0-9a-f]{16}", line.split("(")[0])


async def test_certificates_left_pending_by_a_lost_issuance_are_revoked(dev_server_env, reconciliation_settings,
                                                                         signing):
    """Belt and braces for the issuance saga: a certificate still pending delivery long after the
    deadline, whose issuance is gone (never recorded, terminated), is revoked and put on the CRL;
    one whose issuance still runs is left to it."""
    settings, url = reconciliation_settings, reconciliation_settings.database_url
    master = registered_master(url)
    users = [registered_general(url, master, user_id=f"ippan0{n}") for n in range(1, 3)]
    hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    lost = await sign(signing, master.uuid, hour_ago, pending=True)  # no issuance workflow at all
    client = dev_server_env.client
    async with product_worker(client, settings):
        terminated = await sign_like_the_web(client, settings, users[0])
        running = await sign_like_the_web(client, settings, users[1])
        await client.get_workflow_handle(terminated.issuance_id).terminate("operator mistake")
        change_rows(settings, update(Certificate).where(Certificate.serial.in_(
            [terminated.certificate.serial, running.certificate.serial])).values(issued_at=hour_ago))

        report = await reconcile(client, settings)

        voided = {lost, terminated.certificate.serial}
        assert {(fix.subject, fix.repair) for fix in report.fixes} == {
            (serial, Repair.VOID_UNDELIVERED) for serial in voided}
        crl = x509.load_der_x509_crl((settings.pki_dir / CRL_DER).read_bytes())
        for serial in voided:
            assert status_of(settings, serial) is CertificateStatus.REVOKED
            assert crl.get_revoked_certificate_by_serial_number(int(serial, 16)) is not None
        assert status_of(settings, running.certificate.serial) is CertificateStatus.PENDING_DELIVERY
        assert (await reconcile(client, settings)).fixes == []
        await client.get_workflow_handle(running.issuance_id).terminate("test over")


async def test_locked_and_blocked_accounts_get_their_arbiter_back(dev_server_env, reconciliation_settings):
    settings, url = reconciliation_settings, reconciliation_settings.database_url
    master = registered_master(url)
    blocked_user = registered_general(url, master, user_id="ippan01")
    locked_user = registered_general(url, master, user_id="ippan02")
    released_user = registered_general(url, master, user_id="ippan03")
    staff = staff_account(url)
    now = datetime.now(timezone.utc)
    blocked = LockoutState(failures=6, lock_count=3, blocked=True)
    locked = LockoutState(failures=6, locked_until=now + timedelta(minutes=40), lock_count=1)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        for kind, who, state in [(SubjectKind.GENERAL, blocked_user.uuid, blocked),
                                 (SubjectKind.GENERAL, locked_user.uuid, locked),
                                 (SubjectKind.STAFF, staff, blocked)]:
            lockout_store.mirror_state(session=session, subject_kind=kind, user_uuid=who, state=state, as_of=now)
    engine.dispose()
    client = dev_server_env.client
    started = [lockout_workflow_id(who) for who in (blocked_user.uuid, locked_user.uuid, staff, released_user.uuid)]
    try:
        async with product_worker(client, settings):
            # An arbiter that says 正常 while its read model still says 閉塞 (a mirror lost, say).
            await lockout_client.attempt(client, user_uuid=released_user.uuid, subject_kind=SubjectKind.GENERAL,
                                         organization_code=master.organization_code, password_ok=True,
                                         task_queue=settings.task_queue)
            await mirrored(url, SubjectKind.GENERAL, released_user.uuid, LockoutStatus.NORMAL)
            with make_session_factory(engine).begin() as session:
                lockout_store.mirror_state(session=session, subject_kind=SubjectKind.GENERAL,
                                           user_uuid=released_user.uuid, state=blocked,
                                           as_of=datetime.now(timezone.utc))
            engine.dispose()

            report = await reconcile(client, settings)

            assert {(fix.subject, fix.repair) for fix in report.fixes} == {
                (blocked_user.uuid, Repair.START_LOCKOUT), (locked_user.uuid, Repair.START_LOCKOUT),
                (staff, Repair.START_LOCKOUT), (released_user.uuid, Repair.MIRROR_LOCKOUT)}
            assert report.checked == {"certificates": 0, "users": 3, "staff": 1}
            # The arbiters hold the read model's state: a right password is still refused.
            for user, outcome in [(blocked_user, "blocked"), (locked_user, "locked")]:
                result = await lockout_client.attempt(
                    client, user_uuid=user.uuid, subject_kind=SubjectKind.GENERAL, password_ok=True,
                    organization_code=master.organization_code, task_queue=settings.task_queue)
                assert not result.allowed and result.outcome.value == outcome
            assert await client.get_workflow_handle(lockout_workflow_id(staff)).query(
                LockoutWorkflow.current_status) is LockoutStatus.BLOCKED
            assert read_model(url, SubjectKind.GENERAL, released_user.uuid).status is LockoutStatus.NORMAL
            assert read_model(url, SubjectKind.GENERAL, locked_user.uuid).locked_until == locked.locked_until
            assert (await reconcile(client, settings)).fixes == []
    finally:
        for workflow_id in started:
            await client.get_workflow_handle(workflow_id).terminate("test over")


async def test_a_long_walk_continues_as_new_and_keeps_its_report(dev_server_env_small_history, worker_settings):
    settings, url = worker_settings, worker_settings.database_url
    master = registered_master(url)
    blocked = [registered_general(url, master, user_id=f"ippan{n:02d}") for n in range(1, 9)]
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        for user in blocked:
            lockout_store.mirror_state(session=session, subject_kind=SubjectKind.GENERAL, user_uuid=user.uuid,
                                       state=LockoutState(failures=6, lock_count=3, blocked=True),
                                       as_of=datetime.now(timezone.utc))
    engine.dispose()
    client = dev_server_env_small_history.client
    workflow_id = f"{reconciliation_workflow_id(settings.task_queue)}/{uuid.uuid4()}"
    try:
        async with product_worker(client, settings):
            handle = await client.start_workflow(
                ReconciliationWorkflow.run, ReconciliationInput("on-demand", page_size=1), id=workflow_id,
                task_queue=settings.task_queue)
            report = await handle.result()  # follows the runs
        first_run = await client.get_workflow_handle(workflow_id, run_id=handle.first_execution_run_id).describe()
        assert first_run.status is WorkflowExecutionStatus.CONTINUED_AS_NEW
        assert report.checked == {"certificates": 0, "users": 8, "staff": 0}
        assert report.count(Repair.START_LOCKOUT) == 8
        assert {fix.subject for fix in report.fixes} == {user.uuid for user in blocked}
    finally:
        for user in blocked:
            await client.get_workflow_handle(lockout_workflow_id(user.uuid)).terminate("test over")
