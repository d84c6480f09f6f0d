"""How the web (or a CLI) talks to the certificate workflows.

- ``begin_issuance``: start the issuance workflow for a CSR (or join it: the request ID names it)
  and get its ``IssuanceOutcome`` as soon as the certificate is signed — update-with-start of
  ``signed`` — without waiting for the workflow to finish; the certificate is pending delivery.
- ``confirm_delivery``: the .p12 is built; returns once the certificate is ACTIVE, raises if the
  issuance voided it (too late) or Temporal cannot be reached: then no .p12 may be handed over.
- ``issue``: both at once, for callers that keep the key themselves (the simulator, sample data).
- ``tell_superseded`` / ``tell_revoked``: after the database change is committed (it takes
  effect at the next request by itself), end the certificates' lifecycles, which mirror it
  idempotently and regenerate the CRL. A lifecycle that has already ended is not an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.certificates import (
    DELIVERY_DEADLINE,
    CrlReason,
    DeliveryConfirmation,
    DeliveryState,
    IssuanceOutcome,
    IssuanceRequest,
    Revoked,
    Superseded,
)
from domain.names import TASK_QUEUE, SearchAttribute, certificate_workflow_id, issuance_workflow_id

from .certificate_lifecycle import CertificateLifecycleWorkflow
from .issuance import RECORD_DELIVERY_DEADLINE, SIGN_DEADLINE, IssuanceWorkflow

USER_UUID = SearchAttributeKey.for_keyword(SearchAttribute.USER_UUID.value)

# Longer than the workflow can take to sign or give up (``SIGN_DEADLINE``) plus its last steps:
# the web never abandons an issuance that could still succeed.
SIGNING_WAIT = SIGN_DEADLINE + timedelta(seconds=30)
ISSUANCE_WAIT = SIGNING_WAIT  # the name callers used before the saga
# Whatever happens to the confirmation once sent, the workflow's answer is final after this: it
# accepts one only before its deadline and then records it within RECORD_DELIVERY_DEADLINE, or
# voids. Giving up earlier could leave a certificate ACTIVE that the user was told failed.
CONFIRMATION_SLACK = timedelta(seconds=15)


def confirmation_wait(delivery_deadline: timedelta) -> timedelta:
    """How long ``confirm_delivery`` may wait for the workflow's answer (see CONFIRMATION_SLACK)."""
    return delivery_deadline + RECORD_DELIVERY_DEADLINE + CONFIRMATION_SLACK


async def begin_issuance(client: Client, request: IssuanceRequest, *, task_queue: str = TASK_QUEUE) -> IssuanceOutcome:
    """The signed certificate (pending delivery), or the refusal; the same request ID again gets the
    same answer (with where its delivery stands), also once the workflow has finished.

    Raises ``WorkflowUpdateFailedError`` / ``WorkflowFailureError`` when signing failed, and
    ``RPCError`` when Temporal cannot be reached: the caller shows its "try again later" page.
    """
    workflow_id = issuance_workflow_id(request.request_id)
    start = WithStartWorkflowOperation(
        IssuanceWorkflow.run, request, id=workflow_id, task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,  # running: join it
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,  # finished: its result, not a second run
        search_attributes=TypedSearchAttributes([SearchAttributePair(USER_UUID, request.user_uuid)]),
        static_summary="電子証明書の発行（CSRへの署名と配布確認）",
    )
    try:
        return await client.execute_update_with_start_workflow(IssuanceWorkflow.signed,
                                                                start_workflow_operation=start)
    except (WorkflowAlreadyStartedError, RPCError) as error:
        # ALREADY_EXISTS (the dev server says WorkflowAlreadyStartedError): it finished already.
        # NOT_FOUND: it finished while the update was on its way. Either way its result answers.
        if isinstance(error, RPCError) and error.status not in (RPCStatusCode.ALREADY_EXISTS,
                                                                  RPCStatusCode.NOT_FOUND):
            raise
        with contextlib.suppress(WorkflowAlreadyStartedError, RPCError):
            await start.workflow_handle()  # the start's own copy of the error: retrieved, not logged at exit
    return await client.get_workflow_handle_for(IssuanceWorkflow.run, workflow_id).result()


async def confirm_delivery(client: Client, *, request_id: str, serial: str,
                           delivery_deadline: timedelta = DELIVERY_DEADLINE) -> None:
    """The .p12 of ``serial`` is built: returns once the certificate is ACTIVE. Raises if the issuance
    refuses (its deadline passed: the certificate is revoked) or cannot answer in time."""
    handle = client.get_workflow_handle_for(IssuanceWorkflow.run, issuance_workflow_id(request_id))
    await asyncio.wait_for(
        handle.execute_update(IssuanceWorkflow.confirm_delivery, DeliveryConfirmation(serial),
                              id=f"confirm-delivery/{serial}"),  # the same confirmation again: one update
        timeout=confirmation_wait(delivery_deadline).total_seconds())


async def issue(
    client: Client,
    *,
    user_uuid: str,
    csr_pem: str,
    request_id: str | None = None,
    task_queue: str = TASK_QUEUE,
    wait: timedelta = SIGNING_WAIT,
) -> IssuanceOutcome:
    """Sign ``csr_pem`` for the user and confirm the delivery at once; the certificate or the refusal.

    Only for callers that hold the key of ``csr_pem`` themselves and need no .p12 (the simulator,
    sample data); the web confirms only after it built the .p12. ``request_id`` (default: a new
    UUID) names the issuance: the same ID again returns the same certificate.
    """
    request = IssuanceRequest(request_id or str(uuid.uuid4()), user_uuid, csr_pem)
    outcome = await asyncio.wait_for(begin_issuance(client, request, task_queue=task_queue),
                                     timeout=wait.total_seconds())
    if outcome.certificate is None or outcome.delivery is not DeliveryState.PENDING:
        return outcome
    await confirm_delivery(client, request_id=request.request_id, serial=outcome.certificate.serial)
    # Then the rest of the issuance, as before the saga: its lifecycle started, renewals told.
    handle = client.get_workflow_handle_for(IssuanceWorkflow.run, issuance_workflow_id(request.request_id))
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
