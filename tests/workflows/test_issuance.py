"""The issuance workflow with the product's worker: on the dev server (visibility, a killed worker)
and on the time-skipping server (signing retried until its deadline; the delivery saga: confirmed →
ACTIVE and a lifecycle, not confirmed → revoked at the deadline and on the CRL, a late confirmation
refused, a pending certificate counted by the rules)."""

from __future__ import annotations

import asyncio
import shutil
import signal
import sys
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from sqlalchemy import func, select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from activities.certificates import CertificateActivities
from contract import certificate_client
from contract.certificate_client import IssuanceFailed
from contract.names import issuance_workflow_id
from domain.certificate_login import certificate_login_problem
from domain.certificates import CrlReason, DeliveryState, IssuanceRefusal, LifecycleState, SigningRequest
from domain.roles import CertificateStatus, UserStatus
from pki.ca import CaLoader
from pki.csr import new_key_and_csr
from pki.devca import ensure_dev_pki
from pki.ocsp import SerialStatus, database_lookup
from store import certificates as certificate_store
from store.db import make_engine, make_session_factory
from store.models import Certificate
from tests.fixtures.temporal import product_worker, worker_process_environment
from tests.fixtures.users import registered_master
from tests.pki.conftest import openssl
from workflows.certificate_lifecycle import CertificateLifecycleWorkflow
from workflows.issuance import IssuanceWorkflow

from .certificate_support import (
    Delivered,
    Signed,
    assert_histories_keep_secrets,
    audit_actions,
    certificate_row,
    crl_entry,
    end_lifecycle,
    issue_like_the_web,
    lifecycle,
    record_delivery_like_the_web,
    sign_like_the_web,
)


def certificates_for(settings, request_id: str | None = None) -> int:  # noqa: ANN001
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            query = select(func.count()).select_from(Certificate)
            if request_id is not None:
                query = query.where(Certificate.request_id == request_id)
            return session.scalar(query)
    finally:
        engine.dispose()


async def listed(client, query: str, count: int) -> list[str]:  # noqa: ANN001
    """Workflow IDs matching a visibility query, once the index shows ``count`` of them."""
    for _ in range(100):
        found = [execution.id async for execution in client.list_workflows(query)]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{query!r}: {found}")


async def test_issue_refuse_and_repeat_on_the_dev_server(dev_server_env, worker_settings, smtp_sink):
    ensure_dev_pki(worker_settings.pki_dir)
    user = registered_master(worker_settings.database_url)
    client = dev_server_env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, user)
        serial = delivered.certificate.serial

        # The web's .p12 opens with the user's password; the certificate chains to the CA.
        p12 = worker_settings.data_dir / "download.p12"
        p12.write_bytes(delivered.p12)
        opened = openssl("pkcs12", "-in", str(p12), "-passin", f"pass:{user.passwords[-1]}", "-noout")
        assert opened.returncode == 0, opened.stderr
        pem = worker_settings.data_dir / "issued.pem"
        pem.write_text(delivered.certificate.certificate_pem)
        assert openssl("verify", "-purpose", "sslclient", "-CAfile", str(worker_settings.pki_dir / "ca.pem"),
                       str(pem)).returncode == 0

        # Operators find the issuance and the lifecycle by serial, organization, user and state.
        by_serial = await listed(client, f"RokinCertificateSerial = '{serial}'", 2)
        assert sorted(by_serial) == sorted([delivered.issuance_id, f"certificate/{serial}"])
        assert await listed(client, f"RokinUserUuid = '{user.uuid}' AND RokinState = 'active'", 1) \
            == [f"certificate/{serial}"]
        assert delivered.issuance_id in await listed(
            client, f"RokinOrganizationCode = '{user.organization_code}' AND RokinState = 'issued'", 1)
        description = await lifecycle(client, serial).describe()
        assert await description.static_summary() and serial in await description.static_summary()
        assert user.email not in await description.static_summary()

        # The same request again: the same certificate, no second run; a new request: refused.
        again = await certificate_client.issue(client, user_uuid=user.uuid, csr_pem="ignored: already signed",
                                               request_id=delivered.request_id, task_queue=worker_settings.task_queue)
        assert again.certificate == delivered.certificate
        refused = await certificate_client.issue(client, user_uuid=user.uuid,
                                                 csr_pem=new_key_and_csr(user.user_id).csr_pem,
                                                 task_queue=worker_settings.task_queue)
        assert refused.certificate is None and refused.refusal is IssuanceRefusal.HOLDS_VALID_CERTIFICATE
        assert certificates_for(worker_settings) == 1

        [issued_mail] = await smtp_sink.async_wait_for(1)
        assert "電子証明書発行のお知らせ" in issued_mail.subject and issued_mail.recipients == [user.email]
        await assert_histories_keep_secrets(client, [delivered.issuance_id, f"certificate/{serial}"], user,
                                            [delivered])
        await lifecycle(client, serial).terminate("test over")


async def test_a_recorded_signing_whose_result_was_lost_is_returned_not_repeated(
    dev_server_env, worker_settings, smtp_sink
):
    """The first attempt signed and committed, then its worker vanished before reporting: the
    attempt the workflow then runs finds the row and returns that certificate."""
    ensure_dev_pki(worker_settings.pki_dir)
    user = registered_master(worker_settings.database_url)
    client = dev_server_env.client
    request_id, csr = str(uuid.uuid4()), new_key_and_csr(user.user_id).csr_pem
    engine = make_engine(worker_settings.database_url)
    lost_attempt = CertificateActivities(
        make_session_factory(engine), CaLoader(worker_settings.ca_certificate_path, worker_settings.ca_key_path),
        crl_dir=worker_settings.pki_dir, crl_url=worker_settings.crl_url)
    first = await lost_attempt.sign_certificate(SigningRequest(request_id, user.uuid, csr, datetime.now(timezone.utc),
                                                               awaiting_delivery=True))
    engine.dispose()

    async with product_worker(client, worker_settings):
        outcome = await certificate_client.issue(client, user_uuid=user.uuid, csr_pem=csr, request_id=request_id,
                                                 task_queue=worker_settings.task_queue)
        assert outcome.certificate == first.certificate
        assert certificates_for(worker_settings) == 1
        handle = lifecycle(client, first.certificate.serial)
        assert await handle.query(CertificateLifecycleWorkflow.state) == LifecycleState.ACTIVE
        await smtp_sink.async_wait_for(1)
        await handle.terminate("test over")


async def test_worker_killed_during_issuance_then_restarted(dev_server_env, worker_settings, smtp_sink):
    """``python -m worker`` is killed (SIGKILL) as soon as the certificate row exists — before or
    after it could report; a new worker finishes the issuance with that one certificate."""
    ensure_dev_pki(worker_settings.pki_dir)
    user = registered_master(worker_settings.database_url)
    client = dev_server_env.client
    environment = worker_process_environment(client, worker_settings)
    request_id, key_and_csr = str(uuid.uuid4()), new_key_and_csr(user.user_id)
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "worker", env=environment)
    try:
        issuing = asyncio.create_task(certificate_client.issue(
            client, user_uuid=user.uuid, csr_pem=key_and_csr.csr_pem, request_id=request_id,
            task_queue=worker_settings.task_queue))
        for _ in range(600):
            if certificates_for(worker_settings, request_id):
                break
            await asyncio.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert certificates_for(worker_settings, request_id) == 1

    async with product_worker(client, worker_settings):
        outcome = await asyncio.wait_for(issuing, timeout=60)
        certificate = x509.load_pem_x509_certificate(outcome.certificate.certificate_pem.encode())
        assert certificate.public_key() == key_and_csr.key.public_key()
        assert certificates_for(worker_settings) == 1
        handle = lifecycle(client, outcome.certificate.serial)
        assert await handle.query(CertificateLifecycleWorkflow.state) == LifecycleState.ACTIVE
        await smtp_sink.async_wait_for(1)
        await handle.terminate("test over")


async def test_signing_that_keeps_failing_is_voided_and_fails_the_issuance(time_skipping_env, worker_settings):
    """No CA files: the signing activity retries until its deadline (skipped time), then the
    workflow voids the request and fails — the web shows its error page; nothing was issued."""
    user = registered_master(worker_settings.database_url)
    settings = replace(worker_settings, ca_certificate=worker_settings.data_dir / "missing-ca.pem")
    client = time_skipping_env.client
    async with product_worker(client, settings):
        with pytest.raises(IssuanceFailed) as raised:
            async with time_skipping_env.time_skipping_unlocked():  # as awaiting a result would
                await certificate_client.issue(client, user_uuid=user.uuid, csr_pem=new_key_and_csr("x").csr_pem,
                                               request_id=(request_id := str(uuid.uuid4())),
                                               task_queue=settings.task_queue)
    failure = raised.value.__cause__
    assert isinstance(failure, WorkflowUpdateFailedError)
    assert isinstance(failure.cause, ApplicationError) and failure.cause.type == "SigningFailed"
    history = await client.get_workflow_handle(issuance_workflow_id(request_id)).fetch_history()
    scheduled = [event.activity_task_scheduled_event_attributes.activity_type.name for event in history.events
                 if event.HasField("activity_task_scheduled_event_attributes")]
    assert scheduled == ["void_issuance"]  # signing is a local activity (issue 14), its retries on timers
    assert certificates_for(settings) == 0


# --- the delivery saga (issue 11) on the time-skipping server --------------------------------

DEADLINE = timedelta(seconds=30)  # the delivery deadline in these tests; the server skips past it
REAL_DEADLINE = timedelta(seconds=3)  # on the dev server, where it passes in real time


@pytest.fixture
def saga_settings(worker_settings, session_dev_pki):  # noqa: ANN001, ANN201
    """A worker's settings with the run's development CA (making one per test takes a while)."""
    shutil.copytree(session_dev_pki.directory, worker_settings.pki_dir)
    return worker_settings


def issuance(client, signed: Signed):  # noqa: ANN001, ANN201
    return client.get_workflow_handle_for(IssuanceWorkflow.run, signed.issuance_id)


def voided_latest(settings, user) -> bool:  # noqa: ANN001
    """What ⑤ 発行 asks before saying that the previous issuance did not complete."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            return certificate_store.latest_issuance_voided(session=session, user_uuid=user.uuid)
    finally:
        engine.dispose()


async def test_a_confirmed_delivery_makes_the_certificate_active_and_starts_its_lifecycle(
        time_skipping_env, saga_settings, smtp_sink):
    settings, client = saga_settings, time_skipping_env.client
    user = registered_master(settings.database_url)
    async with product_worker(client, settings):
        signed = await sign_like_the_web(client, settings, user, DEADLINE)
        serial = signed.certificate.serial
        assert signed.outcome.delivery is DeliveryState.PENDING
        pending = certificate_row(settings, serial)
        assert pending.status is CertificateStatus.PENDING_DELIVERY and pending.delivered_at is None
        # Pending, it works nowhere: no certificate login, no "good" from OCSP, no lifecycle yet.
        assert certificate_login_problem(status=pending.status, not_before=pending.not_before,
                                         owner_status=UserStatus.ACTIVE, now=datetime.now(timezone.utc)) is not None
        assert ocsp_status(settings, serial) is None
        with pytest.raises(RPCError):
            await lifecycle(client, serial).describe()

        await certificate_client.confirm_delivery(client, request_id=signed.request_id, serial=serial,
                                                  delivery_deadline=DEADLINE)
        active = certificate_row(settings, serial)  # ACTIVE as soon as the confirmation is answered
        assert active.status is CertificateStatus.ACTIVE and active.delivered_at is not None
        assert ocsp_status(settings, serial) == SerialStatus()  # good
        with time_skipping_env.auto_time_skipping_disabled():
            outcome = await issuance(client, signed).result()
        assert outcome.delivery is DeliveryState.DELIVERED and outcome.certificate == signed.certificate
        assert await lifecycle(client, serial).query(CertificateLifecycleWorkflow.state) == LifecycleState.ACTIVE
        [issued_mail] = await smtp_sink.async_wait_for(1)
        assert "電子証明書発行のお知らせ" in issued_mail.subject
        assert audit_actions(settings, serial) == ["certificate.issue", "certificate.deliver"]
        assert not voided_latest(settings, user)
        await assert_histories_keep_secrets(client, [signed.issuance_id], user,
                                            [Delivered(signed.request_id, signed.key_and_csr, signed.certificate,
                                                       signed.p12(user))])
        await end_lifecycle(client, serial)


async def test_without_confirmation_the_certificate_is_revoked_at_the_deadline_and_the_user_may_issue_again(
        time_skipping_env, saga_settings):
    settings, client = saga_settings, time_skipping_env.client
    user = registered_master(settings.database_url)
    async with product_worker(client, settings):
        signed = await sign_like_the_web(client, settings, user, DEADLINE)
        serial = signed.certificate.serial
        # Pending, it counts: a second issuance for the same user is refused, not signed.
        second = await sign_like_the_web(client, settings, user, DEADLINE)
        assert second.outcome.refusal is IssuanceRefusal.ISSUANCE_PENDING and second.outcome.certificate is None

        await time_skipping_env.sleep(DEADLINE)  # nobody confirms: the deadline passes (skipped time)
        outcome = await issuance(client, signed).result()
        assert outcome.delivery is DeliveryState.VOIDED and outcome.certificate == signed.certificate
        row = certificate_row(settings, serial)
        assert (row.status, row.revocation_reason, row.delivered_at) == (
            CertificateStatus.REVOKED, CrlReason.CESSATION_OF_OPERATION.value, None)
        entry = crl_entry(settings, serial)
        assert entry is not None
        assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason \
            is x509.ReasonFlags.cessation_of_operation
        assert ocsp_status(settings, serial).revoked_at is not None
        assert audit_actions(settings, serial) == ["certificate.issue", "certificate.void"]
        with pytest.raises(RPCError):
            await lifecycle(client, serial).describe()  # never started

        # At once the user may issue again; ⑤ says the previous issuance did not complete.
        assert voided_latest(settings, user)
        again = await issue_like_the_web(client, settings, user)
        assert certificate_row(settings, again.certificate.serial).status is CertificateStatus.ACTIVE
        assert not voided_latest(settings, user)
        await end_lifecycle(client, again.certificate.serial)


async def test_a_delivery_the_web_recorded_but_did_not_tell_is_kept_at_the_deadline(
        time_skipping_env, saga_settings, smtp_sink):
    """Issue 14: the web made the certificate ACTIVE itself and died before signalling: at the deadline the
    issuance finds it ACTIVE, keeps it — nothing revoked — and starts its lifecycle."""
    settings, client = saga_settings, time_skipping_env.client
    user = registered_master(settings.database_url)
    async with product_worker(client, settings):
        signed = await sign_like_the_web(client, settings, user, DEADLINE)
        serial = signed.certificate.serial
        await asyncio.to_thread(record_delivery_like_the_web, settings, signed.request_id)
        await time_skipping_env.sleep(DEADLINE)  # nobody tells the issuance
        outcome = await issuance(client, signed).result()
        assert outcome.delivery is DeliveryState.DELIVERED
        assert certificate_row(settings, serial).status is CertificateStatus.ACTIVE
        assert audit_actions(settings, serial) == ["certificate.issue", "certificate.deliver"]
        [issued_mail] = await smtp_sink.async_wait_for(1)
        assert "電子証明書発行のお知らせ" in issued_mail.subject
        assert ocsp_status(settings, serial) == SerialStatus()  # good
        await end_lifecycle(client, serial)


async def test_a_confirmation_after_the_deadline_is_refused(dev_server_env, saga_settings):
    """The worker is away while the deadline passes (real seconds, on the dev server); the web's
    confirmation and the deadline's timer reach the workflow together, and the confirmation
    loses: the certificate is revoked, never ACTIVE."""
    settings, client = saga_settings, dev_server_env.client
    user = registered_master(settings.database_url)
    async with product_worker(client, settings):
        signed = await sign_like_the_web(client, settings, user, REAL_DEADLINE)
    await asyncio.sleep(REAL_DEADLINE.total_seconds() + 1)
    confirming = asyncio.create_task(certificate_client.confirm_delivery(
        client, request_id=signed.request_id, serial=signed.certificate.serial, delivery_deadline=REAL_DEADLINE))
    async with product_worker(client, settings):
        with pytest.raises(IssuanceFailed) as raised:
            await confirming
        failure = raised.value.__cause__
        assert isinstance(failure, WorkflowUpdateFailedError) and isinstance(failure.cause, ApplicationError)
        assert failure.cause.type == "DeliveryDeadlinePassed"
        assert (await issuance(client, signed).result()).delivery is DeliveryState.VOIDED
    assert certificate_row(settings, signed.certificate.serial).status is CertificateStatus.REVOKED
    assert "certificate.deliver" not in audit_actions(settings, signed.certificate.serial)


def ocsp_status(settings, serial: str) -> SerialStatus | None:  # noqa: ANN001
    """What the OCSP responder would answer for the serial: None (unknown), good, or revoked."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            return database_lookup(session)(int(serial, 16))
    finally:
        engine.dispose()
