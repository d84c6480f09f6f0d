"""Helpers for the certificate workflow tests: issue like the web does, move the test server's
clock, read histories, and the privacy check every certificate history must pass."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.certificates import IssuanceOutcome, IssuedCertificate
from domain.names import certificate_workflow_id
from pki.csr import KeyAndCsr, new_key_and_csr
from pki.pkcs12 import build_p12
from rokin.config import Settings
from store import certificates as certificate_store
from store.db import make_engine, make_session_factory
from store.models import Certificate
from tests.fixtures.temporal import history_json
from tests.fixtures.users import MadeUser
from workflows import certificate_client


@dataclass
class Delivered:
    """What the web holds after ⑦: the key it made, the certificate, and the .p12 it built."""

    key_and_csr: KeyAndCsr
    certificate: IssuedCertificate
    p12: bytes


async def issue_like_the_web(client: Client, settings: Settings, user: MadeUser, **kwargs) -> Delivered:
    key_and_csr = new_key_and_csr(user.user_id)
    outcome: IssuanceOutcome = await certificate_client.issue(
        client, user_uuid=user.uuid, csr_pem=key_and_csr.csr_pem, task_queue=settings.task_queue, **kwargs)
    assert outcome.refusal is None and outcome.certificate is not None, outcome
    certificate = x509.load_pem_x509_certificate(outcome.certificate.certificate_pem.encode())
    p12 = build_p12(key=key_and_csr.key, certificate=certificate, password=user.passwords[-1], user_id=user.user_id)
    return Delivered(key_and_csr, outcome.certificate, p12)


async def advance_to(env: WorkflowEnvironment, instant: datetime) -> None:
    """Move the time-skipping server's clock to ``instant`` (timers due before it fire)."""
    remaining = instant - await env.get_current_time()
    assert remaining > timedelta(0), f"the clock is already past {instant}"
    await env.sleep(remaining)


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
