"""How the web (or a CLI) talks to the revocation workflows.

Written requests (the workflow ``revocation-request/<number>`` is the arbiter):

- ``start_request``: right after ``store.revocation.file_request``, in the same database transaction,
  so a request whose workflow did not start is rolled back;
- ``receive`` / ``approve`` / ``reject`` / ``withdraw``: updates; a refusal raises
  ``RevocationRefusedError`` with the ``RevocationRefusal`` (the web's message table says it in Japanese);
- ``status``: the workflow's view (the pages read the database: ``store.revocation_queries``).

Direct revocations (master user, user deletion, administrator): after the database change is
committed, ``announce_revoked`` ends the lifecycles (which regenerate the CRL) and sends the e-mails.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.service import RPCError

from contract import certificate_client
from domain.names import TASK_QUEUE
from domain.notices import NoticeKind, NoticeRequest
from domain.revocation import (
    Party,
    RequestInput,
    RequestState,
    RequestStatus,
    Revocation,
    StaffAction,
    request_summary,
)
from domain.revocation_rules import RevocationRefusal
from domain.roles import UserRole

from . import search_attributes
from .names import REQUEST_STATUS_QUERY, RequestUpdate, WorkflowType, revocation_request_workflow_id
from .notice_client import start_notice

UPDATE_TIMEOUT = timedelta(seconds=30)  # an approval waits for the database and the CRL


class RevocationRefusedError(Exception):
    """The request workflow refused: who may not, maker-checker, or the request's state."""

    def __init__(self, refusal: RevocationRefusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


async def start_request(client: Client, request: RequestInput, *, task_queue: str = TASK_QUEUE,
                        bank_code: str = "") -> None:
    """Start the request's workflow; a retry joins the running one. A closed workflow with the same
    number (a database reset under a kept Temporal namespace) raises ``WorkflowAlreadyStartedError``,
    so the filing transaction rolls back instead of talking to someone else's request. ``bank_code``:
    the organization's 労金 (RokinBankCode, a start argument: ``RequestInput`` is unchanged)."""
    state = RequestState.PAPER_RECEIVED if request.received_by else RequestState.AWAITING_PAPER
    await client.start_workflow(
        WorkflowType.REVOCATION_REQUEST, request, id=revocation_request_workflow_id(request.number),
        task_queue=task_queue, static_summary=request_summary(request.number),
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        search_attributes=search_attributes.attributes(
            request_number=request.number, organization_code=request.organization_code,
            user_uuid=request.owner_uuid,  # whose certificate
            certificate_serial=request.certificate_serial, state=state.value, bank_code=bank_code),
    )


def request_handle(client: Client, number: str) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle(revocation_request_workflow_id(number))


async def receive(client: Client, number: str, actor: Party) -> RequestStatus:
    """受付: a receiver records that the paper arrived."""
    return await _update(client, number, RequestUpdate.RECEIVE, StaffAction(actor))


async def approve(client: Client, number: str, actor: Party, *, comment_id: int = 0) -> RequestStatus:
    """承認: revokes the certificate (database and CRL) before it returns."""
    return await _update(client, number, RequestUpdate.APPROVE, StaffAction(actor, comment_id))


async def reject(client: Client, number: str, actor: Party, *, comment_id: int) -> RequestStatus:
    """否認: ``comment_id`` from ``store.revocation.add_decision_comment`` (its text is e-mailed)."""
    return await _update(client, number, RequestUpdate.REJECT, StaffAction(actor, comment_id))


async def withdraw(client: Client, number: str, actor: Party) -> RequestStatus:
    return await _update(client, number, RequestUpdate.WITHDRAW, StaffAction(actor))


async def status(client: Client, number: str) -> RequestStatus:
    current: RequestStatus = await request_handle(client, number).query(REQUEST_STATUS_QUERY,
                                                                        result_type=RequestStatus)
    return current


async def _update(client: Client, number: str, update: RequestUpdate, action: StaffAction) -> RequestStatus:
    handle = request_handle(client, number)
    try:
        updated: RequestStatus = await handle.execute_update(update, action, id=str(uuid.uuid4()),
                                                             rpc_timeout=UPDATE_TIMEOUT, result_type=RequestStatus)
        return updated
    except RPCError:
        if await _closed(handle):  # a closed request takes no updates: say so like its validators would
            raise RevocationRefusedError(RevocationRefusal.WRONG_STATE) from None
        raise
    except WorkflowUpdateFailedError as error:
        refusal = _refusal_of(error.cause)
        if refusal is None:
            raise
        raise RevocationRefusedError(refusal) from None


async def _closed(handle: WorkflowHandle[Any, Any]) -> bool:
    try:
        return (await handle.describe()).status != WorkflowExecutionStatus.RUNNING
    except RPCError:
        return False  # no such workflow: the caller's error stands


def _refusal_of(cause: BaseException | None) -> RevocationRefusal | None:
    if isinstance(cause, ActivityError):  # the database refused what the validator allowed
        cause = cause.cause
    if not isinstance(cause, ApplicationError) or cause.type is None:
        return None
    try:
        return RevocationRefusal(cause.type)
    except ValueError:
        return None


async def announce_revoked(client: Client, revocations: Iterable[Revocation], *, task_queue: str = TASK_QUEUE) -> None:
    """After a direct revocation was committed: end each certificate's lifecycle (it mirrors the
    revocation and regenerates the CRL) and e-mail the owner — and the master user about a general user."""
    for revocation in revocations:
        await certificate_client.tell_revoked(client, revocation.serial, reason=revocation.reason, at=revocation.at)
        notices = [NoticeRequest(NoticeKind.CERTIFICATE_REVOKED, revocation.owner_uuid)]
        if revocation.owner_role is UserRole.GENERAL and revocation.master_uuid:
            notices.append(NoticeRequest(NoticeKind.CERTIFICATE_REVOKED_TO_MASTER, revocation.master_uuid,
                                         about_user_uuid=revocation.owner_uuid))
        for notice in notices:
            await start_notice(client, notice, task_queue=task_queue)
