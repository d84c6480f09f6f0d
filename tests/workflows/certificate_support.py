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
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.certificates import IssuanceOutcome, IssuedCertificate, LifecycleState
from domain.names import certificate_workflow_id, issuance_workflow_id
from pki.csr import KeyAndCsr, new_key_and_csr
from pki.pkcs12 import build_p12
from core.config import Settings
from store import certificates as certificate_store
from store.db import make_engine, make_session_factory
from store.models import Certificate
from tests.fixtures.temporal import history_json
from tests.fixtures.users import MadeUser
from workflows import certificate_client
from workflows.certificate_lifecycle import CertificateLifecycleWorkflow


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


async def issue_like_the_web(client: Client, settings: Settings, user: MadeUser) -> Delivered:
    key_and_csr = new_key_and_csr(user.user_id)
    request_id = str(uuid.uuid4())
    outcome: IssuanceOutcome = await certificate_client.issue(
        client, user_uuid=user.uuid, csr_pem=key_and_csr.csr_pem, request_id=request_id,
        task_queue=settings.task_queue)
    assert outcome.refusal is None and outcome.certificate is not None, outcome
    certificate = x509.load_pem_x509_certificate(outcome.certificate.certificate_pem.encode())
    p12 = build_p12(key=key_and_csr.key, certificate=certificate, password=user.passwords[-1], user_id=user.user_id)
    return Delivered(request_id, key_and_csr, outcome.certificate, p12)


def lifecycle(client: Client, serial: str) -> WorkflowHandle[Any, LifecycleState]:
    return client.get_workflow_handle_for(CertificateLifecycleWorkflow.run, certificate_workflow_id(serial))


async def advance_to(env: WorkflowEnvironment, instant: datetime) -> None:
    """Move the time-skipping server's clock to ``instant`` (timers due before it fire)."""
    remaining = instant - await env.get_current_time()
    assert remaining > timedelta(0), f"the clock is already past {instant}"
    await env.sleep(remaining)


async def end_lifecycle(client: Client, serial: str) -> None:
    """Terminate a lifecycle a test leaves running, once its e-mail children have closed: on the
    time-skipping server a child that closes after its parent leaves the clock locked."""
    handle = lifecycle(client, serial)
    for child in await children(client, handle.id):
        while (await client.get_workflow_handle(child).describe()).status == WorkflowExecutionStatus.RUNNING:
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


def certificate_row(settings: Settings, serial: str) -> Certificate:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            row = certificate_store.get_by_serial(session=session, serial=serial)
            assert row is not None
            return row
    finally:
        engine.dispose()
