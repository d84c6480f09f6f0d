"""How the web (or a CLI) talks to the certificate workflows.

- ``begin_issuance``: start the issuance workflow for a CSR (or join it: the request ID names it)
  and get its ``IssuanceOutcome`` as soon as the certificate is signed — update-with-start of
  ``signed`` — without waiting for the workflow to finish; the certificate is pending delivery.
- ``tell_delivered`` (issue 14): the web built the .p12 and recorded the delivery itself; the issuance
  goes on to the certificate's lifecycle.
- ``confirm_delivery``: the .p12 is built; returns once the workflow has made the certificate ACTIVE,
  raises if it voided it (too late). What webs did before issue 14, and what ``issue`` still does.
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
from typing import Any

from temporalio.client import Client, WithStartWorkflowOperation, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.certificates import (
    DELIVERY_DEADLINE,
    CrlReason,
    DeliveryConfirmation,
    DeliveryState,
    IssuanceOutcome,
    IssuanceRequest,
    LifecycleInput,
    LifecycleState,
    Revoked,
    Superseded,
    lifecycle_summary,
)
from domain.names import TASK_QUEUE
from domain.validity import calendar_for

from . import search_attributes
from .names import (
    IssuanceSignal,
    IssuanceUpdate,
    LifecycleSignal,
    WorkflowType,
    certificate_workflow_id,
    issuance_workflow_id,
)
from .policies import SIGNING_WAIT, confirmation_wait

ISSUANCE_SUMMARY = "電子証明書の発行（CSRへの署名と配布確認）"


class IssuanceFailed(Exception):
    """The issuance cannot go on, for good: signing failed (the CA unusable past its deadline), or the
    confirmation came too late (the certificate is revoked). The user may try again."""


async def begin_issuance(client: Client, request: IssuanceRequest, *, task_queue: str = TASK_QUEUE) -> IssuanceOutcome:
    """The signed certificate (pending delivery), or the refusal; the same request ID again gets the
    same answer (with where its delivery stands), also once the workflow has finished.

    Raises ``IssuanceFailed`` when signing failed for good.
    """
    try:
        return await _begin(client, request, task_queue)
    except (WorkflowUpdateFailedError, WorkflowFailureError) as error:
        raise IssuanceFailed("the certificate could not be signed") from error


async def _begin(client: Client, request: IssuanceRequest, task_queue: str) -> IssuanceOutcome:
    workflow_id = issuance_workflow_id(request.request_id)
    start: WithStartWorkflowOperation[Any, IssuanceOutcome] = WithStartWorkflowOperation(
        WorkflowType.ISSUANCE, request, id=workflow_id, task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,  # running: join it
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,  # finished: its result, not a second run
        search_attributes=search_attributes.attributes(user_uuid=request.user_uuid, bank_code=request.bank_code),
        static_summary=ISSUANCE_SUMMARY,
    )
    try:
        signed: IssuanceOutcome = await client.execute_update_with_start_workflow(
            IssuanceUpdate.SIGNED, start_workflow_operation=start, result_type=IssuanceOutcome)
        return signed
    except (WorkflowAlreadyStartedError, RPCError) as error:
        # ALREADY_EXISTS (the dev server says WorkflowAlreadyStartedError): it finished already.
        # NOT_FOUND: it finished while the update was on its way. Either way its result answers.
        if isinstance(error, RPCError) and error.status not in (RPCStatusCode.ALREADY_EXISTS,
                                                                  RPCStatusCode.NOT_FOUND):
            raise
        with contextlib.suppress(WorkflowAlreadyStartedError, RPCError):
            await start.workflow_handle()  # the start's own copy of the error: retrieved, not logged at exit
    finished: IssuanceOutcome = await client.get_workflow_handle(workflow_id, result_type=IssuanceOutcome).result()
    return finished


async def confirm_delivery(client: Client, *, request_id: str, serial: str,
                           delivery_deadline: timedelta = DELIVERY_DEADLINE) -> None:
    """The .p12 of ``serial`` is built: returns once the certificate is ACTIVE. Raises ``IssuanceFailed``
    if the issuance refuses (its deadline passed: the certificate is revoked), ``TimeoutError``
    without an answer in time."""
    handle = client.get_workflow_handle(issuance_workflow_id(request_id))
    try:
        await asyncio.wait_for(
            handle.execute_update(IssuanceUpdate.CONFIRM_DELIVERY, DeliveryConfirmation(serial),
                                  id=f"confirm-delivery/{serial}"),  # the same confirmation again: one update
            timeout=confirmation_wait(delivery_deadline).total_seconds())
    except WorkflowUpdateFailedError as error:
        raise IssuanceFailed("the delivery was not confirmed in time") from error


async def tell_delivered(client: Client, *, request_id: str, serial: str) -> bool:
    """The web recorded the delivery of ``serial`` itself (ACTIVE, issue 14): the issuance starts the
    lifecycle now rather than at its deadline, where it would find the certificate ACTIVE anyway.
    False if the issuance has finished already (nothing left to tell)."""
    try:
        await client.get_workflow_handle(issuance_workflow_id(request_id)).signal(
            IssuanceSignal.DELIVERED, DeliveryConfirmation(serial))
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
        return False
    return True


async def issue(
    client: Client,
    *,
    user_uuid: str,
    csr_pem: str,
    request_id: str | None = None,
    task_queue: str = TASK_QUEUE,
    wait: timedelta = SIGNING_WAIT,
    bank_code: str = "",
) -> IssuanceOutcome:
    """Sign ``csr_pem`` for the user and confirm the delivery at once; the certificate or the refusal.

    Only for callers that hold the key of ``csr_pem`` themselves and need no .p12 (the simulator,
    sample data); the web confirms only after it built the .p12. ``request_id`` (default: a new
    UUID) names the issuance: the same ID again returns the same certificate. ``bank_code``: the
    organization's 労金 (the RokinBankCode search attribute), '' for none.
    """
    request = IssuanceRequest(request_id or str(uuid.uuid4()), user_uuid, csr_pem, bank_code=bank_code)
    outcome = await asyncio.wait_for(begin_issuance(client, request, task_queue=task_queue),
                                     timeout=wait.total_seconds())
    if outcome.certificate is None or outcome.delivery is not DeliveryState.PENDING:
        return outcome
    await confirm_delivery(client, request_id=request.request_id, serial=outcome.certificate.serial)
    # Then the rest of the issuance, as before the saga: its lifecycle started, renewals told.
    handle = client.get_workflow_handle(issuance_workflow_id(request.request_id), result_type=IssuanceOutcome)
    return await asyncio.wait_for(handle.result(), timeout=wait.total_seconds())


async def tell_superseded(client: Client, serials: Iterable[str], *, by_serial: str, at: datetime) -> None:
    """``store.certificates.record_first_use`` superseded ``serials``: end their lifecycles."""
    for serial in serials:
        await _signal(client, serial, LifecycleSignal.SUPERSEDED, Superseded(by_serial, at))


async def tell_revoked(client: Client, serial: str, *, reason: CrlReason, at: datetime) -> None:
    """The certificate was revoked in the database (``store.certificates.end_certificate``)."""
    await _signal(client, serial, LifecycleSignal.REVOKED, Revoked(reason, at))


async def start_lifecycle(client: Client, request: LifecycleInput, *, task_queue: str,
                          id_reuse_policy: WorkflowIDReusePolicy, bank_code: str = "") -> None:
    """Start ``certificate/<serial>`` unless it is running (the issuance's activity, the reconciliation).

    Eager start (issue 14): from an activity the client is the worker's, which polls ``task_queue``, so
    the server may hand the first task straight back with the start; any other caller starts normally.
    ``bank_code`` (the organization's 労金, looked up by the caller) is a start argument, not a field of
    ``LifecycleInput``: the issuance workflow that makes that input needs no change."""
    try:
        await client.start_workflow(
            WorkflowType.CERTIFICATE_LIFECYCLE, request, id=certificate_workflow_id(request.serial),
            task_queue=task_queue, id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING, request_eager_start=True,
            id_reuse_policy=id_reuse_policy, static_summary=lifecycle_summary(request.serial),
            # NOT_AFTER set at the start, not by the workflow: recorded histories replay unchanged.
            search_attributes=search_attributes.attributes(
                user_uuid=request.user_uuid, organization_code=request.organization_code,
                certificate_serial=request.serial, state=LifecycleState.ACTIVE.value,
                not_after=calendar_for(request.issued_at).not_after, bank_code=bank_code),
        )
    except WorkflowAlreadyStartedError:
        pass


async def _signal(client: Client, serial: str, signal: LifecycleSignal, argument: Any) -> None:
    try:
        await client.get_workflow_handle(certificate_workflow_id(serial)).signal(signal, argument)
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:  # NOT_FOUND: ended already (expired, say)
            raise
