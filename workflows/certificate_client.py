"""How the web (or a CLI) talks to the certificate workflows.

- ``issue``: start the issuance workflow for a CSR and wait for its ``IssuanceOutcome``.
- ``tell_superseded`` / ``tell_revoked``: after the database change is committed (it takes
  effect at the next request by itself), end the certificates' lifecycles, which mirror it
  idempotently and regenerate the CRL. A lifecycle that has already ended is not an error.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from temporalio.client import Client
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.certificates import CrlReason, IssuanceOutcome, IssuanceRequest, Revoked, Superseded
from domain.names import TASK_QUEUE, SearchAttribute, certificate_workflow_id, issuance_workflow_id

from .certificate_lifecycle import CertificateLifecycleWorkflow
from .issuance import SIGN_DEADLINE, IssuanceWorkflow

USER_UUID = SearchAttributeKey.for_keyword(SearchAttribute.USER_UUID.value)

# Longer than the workflow can take to sign or give up (``SIGN_DEADLINE``) plus its last steps:
# the web never abandons an issuance that could still succeed.
ISSUANCE_WAIT = SIGN_DEADLINE + timedelta(seconds=30)


async def issue(
    client: Client,
    *,
    user_uuid: str,
    csr_pem: str,
    request_id: str | None = None,
    task_queue: str = TASK_QUEUE,
    wait: timedelta = ISSUANCE_WAIT,
) -> IssuanceOutcome:
    """Issue a certificate for ``csr_pem`` to the user; returns the certificate or the refusal.

    ``request_id`` (default: a new UUID) names the issuance: the same ID again returns the same
    certificate. Raises on a failed workflow (``WorkflowFailureError``) or after ``wait``
    (``asyncio.TimeoutError``); the caller shows its "try again later" page.
    """
    request = IssuanceRequest(request_id or str(uuid.uuid4()), user_uuid, csr_pem)
    workflow_id = issuance_workflow_id(request.request_id)
    try:
        handle = await client.start_workflow(
            IssuanceWorkflow.run, request, id=workflow_id, task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,  # running: join it
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,  # finished: its result, not a second run
            search_attributes=TypedSearchAttributes([SearchAttributePair(USER_UUID, user_uuid)]),
            static_summary="電子証明書の発行（CSRへの署名）",
        )
    except WorkflowAlreadyStartedError:
        handle = client.get_workflow_handle_for(IssuanceWorkflow.run, workflow_id)
    return await asyncio.wait_for(handle.result(), timeout=wait.total_seconds())


async def tell_superseded(client: Client, serials: Iterable[str], *, by_serial: str, at: datetime) -> None:
    """``store.certificates.record_first_use`` superseded ``serials``: end their lifecycles."""
    for serial in serials:
        await _signal(client, serial, CertificateLifecycleWorkflow.superseded, Superseded(by_serial, at))


async def tell_revoked(client: Client, serial: str, *, reason: CrlReason, at: datetime) -> None:
    """The certificate was revoked in the database (``store.certificates.end_certificate``)."""
    await _signal(client, serial, CertificateLifecycleWorkflow.revoked, Revoked(reason, at))


async def _signal(client: Client, serial: str, signal, argument) -> None:  # noqa: ANN001
    try:
        await client.get_workflow_handle(certificate_workflow_id(serial)).signal(signal, argument)
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:  # NOT_FOUND: ended already (expired, say)
            raise
