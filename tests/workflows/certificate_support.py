"""Helpers for the certificate workflow tests: issue like the web does, move the test server's
clock, read histories, and the privacy check every certificate history must pass."""

from __future__ import annotations

import asyncio
import base64
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from contract import certificate_client
from contract.names import certificate_workflow_id, issuance_workflow_id
from core.config import Settings
from domain.certificates import (
    DELIVERY_DEADLINE,
    DeliveryState,
    IssuanceOutcome,
    IssuanceRequest,
    IssuedCertificate,
    LifecycleState,
)
from pki.crl import CRL_DER
from pki.csr import KeyAndCsr, new_key_and_csr
from pki.pkcs12 import build_p12
from store import certificates as certificate_store
from store.db import make_engine, make_session_factory
from store.models import AuditEntry, Certificate
from tests.fixtures.temporal import history_json
from tests.fixtures.users import MadeUser
from usecases import issuance as issuance_usecase
from workflows.certificate_lifecycle import CertificateLifecycleWorkflow
from workflows.issuance import IssuanceWorkflow


@dataclass
class Delivered:
    """What the web holds after ⑦: the key it made, the certificate, and the .p12 it built."""

    request_id: str
    key_and_csr: KeyAndCsr
    certificate: IssuedCertificate
    p12: bytes

    @property
    def issuance_id(self) -> str:
        return issuance_workflow_id(self.request_id)


@dataclass
class Signed:
    """What the web holds after the issuance's ``signed`` answer: the certificate is pending delivery."""

    request_id: str
    key_and_csr: KeyAndCsr
    outcome: IssuanceOutcome

    @property
    def certificate(self) -> IssuedCertificate:
        assert self.outcome.certificate is not None, self.outcome
        return self.outcome.certificate

    @property
    def issuance_id(self) -> str:
        return issuance_workflow_id(self.request_id)

    def p12(self, user: MadeUser) -> bytes:
        certificate = x509.load_pem_x509_certificate(self.certificate.certificate_pem.encode())
        return build_p12(key=self.key_and_csr.key, certificate=certificate, password=user.passwords[-1],
                         user_id=user.user_id)


async def sign_like_the_web(client: Client, settings: Settings, user: MadeUser,
                            deadline: timedelta = DELIVERY_DEADLINE) -> Signed:
    """⑤ 発行 up to the signed certificate: a key and CSR in memory, then ``begin_issuance``."""
    key_and_csr = new_key_and_csr(user.user_id)
    request = IssuanceRequest(str(uuid.uuid4()), user.uuid, key_and_csr.csr_pem, int(deadline.total_seconds()))
    outcome = await certificate_client.begin_issuance(client, request, task_queue=settings.task_queue)
    return Signed(request.request_id, key_and_csr, outcome)


def record_delivery_like_the_web(settings: Settings, request_id: str) -> None:
    """The web's own record of the delivery (issue 14: ``usecases.issuance.record_delivery``)."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            issuance_usecase.record_delivery(session, request_id)
    finally:
        engine.dispose()


async def issue_like_the_web(client: Client, settings: Settings, user: MadeUser) -> Delivered:
    """⑤ → ⑦ as the web does it (signed, the .p12 built, the delivery recorded: ACTIVE, the issuance told),
    then the rest of the issuance: once it has finished, the lifecycle runs and renewed ones were told."""
    signed = await sign_like_the_web(client, settings, user)
    assert signed.outcome.refusal is None and signed.outcome.delivery is DeliveryState.PENDING, signed.outcome
    p12 = signed.p12(user)
    await asyncio.to_thread(record_delivery_like_the_web, settings, signed.request_id)
    assert await certificate_client.tell_delivered(client, request_id=signed.request_id,
                                                   serial=signed.certificate.serial)
    finished = await client.get_workflow_handle_for(IssuanceWorkflow.run, signed.issuance_id).result()
    assert finished.delivery is DeliveryState.DELIVERED, finished
    return Delivered(signed.request_id, signed.key_and_csr, signed.certificate, p12)


SKIP_ATTEMPTS = 3


def lifecycle(client: Client, serial: str) -> WorkflowHandle[Any, LifecycleState]:
    return client.get_workflow_handle_for(CertificateLifecycleWorkflow.run, certificate_workflow_id(serial))


async def advance_to(env: WorkflowEnvironment, instant: datetime) -> None:
    """Move the time-skipping server's clock to ``instant`` (timers due before it fire).

    The server answers the skip once the workers are idle again; on a loaded machine the work the
    timers wake (activities, e-mails) can outlast the RPC's own time-out, so a timed-out skip is
    asked again for what is left — the clock never goes back, so it lands on ``instant`` all the same."""
    remaining = instant - await env.get_current_time()
    assert remaining > timedelta(0), f"the clock is already past {instant}"
    for _ in range(SKIP_ATTEMPTS - 1):
        try:
            await env.sleep(remaining)
            return
        except RPCError as error:
            if "Timeout" not in str(error):
                raise
        remaining = instant - await env.get_current_time()
        if remaining <= timedelta(0):
            return
    await env.sleep(remaining)


async def end_lifecycle(client: Client, serial: str) -> None:
    """Terminate a lifecycle a test leaves running, once its e-mails have gone (its ``send_notice``
    activities; the e-mail children of lifecycles from before issue 14): on the time-skipping server
    an activity or a child that closes after its workflow leaves the clock locked."""
    handle = lifecycle(client, serial)
    for child in await children(client, handle.id):
        while (await client.get_workflow_handle(child).describe()).status == WorkflowExecutionStatus.RUNNING:
            await asyncio.sleep(0.05)
    while (await handle.describe()).raw_description.pending_activities:
        await asyncio.sleep(0.05)
    await handle.terminate("test over")


async def clock_still_moves(env: WorkflowEnvironment) -> None:
    """The session's time-skipping server must stay usable for the tests after this one."""
    await asyncio.wait_for(env.sleep(timedelta(seconds=1)), timeout=10)


async def timers_fired(client: Client, serial: str) -> list[datetime]:
    history = await client.get_workflow_handle(certificate_workflow_id(serial)).fetch_history()
    return [event.event_time.ToDatetime().replace(tzinfo=None) for event in history.events
            if event.event_type == EventType.EVENT_TYPE_TIMER_FIRED]


async def children(client: Client, workflow_id: str) -> list[str]:
    """IDs of the child workflows ``workflow_id`` started (notices, lifecycles)."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return [event.start_child_workflow_execution_initiated_event_attributes.workflow_id
            for event in history.events
            if event.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED]


async def assert_histories_keep_secrets(client: Client, workflow_ids: list[str], user: MadeUser,
                                        delivered: list[Delivered]) -> None:
    """No password, e-mail address, private key or .p12 in any history of these workflows and their
    children. (``history_json`` decodes payloads; the tests also find the public certificate.)"""
    ids = list(workflow_ids)
    for workflow_id in workflow_ids:
        ids += await children(client, workflow_id)
    for workflow_id in dict.fromkeys(ids):
        history = await history_json(client, workflow_id)
        for secret in (user.email, *user.passwords, "PRIVATE KEY"):
            assert secret and secret not in history, (workflow_id, "secret found")
        for item in delivered:
            key_der = item.key_and_csr.key.private_bytes(serialization.Encoding.DER,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption())
            for blob in (key_der, item.p12):
                encoded = base64.b64encode(blob).decode()
                assert encoded[70:120] not in history  # within one PEM line, (workflow_id, "key or p12 found")


def audit_actions(settings: Settings, serial: str) -> list[str]:
    """What the audit log recorded about a certificate, in order."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(AuditEntry.action).where(
                AuditEntry.target_kind == "certificate", AuditEntry.target_id == serial).order_by(AuditEntry.id)))
    finally:
        engine.dispose()


def crl_entry(settings: Settings, serial: str) -> x509.RevokedCertificate | None:
    """The serial's entry on the CRL the worker last published (``pki.crl``), after checking its signature."""
    crl = x509.load_der_x509_crl((settings.pki_dir / CRL_DER).read_bytes())
    ca = x509.load_pem_x509_certificate(settings.ca_certificate_path.read_bytes())
    assert crl.is_signature_valid(ca.public_key())
    return crl.get_revoked_certificate_by_serial_number(int(serial, 16))


def certificate_row(settings: Settings, serial: str) -> Certificate:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            row = certificate_store.get_by_serial(session=session, serial=serial)
            assert row is not None
            return row
    finally:
        engine.dispose()
