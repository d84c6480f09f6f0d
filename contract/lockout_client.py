"""How the web (or a CLI) talks to the lockout workflow: ``attempt`` and ``release``.

Both retry, with the same update ID and a short jittered backoff, what is safe to retry:

- the server's limit of 10 in-flight updates per workflow (RESOURCE_EXHAUSTED): a burst of
  simultaneous logins for one ID waits its turn instead of failing;
- a refusal while the workflow continues as new (type ``Continuing``) and an update the
  server aborted because the run was closing: neither was applied, the retry lands on the
  new run.

Anything else — a worker that does not answer before ``deadline``, say — is raised, and the
caller shows its generic "try again later" page; it must not treat the attempt as allowed.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
)
from temporalio.common import TypedSearchAttributes, WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.lockout import (
    AttemptOutcome,
    AttemptResult,
    LockoutInput,
    ReleaseKind,
    SubjectKind,
    lockout_summary,
)
from domain.lockout_release import (
    ReleaseRefusal,
    ReleaseRequest,
    ReleaseResult,
    may_release,
)
from domain.names import TASK_QUEUE

from . import search_attributes
from .names import LOCKOUT_CONTINUING, LockoutUpdate, WorkflowType, lockout_workflow_id

T = TypeVar("T")

DEADLINE_SECONDS = 10.0
FIRST_BACKOFF_SECONDS = 0.01
MAX_BACKOFF_SECONDS = 0.2
_RETRYABLE_RPC = {RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.UNAVAILABLE, RPCStatusCode.ABORTED}


class ReleaseRefused(Exception):
    """The workflow (or, for an ID that never failed, the same rule here) refused a release."""

    def __init__(self, refusal: ReleaseRefusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


async def attempt(
    client: Client,
    *,
    user_uuid: str,
    organization_code: str,
    subject_kind: SubjectKind,
    password_ok: bool,
    task_queue: str = TASK_QUEUE,
    deadline: float = DEADLINE_SECONDS,
    bank_code: str = "",
) -> AttemptResult:
    """Report one password attempt and get the arbiter's answer; starts the workflow if needed.

    Call it for every attempt on a known ID, after verifying the password hash, and let the
    user in only if ``result.allowed``.
    """
    subject = LockoutInput(user_uuid, organization_code, subject_kind)
    update_id = str(uuid.uuid4())

    async def once(rpc_timeout: timedelta) -> AttemptResult:
        start: WithStartWorkflowOperation[Any, None] = WithStartWorkflowOperation(  # single use: fresh per try
            WorkflowType.LOCKOUT, subject, id=lockout_workflow_id(user_uuid), task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=start_attributes(subject, bank_code=bank_code),
            static_summary=lockout_summary(subject_kind, organization_code),
        )
        result: AttemptResult = await client.execute_update_with_start_workflow(
            LockoutUpdate.ATTEMPT, AttemptOutcome(password_ok), start_workflow_operation=start, id=update_id,
            rpc_timeout=rpc_timeout, result_type=AttemptResult)
        return result

    return await call_with_retries(once, deadline)


async def release(
    client: Client,
    *,
    user_uuid: str,
    organization_code: str,
    subject_kind: SubjectKind,
    request: ReleaseRequest,
    deadline: float = DEADLINE_SECONDS,
) -> ReleaseResult:
    """Unlock or unblock (``request.kind``); raises ``ReleaseRefused`` with the reason."""
    handle = client.get_workflow_handle(lockout_workflow_id(user_uuid))
    update = LockoutUpdate.UNLOCK if request.kind is ReleaseKind.UNLOCK else LockoutUpdate.UNBLOCK
    update_id = str(uuid.uuid4())
    try:
        return await call_with_retries(
            lambda rpc_timeout: handle.execute_update(update, request, id=update_id, rpc_timeout=rpc_timeout,
                                                      result_type=ReleaseResult),
            deadline)
    except WorkflowUpdateFailedError as error:
        refusal = _refusal_of(error)
        if refusal is None:
            raise
        raise ReleaseRefused(refusal) from None
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
        # No workflow: this ID never had a wrong password, so there is nothing to release —
        # but say "not yours" first to whoever may not release it.
        refusal = may_release(request, subject_kind=subject_kind, subject_uuid=user_uuid,
                              subject_organization_code=organization_code)
        nothing = ReleaseRefusal.NOT_LOCKED if request.kind is ReleaseKind.UNLOCK else ReleaseRefusal.NOT_BLOCKED
        raise ReleaseRefused(refusal or nothing) from None


def start_attributes(subject: LockoutInput, *, bank_code: str = "") -> TypedSearchAttributes:
    """USER_UUID, ORGANIZATION_CODE and the organization's BANK_CODE from the start (the workflow adds
    STATE). The bank code is not part of ``LockoutInput``: continue-as-new keeps the start's attributes."""
    return search_attributes.attributes(user_uuid=subject.user_uuid, organization_code=subject.organization_code,
                                        bank_code=bank_code)


def _refusal_of(error: WorkflowUpdateFailedError) -> ReleaseRefusal | None:
    cause = error.cause
    if not isinstance(cause, ApplicationError) or cause.type is None:
        return None
    try:
        return ReleaseRefusal(cause.type)
    except ValueError:
        return None


def _retryable(error: Exception) -> bool:
    if isinstance(error, WorkflowUpdateFailedError):
        cause = error.cause
        return isinstance(cause, ApplicationError) and cause.type == LOCKOUT_CONTINUING
    return isinstance(error, RPCError) and error.status in _RETRYABLE_RPC


async def call_with_retries(call: Callable[[timedelta], Awaitable[T]], deadline: float = DEADLINE_SECONDS) -> T:
    """``call(rpc_timeout)`` until it succeeds, fails for good, or ``deadline`` seconds have passed."""
    give_up_at = time.monotonic() + deadline
    backoff = FIRST_BACKOFF_SECONDS
    while True:
        try:
            return await call(timedelta(seconds=max(give_up_at - time.monotonic(), 0.1)))
        except (WorkflowUpdateFailedError, RPCError) as error:
            if not _retryable(error) or time.monotonic() + backoff > give_up_at:
                raise
        await asyncio.sleep(random.uniform(0, backoff))  # full jitter: a burst spreads out
        backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
