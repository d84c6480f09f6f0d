"""The daily reconciliation's one activity: check a page of subjects against Temporal and repair.

For each subject it gathers the facts (the database row, ``describe`` of its workflow, the
result of a completed lifecycle, the status a running lockout reports), lets
``domain.reconciliation`` decide, and repairs. Every repair is idempotent — a start joins a
running workflow, the lifecycle ignores a second ending, the store functions change a row
once — so a retried page does no harm (it just reports less, the rest being fixed already).

Workflows are addressed through ``contract`` (their names and clients): importing ``workflows``
here would be circular, since workflow modules import the activity classes.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from contract import certificate_client, lockout_client
from contract.names import (
    LOCKOUT_STATUS_QUERY,
    LifecycleSignal,
    WorkflowType,
    certificate_workflow_id,
    issuance_workflow_id,
    lockout_workflow_id,
)
from domain.certificates import CrlReason, IssuanceOutcome, LifecycleInput, LifecycleState, Revoked, Superseded
from domain.lockout import LockoutInput, LockoutStatus, lockout_summary
from domain.reconciliation import (
    CertificateFacts,
    Fix,
    LockoutFacts,
    PageRequest,
    PageResult,
    Presence,
    Repair,
    Scan,
    UndeliveredFacts,
    certificate_repair,
    ending_status,
    lockout_repair,
    released_state,
    undelivered_repair,
)
from domain.roles import CertificateStatus
from store import audit, branches
from store import certificates as certificate_store
from store import lockout as lockout_store
from store import reconciliation as queries

ACTOR = audit.Actor("system", "reconciliation")
CONCURRENCY = 8  # Temporal calls in flight per page
ENDING_SIGNALS = {CertificateStatus.REVOKED: LifecycleSignal.REVOKED,
                  CertificateStatus.SUPERSEDED: LifecycleSignal.SUPERSEDED}
_ABNORMAL = {WorkflowExecutionStatus.TERMINATED, WorkflowExecutionStatus.FAILED, WorkflowExecutionStatus.CANCELED,
             WorkflowExecutionStatus.TIMED_OUT}


class ReconciliationActivities:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    @activity.defn
    async def reconcile_page(self, request: PageRequest) -> PageResult:
        if request.scan is Scan.CERTIFICATES:
            rows = await asyncio.to_thread(self._read, queries.certificates_to_check,
                                           after_id=int(request.after or 0), limit=request.limit, now=request.now)
            check, keys = self._check_certificate, [str(row.id) for row in rows]
        else:
            rows = await asyncio.to_thread(self._read, queries.locked_accounts, staff=request.scan is Scan.STAFF,
                                           after=request.after, limit=request.limit, now=request.now)
            check, keys = self._check_account, [row.uuid for row in rows]
        in_flight = asyncio.Semaphore(CONCURRENCY)

        async def one(row) -> Fix | None:  # noqa: ANN001
            async with in_flight:
                fix = await check(row, request)
                activity.heartbeat()
                return fix

        fixes = [fix for fix in await asyncio.gather(*(one(row) for row in rows)) if fix is not None]
        return PageResult(checked=len(rows), fixes=fixes,
                          next_after=keys[-1] if len(rows) >= request.limit else None)

    # --- certificates ------------------------------------------------------------------------

    async def _check_certificate(self, row: queries.CertificateToCheck, request: PageRequest) -> Fix | None:
        if row.status is CertificateStatus.PENDING_DELIVERY:
            return await self._check_undelivered(row, request)
        handle = activity.client().get_workflow_handle(certificate_workflow_id(row.serial), result_type=LifecycleState)
        presence, description = await _presence(handle)
        result = None
        if presence is Presence.COMPLETED:
            result = await activity.client().get_workflow_handle(
                handle.id, run_id=description.run_id, result_type=LifecycleState).result(follow_runs=False)
        repair = certificate_repair(CertificateFacts(row.status, row.not_after, row.issued_at, presence, result),
                                    request.now)
        if repair is None:
            return None
        found = f"{presence.value}:{result.value}" if result else f"{presence.value}/{row.status.value}"
        if repair is Repair.START_LIFECYCLE:
            await certificate_client.start_lifecycle(
                activity.client(),
                LifecycleInput(row.serial, row.owner_uuid, row.organization_code, row.not_before, resumed=True),
                task_queue=activity.info().task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,  # never after a normal end
                bank_code=await asyncio.to_thread(self._bank_code, row.organization_code))
        elif repair is Repair.SIGNAL_ENDING:
            at = row.revoked_at or request.now
            signal = Revoked(row.reason or CrlReason.UNSPECIFIED, at) if row.status is CertificateStatus.REVOKED \
                else Superseded("", at)  # the lifecycle needs only the instant
            try:
                await handle.signal(ENDING_SIGNALS[row.status], signal)
            except RPCError as error:  # it ended between describe and signal: nothing left to tell
                if error.status is not RPCStatusCode.NOT_FOUND:
                    raise
        elif repair in (Repair.RECORD_ENDING, Repair.MARK_EXPIRED):
            closed_at = description.close_time if description and description.close_time else request.now
            await asyncio.to_thread(self._mirror_certificate, row.serial, repair, result, closed_at)
        return Fix(repair, Scan.CERTIFICATES, row.serial, found)

    async def _check_undelivered(self, row: queries.CertificateToCheck, request: PageRequest) -> Fix | None:
        """Pending delivery: its issuance workflow, not a lifecycle, is what should end it."""
        client = activity.client()
        handle = client.get_workflow_handle(issuance_workflow_id(row.request_id or ""), result_type=IssuanceOutcome)
        presence, description = await _presence(handle)
        delivery = None
        if presence is Presence.COMPLETED:
            delivery = (await client.get_workflow_handle(handle.id, run_id=description.run_id,
                                                         result_type=IssuanceOutcome).result(follow_runs=False)).delivery
        repair = undelivered_repair(UndeliveredFacts(row.issued_at, presence, delivery), request.now)
        if repair is None:
            return None
        if repair is Repair.VOID_UNDELIVERED:
            await asyncio.to_thread(self._void_undelivered, row.serial, request.now)
        found = f"{presence.value}:{delivery.value}" if delivery else presence.value
        return Fix(repair, Scan.CERTIFICATES, row.serial, f"{found}/{row.status.value}")

    def _void_undelivered(self, serial: str, at: datetime) -> None:
        with self.session_factory.begin() as session:
            certificate = certificate_store.get_by_serial(session=session, serial=serial)
            if certificate is not None:
                certificate_store.void_undelivered(session=session, certificate=certificate, at=at, actor=ACTOR)

    def _mirror_certificate(self, serial: str, repair: Repair, result: LifecycleState | None, at: datetime) -> None:
        with self.session_factory.begin() as session:
            certificate = certificate_store.get_by_serial(session=session, serial=serial)
            if certificate is None:
                return
            if repair is Repair.MARK_EXPIRED:
                certificate_store.mark_expired(session=session, certificate=certificate)
                return
            assert result is not None
            status = ending_status(result)
            reason = CrlReason.SUPERSEDED if status is CertificateStatus.SUPERSEDED else CrlReason.UNSPECIFIED
            certificate_store.end_certificate(session=session, certificate=certificate, status=status,
                                              reason=reason, at=at, actor=ACTOR)

    # --- lockout -----------------------------------------------------------------------------

    async def _check_account(self, account: queries.LockedAccount, request: PageRequest) -> Fix | None:
        client = activity.client()
        handle = client.get_workflow_handle(lockout_workflow_id(account.uuid))
        asked_at = datetime.now(timezone.utc)  # before the query: a later mirror by the workflow wins
        presence, _ = await _presence(handle)
        workflow_status = None
        if presence is Presence.RUNNING:
            workflow_status = await handle.query(LOCKOUT_STATUS_QUERY, result_type=LockoutStatus)
        repair = lockout_repair(LockoutFacts(account.status, presence, workflow_status))
        if repair is None:
            return None
        found = f"{presence.value}:{workflow_status.value}" if workflow_status else presence.value
        if repair is Repair.START_LOCKOUT:
            bank_code = await asyncio.to_thread(self._bank_code, account.organization_code)
            await _start_lockout(client, account, activity.info().task_queue, bank_code)
        elif repair is Repair.MIRROR_LOCKOUT:
            await asyncio.to_thread(self._mirror_released, account, asked_at)
        scan = Scan.STAFF if request.scan is Scan.STAFF else Scan.USERS
        return Fix(repair, scan, account.uuid, f"{found}/{account.status.value}")

    def _mirror_released(self, account: queries.LockedAccount, as_of: datetime) -> None:
        with self.session_factory.begin() as session:
            lockout_store.mirror_state(session=session, subject_kind=account.subject_kind, user_uuid=account.uuid,
                                       state=released_state(account.state, account.status), as_of=as_of)

    def _bank_code(self, organization_code: str) -> str:
        """RokinBankCode for a start: the organization's 労金, '' for none (a staff account, an unassigned one)."""
        if not organization_code:
            return ""
        with self.session_factory() as session:
            return branches.bank_code_of(session=session, organization_code=organization_code)

    def _read(self, query, **arguments):  # noqa: ANN001, ANN003, ANN202
        with self.session_factory() as session:
            return query(session=session, **arguments)


async def _presence(handle: WorkflowHandle[Any, Any]):  # noqa: ANN202
    """The latest run's presence, and its description (None when missing)."""
    try:
        description = await handle.describe()
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            return Presence.MISSING, None
        raise
    if description.status is WorkflowExecutionStatus.RUNNING:
        return Presence.RUNNING, description
    if description.status in _ABNORMAL:
        return Presence.ENDED_ABNORMALLY, description
    return Presence.COMPLETED, description


async def _start_lockout(client: Client, account: queries.LockedAccount, task_queue: str, bank_code: str) -> None:
    """Start the arbiter with the read model's state, as ``contract.lockout_client`` would have."""
    subject = LockoutInput(account.uuid, account.organization_code, account.subject_kind, account.state)
    await client.start_workflow(
        WorkflowType.LOCKOUT, subject, id=lockout_workflow_id(account.uuid), task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,  # an attempt started it meanwhile: keep that
        search_attributes=lockout_client.start_attributes(subject, bank_code=bank_code),
        static_summary=lockout_summary(account.subject_kind, account.organization_code))

