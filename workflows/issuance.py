"""One certificate issuance (seed 001 ⑤ 発行 → ⑥ 発行中 → ⑦ 発行結果), ID ``issuance/<request ID>``.

Issuance is a saga (SPEC.md §2, issue 11): no crash anywhere may leave an ACTIVE certificate whose
private key died with the web. The web made the key pair and the CSR in memory; only public data
passes through here — the CSR, the certificate, UUIDs and serials.

1. ``sign_certificate`` checks eligibility again with the organization locked and signs,
   idempotently per request ID, recording the certificate PENDING_DELIVERY: it works nowhere
   yet, but counts for the one-per-user rule and the quota. A refusal is a normal result.
2. The web's ``signed`` update (sent with the start) returns the certificate as soon as it is
   signed; the web builds the .p12 and sends ``confirm_delivery``.
3. Confirmed before ``IssuanceRequest.delivery_deadline_seconds`` after signing:
   ``record_delivery`` makes it ACTIVE — the update answers only then, so a certificate login
   right after the download works — and then, together, its lifecycle workflow starts (it sends
   the 発行 e-mail) and the lifecycles of the certificates it renews hear ``renewed``.
   Not confirmed in time (the web died, or could not reach Temporal): ``void_issuance`` revokes
   it (cessationOfOperation, audited ``certificate.void``) and republishes the CRL; the user may
   issue again at once. A confirmation after the deadline is rejected.

If signing fails for good (the CA is unusable past the deadline, say), ``void_issuance``
revokes whatever a lost attempt may have recorded and the workflow fails: the web shows its
"try again later" page.

Runs recorded before the saga (no ``SAGA_PATCH`` marker) take the old branch: ACTIVE at
signing, the lifecycle at once.

Issue 14: ``sign_certificate`` and ``record_delivery`` run as local activities (``LOCAL_STEPS_PATCH``),
inside the workflow task that the web's update-with-start (``signed``) and its ``confirm_delivery``
update each bring: one server round trip per web call instead of three (task, activity, task).
Both stay idempotent as they must, since a local activity runs again when its workflow task is
lost (a worker killed after the commit but before the task completed): signing is keyed by the
request ID and returns the recorded certificate, recording finds it ACTIVE already. What the user
needs — the signed certificate, then ACTIVE — is all the web waits for; the lifecycle starts after
the confirmation's answer, in the same task. Runs recorded before take the regular activities.

Also issue 14 (``WEB_RECORDS_DELIVERY_PATCH``): the web no longer asks the workflow to record the
delivery and waits; it makes the certificate ACTIVE itself (the row locked: its record and the void
exclude each other) and signals ``delivered``, and the workflow goes on to the lifecycle at once. At the
deadline without that signal (the web died after its commit, or could not reach Temporal),
``settle_delivery`` keeps a certificate the web made ACTIVE and voids one still pending. The
``confirm_delivery`` update still works, for the simulator and for webs from before. One case is
left as it was: a run started before this patch (within the delivery deadline before a deploy), told
by a newer web whose signal is then lost, ends as runs from before did without a confirmation, by
``_void``, and so revokes the certificate the web had made ACTIVE: its user must issue again.

No child workflows: the lifecycle is started by an activity and so has no parent.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

from contract.names import IssuanceSignal, IssuanceUpdate, LifecycleSignal, WorkflowType, certificate_workflow_id
from contract.policies import (
    DATABASE_RETRY,
    DATABASE_STEP_TIMEOUT,
    ISSUANCE_ATTEMPT_TIMEOUT,
    QUICK_RETRY,
    RECORD_DELIVERY_DEADLINE,
    SIGN_DEADLINE,
)
from contract.search_attributes import CERTIFICATE_SERIAL, ORGANIZATION_CODE, STATE
from domain.certificates import (
    DeliveryConfirmation,
    DeliveryRecord,
    DeliveryState,
    IssuanceOutcome,
    IssuanceRequest,
    IssuedCertificate,
    LifecycleInput,
    Renewed,
    SigningRequest,
)

with workflow.unsafe.imports_passed_through():
    from activities.certificates import CertificateActivities

SAGA_PATCH = "issuance-pending-delivery"  # issue 11; runs recorded before it took the old branch
LOCAL_STEPS_PATCH = "issuance-local-steps"  # issue 14: signing and recording inside the workflow task
WEB_RECORDS_DELIVERY_PATCH = "issuance-web-records-delivery"  # issue 14: the web's commit, then ``delivered``
# A local step that keeps failing (the CA unusable, the database away) retries within its workflow
# task only for the first quick attempts; later ones wait on a workflow timer, so no workflow task
# stays open for the whole deadline (and a test server's skipped time reaches the deadline too).
LOCAL_RETRY_THRESHOLD = timedelta(seconds=1)
# Its time limits are in ``contract.policies``: the web's waits are derived from them.

PENDING_DELIVERY = "pending_delivery"
ISSUED = "issued"
REFUSED = "refused"
VOIDED = "voided"


@workflow.defn(name=WorkflowType.ISSUANCE)
class IssuanceWorkflow:
    def __init__(self) -> None:
        self._outcome: IssuanceOutcome | None = None  # signed or refused; what ``signed`` answers
        self._signing_failed = False
        self._delivery: DeliveryState | None = None
        self._deliver_by: datetime | None = None
        self._confirmed = False
        self._recorded_by_web = False
        self._local_steps = False

    @workflow.run
    async def run(self, request: IssuanceRequest) -> IssuanceOutcome:
        saga = workflow.patched(SAGA_PATCH)
        self._local_steps = saga and workflow.patched(LOCAL_STEPS_PATCH)
        signing = SigningRequest(request.request_id, request.user_uuid, request.csr_pem, workflow.now(),
                                 awaiting_delivery=saga)
        try:
            if self._local_steps:
                outcome = await workflow.execute_local_activity_method(
                    CertificateActivities.sign_certificate, signing, start_to_close_timeout=ISSUANCE_ATTEMPT_TIMEOUT,
                    schedule_to_close_timeout=SIGN_DEADLINE, retry_policy=QUICK_RETRY,
                    local_retry_threshold=LOCAL_RETRY_THRESHOLD, summary="資格を確認して署名")
            else:
                outcome = await workflow.execute_activity_method(
                    CertificateActivities.sign_certificate, signing, start_to_close_timeout=ISSUANCE_ATTEMPT_TIMEOUT,
                    schedule_to_close_timeout=SIGN_DEADLINE, retry_policy=QUICK_RETRY, summary="資格を確認して署名")
        except ActivityError:
            await self._void(request.request_id)
            self._signing_failed = True
            await workflow.wait_condition(workflow.all_handlers_finished)
            raise ApplicationError("the certificate could not be signed", type="SigningFailed",
                                   non_retryable=True) from None
        certificate = outcome.certificate
        if certificate is None:
            workflow.upsert_search_attributes([STATE.value_set(REFUSED)])
            self._outcome = outcome
            await workflow.wait_condition(workflow.all_handlers_finished)
            return outcome
        workflow.upsert_search_attributes([STATE.value_set(PENDING_DELIVERY if saga else ISSUED),
                                           CERTIFICATE_SERIAL.value_set(certificate.serial),
                                           ORGANIZATION_CODE.value_set(certificate.organization_code)])
        if not saga:
            await self._activate(certificate)
            return outcome
        return await self._deliver(request, outcome, certificate)

    async def _deliver(self, request: IssuanceRequest, outcome: IssuanceOutcome,
                       certificate: IssuedCertificate) -> IssuanceOutcome:
        """Wait for the web's word (its ``delivered`` signal, or the confirmation update) until the
        deadline; then ACTIVE with its lifecycle, or revoked."""
        web_records = workflow.patched(WEB_RECORDS_DELIVERY_PATCH)
        deadline = timedelta(seconds=request.delivery_deadline_seconds)
        self._deliver_by = workflow.now() + deadline
        self._delivery = DeliveryState.PENDING
        self._outcome = outcome
        # Decided below by the flags, not by how the wait ended: a confirmation accepted in the
        # task where the timer fires still counts (its validator checked the deadline).
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(lambda: self._confirmed or self._recorded_by_web, timeout=deadline,
                                          timeout_summary="配布確認の期限")
        if self._recorded_by_web and web_records:
            delivered, voided = True, False
        elif self._confirmed or self._recorded_by_web:  # the update; or a run from before, told by a newer web
            delivered = await self._record_delivery(request.request_id)
            voided = False
        elif web_records:  # the web may have recorded it and died before telling
            delivered = await self._settle(request.request_id)
            voided = not delivered
        else:
            delivered, voided = False, False
        if delivered:
            self._delivery = DeliveryState.DELIVERED
            workflow.upsert_search_attributes([STATE.value_set(ISSUED)])
            await self._activate(certificate)
        else:
            self._delivery = DeliveryState.VOIDED  # from here on a confirmation is rejected
            if not voided:
                await self._void(request.request_id)
            workflow.upsert_search_attributes([STATE.value_set(VOIDED)])
        await workflow.wait_condition(workflow.all_handlers_finished)
        return replace(outcome, delivery=self._delivery)

    # --- what the web asks and tells -----------------------------------------------------------

    @workflow.update(name=IssuanceUpdate.SIGNED)
    async def signed(self) -> IssuanceOutcome:
        """The certificate as soon as it is signed (with where its delivery stands), or the refusal.

        Takes no argument: it asks about this issuance only."""
        await workflow.wait_condition(lambda: self._outcome is not None or self._signing_failed)
        if self._outcome is None:
            raise ApplicationError("the certificate could not be signed", type="SigningFailed", non_retryable=True)
        return replace(self._outcome, delivery=self._delivery)

    @workflow.update(name=IssuanceUpdate.CONFIRM_DELIVERY)
    async def confirm_delivery(self, confirmation: DeliveryConfirmation) -> None:
        """The web built the .p12. Answers once the certificate is ACTIVE; fails if it was voided."""
        self._confirmed = True
        await workflow.wait_condition(lambda: self._delivery is not DeliveryState.PENDING)
        if self._delivery is not DeliveryState.DELIVERED:
            raise ApplicationError("the delivery could not be recorded in time", type="DeliveryFailed",
                                   non_retryable=True)

    @workflow.signal(name=IssuanceSignal.DELIVERED)
    def delivered(self, confirmation: DeliveryConfirmation) -> None:
        """The web built the .p12 and made the certificate ACTIVE itself (``usecases.issuance``)."""
        certificate = self._outcome.certificate if self._outcome is not None else None
        if certificate is not None and certificate.serial == confirmation.serial:
            self._recorded_by_web = True

    @confirm_delivery.validator
    def _accept_confirmation(self, confirmation: DeliveryConfirmation) -> None:
        certificate = self._outcome.certificate if self._outcome is not None else None
        if certificate is None or certificate.serial != confirmation.serial:
            raise ApplicationError("no such certificate awaits delivery", type="NothingToConfirm")
        if self._delivery is DeliveryState.DELIVERED:
            return  # said twice: the same answer
        if self._delivery is not DeliveryState.PENDING or self._deliver_by is None \
                or workflow.now() >= self._deliver_by:
            raise ApplicationError("the delivery deadline has passed", type="DeliveryDeadlinePassed")

    # --- steps ---------------------------------------------------------------------------------

    async def _record_delivery(self, request_id: str) -> bool:
        record = DeliveryRecord(request_id, workflow.now())
        try:
            if self._local_steps:
                await workflow.execute_local_activity_method(
                    CertificateActivities.record_delivery, record, start_to_close_timeout=ISSUANCE_ATTEMPT_TIMEOUT,
                    schedule_to_close_timeout=RECORD_DELIVERY_DEADLINE, retry_policy=QUICK_RETRY,
                    local_retry_threshold=LOCAL_RETRY_THRESHOLD, summary="配布済みとして有効化")
            else:
                await workflow.execute_activity_method(
                    CertificateActivities.record_delivery, record, start_to_close_timeout=ISSUANCE_ATTEMPT_TIMEOUT,
                    schedule_to_close_timeout=RECORD_DELIVERY_DEADLINE, retry_policy=QUICK_RETRY,
                    summary="配布済みとして有効化")
        except ActivityError:
            workflow.logger.warning("the delivery of a signed certificate could not be recorded")
            return False
        return True

    async def _settle(self, request_id: str) -> bool:
        """At the deadline: whether the web recorded the delivery; if not, the certificate is voided."""
        delivered: bool = await workflow.execute_activity_method(
            CertificateActivities.settle_delivery, request_id, start_to_close_timeout=DATABASE_STEP_TIMEOUT,
            retry_policy=DATABASE_RETRY, summary="配布の記録を確認（なければ失効）")
        return delivered

    async def _void(self, request_id: str) -> None:
        await workflow.execute_activity_method(
            CertificateActivities.void_issuance, request_id, start_to_close_timeout=DATABASE_STEP_TIMEOUT,
            retry_policy=DATABASE_RETRY, summary="未配布の証明書を失効")

    async def _activate(self, certificate: IssuedCertificate) -> None:
        await asyncio.gather(
            self._start_lifecycle(certificate),
            *(self._tell_renewed(old_serial, certificate.serial) for old_serial in certificate.renews),
        )

    async def _start_lifecycle(self, certificate: IssuedCertificate) -> None:
        await workflow.execute_activity_method(
            CertificateActivities.start_lifecycle,
            LifecycleInput(certificate.serial, certificate.user_uuid, certificate.organization_code,
                           certificate.not_before),
            start_to_close_timeout=ISSUANCE_ATTEMPT_TIMEOUT, retry_policy=QUICK_RETRY, summary="ライフサイクルを開始")

    async def _tell_renewed(self, old_serial: str, new_serial: str) -> None:
        try:
            await workflow.get_external_workflow_handle(certificate_workflow_id(old_serial)).signal(
                LifecycleSignal.RENEWED, Renewed(new_serial))
        except FailureError:  # its lifecycle is gone; at its milestones it would see the renewal anyway
            workflow.logger.info("lifecycle of a renewed certificate not found")
