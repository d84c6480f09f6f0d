"""The representative paths the recorder runs, one function per case.

Each case drives the product's real worker the way the web and the staff do, and returns the
workflows whose histories to keep: ``{"<WorkflowType>/<case>": workflow ID}``. Cases leave
every workflow they keep settled (completed, or terminated once nothing is in progress).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import update
from temporalio.common import TypedSearchAttributes

from activities.certificates import CertificateActivities
from contract import certificate_client, crl_client, revocation_client
from contract.names import (
    certificate_workflow_id,
    crl_workflow_id,
    lockout_workflow_id,
    notice_workflow_id,
    reconciliation_workflow_id,
    revocation_request_workflow_id,
)
from domain.certificates import (
    DELIVERY_DEADLINE,
    CrlReason,
    DeliveryState,
    IssuanceRefusal,
    LifecycleInput,
    LifecycleState,
    SigningRequest,
)
from domain.lockout import LOCK_DURATION, MAX_CONSECUTIVE_FAILURES, LockoutState, ReleaseKind, SubjectKind
from domain.names import SearchAttribute
from domain.notices import NoticeKind, NoticeRequest
from domain.reconciliation import ReconciliationInput
from domain.revocation import RequestState
from domain.roles import CertificateStatus
from domain.validity import calendar_for
from pki.ca import CaLoader
from pki.csr import new_key_and_csr
from store import lockout as lockout_store
from store.db import make_engine, make_session_factory
from store.models import Certificate
from tests.revocation.request_support import comment, file_like_the_web, make_staff, master_party, settle_children
from tests.workflows import lockout_support
from tests.workflows.certificate_support import (
    advance_to,
    end_lifecycle,
    issue_like_the_web,
    lifecycle,
    record_delivery_like_the_web,
    sign_like_the_web,
)
from workflows.certificate_lifecycle import CertificateLifecycleWorkflow
from workflows.issuance import IssuanceWorkflow
from workflows.notice import NoticeWorkflow
from workflows.reconciliation import ReconciliationWorkflow

from .stage import Stage

Case = Callable[[Stage], Awaitable[dict[str, str]]]
MINUTE = timedelta(minutes=1)


async def notice_sent(stage: Stage) -> dict[str, str]:
    request = NoticeRequest(NoticeKind.REGISTRATION_COMPLETE, stage.master.uuid)
    workflow_id = notice_workflow_id(request.kind.value, request.user_uuid, str(uuid.uuid4()))
    await stage.client.execute_workflow(NoticeWorkflow.run, request, id=workflow_id,
                                        task_queue=stage.settings.task_queue)
    return {"NoticeWorkflow/sent": workflow_id}


async def _fail(stage: Stage, user, kind: SubjectKind, times: int = MAX_CONSECUTIVE_FAILURES) -> None:  # noqa: ANN001
    for _ in range(times):
        await lockout_support.attempt(stage.client, stage.settings.task_queue, user, kind, password_ok=False)


async def _ended(stage: Stage, workflow_id: str) -> None:
    """A lockout runs for ever: terminate it once nothing is in progress."""
    await lockout_support.settle(stage.client)
    await stage.client.get_workflow_handle(workflow_id).terminate("recorded")
    lockout_support._STARTED.clear()


async def lockout_locked_then_lifted(stage: Stage) -> dict[str, str]:
    """Six wrong passwords lock the master user; the hour passes; the right password gets in."""
    master, kind = stage.master, SubjectKind.MASTER
    await _fail(stage, master, kind)
    await lockout_support.skip(stage.env, LOCK_DURATION + MINUTE)
    await lockout_support.attempt(stage.client, stage.settings.task_queue, master, kind, password_ok=True)
    await _ended(stage, lockout_workflow_id(master.uuid))
    return {"LockoutWorkflow/locked_then_lifted": lockout_workflow_id(master.uuid)}


async def lockout_blocked_then_unblocked(stage: Stage) -> dict[str, str]:
    """A general user: locked, unlocked by the master user, twice; the third lock blocks; unblocked."""
    general, kind = stage.general_user(), SubjectKind.GENERAL
    for _ in range(2):
        await _fail(stage, general, kind)
        await lockout_support.release(stage.client, general, kind,
                                      lockout_support.as_master(stage.master, ReleaseKind.UNLOCK))
    await _fail(stage, general, kind)
    await lockout_support.settle(stage.client)
    await lockout_support.release(stage.client, general, kind,
                                  lockout_support.as_master(stage.master, ReleaseKind.UNBLOCK))
    await lockout_support.attempt(stage.client, stage.settings.task_queue, general, kind, password_ok=True)
    await _ended(stage, lockout_workflow_id(general.uuid))
    return {"LockoutWorkflow/blocked_then_unblocked": lockout_workflow_id(general.uuid)}


async def certificate_year(stage: Stage) -> dict[str, str]:
    """Issued; a second issuance refused; a year without renewal: day 336, the reminder, expiry."""
    delivered = await issue_like_the_web(stage.client, stage.settings, stage.master)
    refused_id = str(uuid.uuid4())
    refused = await certificate_client.issue(
        stage.client, user_uuid=stage.master.uuid, csr_pem=new_key_and_csr(stage.master.user_id).csr_pem,
        request_id=refused_id, task_queue=stage.settings.task_queue)
    assert refused.refusal is IssuanceRefusal.HOLDS_VALID_CERTIFICATE, refused
    await stage.sink.async_wait_for(1)
    handle = lifecycle(stage.client, delivered.certificate.serial)
    expiry = delivered.certificate.not_after + timedelta(seconds=1)
    await advance_to(stage.env, expiry + MINUTE)
    assert await handle.result() == LifecycleState.EXPIRED
    return {"IssuanceWorkflow/issued": delivered.issuance_id,
            "IssuanceWorkflow/refused": f"issuance/{refused_id}",
            "CertificateLifecycleWorkflow/expired_after_a_year": handle.id}


async def certificate_year_with_expiry_notice(stage: Stage) -> dict[str, str]:
    """Issue 13: a year without renewal since the 40-day e-mail: day 326, day 336, the reminder, expiry."""
    delivered = await issue_like_the_web(stage.client, stage.settings, stage.master)
    await stage.sink.async_wait_for(1)
    handle = lifecycle(stage.client, delivered.certificate.serial)
    calendar = calendar_for(delivered.certificate.not_before)
    await advance_to(stage.env, calendar.banner_from + MINUTE)
    await stage.sink.async_wait_for(2)
    await advance_to(stage.env, calendar.expires_at + MINUTE)
    assert await handle.result() == LifecycleState.EXPIRED
    await stage.sink.async_wait_for(5)
    return {"CertificateLifecycleWorkflow/expired_after_a_year_with_40_day_notice": handle.id}


async def certificate_notices_as_activities(stage: Stage) -> dict[str, str]:
    """Issue 14: the same year, its five e-mails sent as activities of the lifecycle (no notice children)."""
    kept = await certificate_year_with_expiry_notice(stage)
    return {"CertificateLifecycleWorkflow/notices_as_activities":
            kept["CertificateLifecycleWorkflow/expired_after_a_year_with_40_day_notice"]}


async def issuance_saga(stage: Stage) -> dict[str, str]:
    """Issue 11: the master user's certificate is delivered (the web confirms, then it is ACTIVE and
    its lifecycle starts); a general user's is never confirmed and is revoked at the deadline."""
    delivered = await issue_like_the_web(stage.client, stage.settings, stage.master)
    undelivered = await sign_like_the_web(stage.client, stage.settings, stage.general_user())
    await stage.env.sleep(DELIVERY_DEADLINE)
    voided = await stage.client.get_workflow_handle_for(IssuanceWorkflow.run, undelivered.issuance_id).result()
    assert voided.delivery is DeliveryState.VOIDED, voided
    await stage.sink.async_wait_for(1)
    await end_lifecycle(stage.client, delivered.certificate.serial)
    return {"IssuanceWorkflow/delivered": delivered.issuance_id, "IssuanceWorkflow/voided": undelivered.issuance_id}


async def issuance_local_steps(stage: Stage) -> dict[str, str]:
    """Issue 14: the same two paths, recorded once signing and recording ran as local activities."""
    kept = await issuance_saga(stage)
    return {"IssuanceWorkflow/local_steps_delivered": kept["IssuanceWorkflow/delivered"],
            "IssuanceWorkflow/local_steps_voided": kept["IssuanceWorkflow/voided"]}


async def issuance_web_records_delivery(stage: Stage) -> dict[str, str]:
    """Issue 14: the web records the delivery itself and signals it; one it recorded but never told of is
    kept at the deadline; one it never recorded is voided there."""
    told = await issue_like_the_web(stage.client, stage.settings, stage.master)
    untold = await sign_like_the_web(stage.client, stage.settings, stage.general_user("ippan01"))
    await asyncio.to_thread(record_delivery_like_the_web, stage.settings, untold.request_id)
    never = await sign_like_the_web(stage.client, stage.settings, stage.general_user("ippan02"))
    await stage.env.sleep(DELIVERY_DEADLINE)
    kept = await stage.client.get_workflow_handle_for(IssuanceWorkflow.run, untold.issuance_id).result()
    voided = await stage.client.get_workflow_handle_for(IssuanceWorkflow.run, never.issuance_id).result()
    assert (kept.delivery, voided.delivery) == (DeliveryState.DELIVERED, DeliveryState.VOIDED), (kept, voided)
    await stage.sink.async_wait_for(2)
    for delivered in (told.certificate.serial, untold.certificate.serial):
        await end_lifecycle(stage.client, delivered)
    return {"IssuanceWorkflow/web_recorded_told": told.issuance_id,
            "IssuanceWorkflow/web_recorded_untold_kept": untold.issuance_id,
            "IssuanceWorkflow/web_never_recorded_voided": never.issuance_id}


async def certificate_not_after_added(stage: Stage) -> dict[str, str]:
    """A lifecycle started without RokinCertificateNotAfter (as before it existed) adds it at day 336."""
    delivered = await issue_like_the_web(stage.client, stage.settings, stage.master)
    certificate = delivered.certificate
    await stage.sink.async_wait_for(1)
    await end_lifecycle(stage.client, certificate.serial)
    handle = lifecycle(stage.client, certificate.serial)
    old_style = TypedSearchAttributes([pair for pair in (await handle.describe()).typed_search_attributes
                                       if pair.key.name != SearchAttribute.CERTIFICATE_NOT_AFTER.value])
    await stage.client.start_workflow(
        CertificateLifecycleWorkflow.run, LifecycleInput(certificate.serial, certificate.user_uuid,
                                                         certificate.organization_code, certificate.not_before,
                                                         resumed=True),
        id=handle.id, task_queue=stage.settings.task_queue, search_attributes=old_style)
    await advance_to(stage.env, calendar_for(certificate.not_before).renewal_opens_at + MINUTE)
    await stage.sink.async_wait_for(2)
    await end_lifecycle(stage.client, certificate.serial)
    return {"CertificateLifecycleWorkflow/not_after_added_at_day_336": handle.id}


async def certificate_revoked(stage: Stage) -> dict[str, str]:
    """The master user revokes a general user's certificate directly; its lifecycle ends; a CRL on demand."""
    general = stage.general_user()
    delivered = await issue_like_the_web(stage.client, stage.settings, general)
    serial = delivered.certificate.serial
    await stage.sink.async_wait_for(1)
    now = await stage.env.get_current_time()
    _change(stage, update(Certificate).where(Certificate.serial == serial).values(
        status=CertificateStatus.REVOKED, revoked_at=now, revocation_reason=CrlReason.KEY_COMPROMISE.value))
    await certificate_client.tell_revoked(stage.client, serial, reason=CrlReason.KEY_COMPROMISE, at=now)
    assert await lifecycle(stage.client, serial).result() == LifecycleState.REVOKED
    await crl_client.refresh(stage.client, stage.settings.task_queue)
    return {"CertificateLifecycleWorkflow/revoked": certificate_workflow_id(serial),
            "CrlRefreshWorkflow/on_demand": f"{crl_workflow_id(stage.settings.task_queue)}/on-demand"}


async def revocation_approved(stage: Stage) -> dict[str, str]:
    """A written request: paper received, approvers reminded after 3 business days, approved."""
    staff = make_staff(stage.url)
    delivered = await issue_like_the_web(stage.client, stage.settings, stage.master)
    await stage.sink.async_wait_for(1)
    filed = await file_like_the_web(stage.client, stage.settings, serial=delivered.certificate.serial,
                                    actor=master_party(stage.master), now=await stage.env.get_current_time())
    await revocation_client.receive(stage.client, filed.number, staff.receiver)
    await stage.env.sleep(timedelta(days=14))  # at least 3 whole business days, holidays or not
    await revocation_client.approve(stage.client, filed.number, staff.approver, comment_id=comment(
        stage.settings, filed.number, staff.approver, "確認しました", approve=True))
    handle = revocation_client.request_handle(stage.client, filed.number)
    assert await handle.result() == RequestState.APPROVED
    await settle_children(stage.client, handle.id)
    assert await lifecycle(stage.client, delivered.certificate.serial).result() == LifecycleState.REVOKED
    return {"RevocationRequestWorkflow/approved": handle.id}


async def revocation_expired(stage: Stage) -> dict[str, str]:
    """A written request whose paper never arrives expires after 30 days."""
    delivered = await issue_like_the_web(stage.client, stage.settings, stage.master)
    await stage.sink.async_wait_for(1)
    filed = await file_like_the_web(stage.client, stage.settings, serial=delivered.certificate.serial,
                                    actor=master_party(stage.master), now=await stage.env.get_current_time())
    await stage.env.sleep(timedelta(days=31))
    handle = revocation_client.request_handle(stage.client, filed.number)
    assert await handle.result() == RequestState.EXPIRED
    await settle_children(stage.client, handle.id)
    await end_lifecycle(stage.client, delivered.certificate.serial)
    return {"RevocationRequestWorkflow/expired": revocation_request_workflow_id(filed.number)}


async def revocation_closed(stage: Stage) -> dict[str, str]:
    """An administrator's emergency revocation ends the lifecycle, which closes the open written request."""
    delivered = await issue_like_the_web(stage.client, stage.settings, stage.master)
    serial = delivered.certificate.serial
    await stage.sink.async_wait_for(1)
    filed = await file_like_the_web(stage.client, stage.settings, serial=serial, actor=master_party(stage.master),
                                    now=await stage.env.get_current_time())
    now = await stage.env.get_current_time()
    _change(stage, update(Certificate).where(Certificate.serial == serial).values(
        status=CertificateStatus.REVOKED, revoked_at=now, revocation_reason=CrlReason.KEY_COMPROMISE.value))
    await certificate_client.tell_revoked(stage.client, serial, reason=CrlReason.KEY_COMPROMISE, at=now)
    assert await lifecycle(stage.client, serial).result() == LifecycleState.REVOKED
    handle = revocation_client.request_handle(stage.client, filed.number)
    assert await handle.result() == RequestState.CLOSED
    await settle_children(stage.client, handle.id)
    return {"RevocationRequestWorkflow/closed_by_another_route": handle.id,
            "CertificateLifecycleWorkflow/revoked_with_an_open_request": certificate_workflow_id(serial)}


async def revocation_withdrawn(stage: Stage) -> dict[str, str]:
    """The master user withdraws its written request; the withdrawal is e-mailed."""
    delivered = await issue_like_the_web(stage.client, stage.settings, stage.master)
    await stage.sink.async_wait_for(1)
    filed = await file_like_the_web(stage.client, stage.settings, serial=delivered.certificate.serial,
                                    actor=master_party(stage.master), now=await stage.env.get_current_time())
    await revocation_client.withdraw(stage.client, filed.number, master_party(stage.master))
    handle = revocation_client.request_handle(stage.client, filed.number)
    assert await handle.result() == RequestState.WITHDRAWN
    await settle_children(stage.client, handle.id)
    await end_lifecycle(stage.client, delivered.certificate.serial)
    return {"RevocationRequestWorkflow/withdrawn": handle.id}


async def reconciliation_repaired(stage: Stage) -> dict[str, str]:
    """A certificate whose lifecycle never started and a blocked user without an arbiter: both repaired."""
    settings, now = stage.settings, await stage.env.get_current_time()
    engine = make_engine(stage.url)
    signing = CertificateActivities(make_session_factory(engine), CaLoader(settings.ca_certificate_path,
                                                                           settings.ca_key_path),
                                    crl_dir=settings.pki_dir, crl_url=settings.crl_url)
    signed = await signing.sign_certificate(SigningRequest(
        str(uuid.uuid4()), stage.master.uuid, new_key_and_csr(stage.master.user_id).csr_pem, now - timedelta(days=1)))
    general = stage.general_user()
    with make_session_factory(engine).begin() as session:
        lockout_store.mirror_state(session=session, subject_kind=SubjectKind.GENERAL, user_uuid=general.uuid,
                                   state=LockoutState(failures=6, lock_count=3, blocked=True), as_of=now)
    engine.dispose()
    workflow_id = f"{reconciliation_workflow_id(settings.task_queue)}/{uuid.uuid4()}"
    report = await stage.client.execute_workflow(ReconciliationWorkflow.run, ReconciliationInput("on-demand"),
                                                 id=workflow_id, task_queue=settings.task_queue)
    assert report.repairs == {"start_lifecycle": 1, "start_lockout": 1}, report
    await end_lifecycle(stage.client, signed.certificate.serial)
    lockout_support._STARTED.append((stage.client, lockout_workflow_id(general.uuid)))
    await _ended(stage, lockout_workflow_id(general.uuid))
    return {"ReconciliationWorkflow/repaired": workflow_id}


def _change(stage: Stage, statement) -> None:  # noqa: ANN001
    engine = make_engine(stage.url)
    try:
        with make_session_factory(engine).begin() as session:
            session.execute(statement)
    finally:
        engine.dispose()


CASES: dict[str, Case] = {case.__name__: case for case in [
    notice_sent, lockout_locked_then_lifted, lockout_blocked_then_unblocked, certificate_year,
    certificate_year_with_expiry_notice, certificate_notices_as_activities, issuance_saga, issuance_local_steps,
    issuance_web_records_delivery,
    certificate_not_after_added, certificate_revoked,
    revocation_approved, revocation_expired, revocation_closed, revocation_withdrawn, reconciliation_repaired]}
