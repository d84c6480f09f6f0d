"""One certificate issuance (seed 001 ⑤ 発行 → ⑥ 発行中 → ⑦ 発行結果), ID ``issuance/<request ID>``.

The web made the key pair and the CSR in memory and waits for this workflow's result: the
certificate PEM, from which it builds the .p12 with the user's password. Only public data
passes through here — the CSR, the certificate, UUIDs and serials.

1. ``sign_certificate`` checks eligibility again with the organization locked and signs,
   idempotently per request ID; a refusal is a normal result, not a failure.
2. Then, together: the certificate's lifecycle workflow starts (a child that outlives this
   one), the lifecycles of the certificates it renews hear ``renewed``, and the user is told
   by e-mail.

If signing fails for good (the CA is unusable past the deadline, say), ``void_issuance``
revokes whatever a lost attempt may have recorded, so no certificate exists that nobody
received, and the workflow fails: the web shows its "try again later" page.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey, SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ActivityError, ApplicationError, FailureError, WorkflowAlreadyStartedError

from domain.certificates import (
    IssuanceOutcome,
    IssuanceRequest,
    IssuedCertificate,
    LifecycleInput,
    LifecycleState,
    Renewed,
    SigningRequest,
)
from domain.names import SearchAttribute, certificate_workflow_id, notice_workflow_id
from domain.notices import NoticeKind, NoticeRequest

with workflow.unsafe.imports_passed_through():
    from activities.certificates import CertificateActivities

    from .certificate_lifecycle import CertificateLifecycleWorkflow, lifecycle_summary
    from .notice import NoticeWorkflow

USER_UUID = SearchAttributeKey.for_keyword(SearchAttribute.USER_UUID.value)
ORGANIZATION_CODE = SearchAttributeKey.for_keyword(SearchAttribute.ORGANIZATION_CODE.value)
CERTIFICATE_SERIAL = SearchAttributeKey.for_keyword(SearchAttribute.CERTIFICATE_SERIAL.value)
STATE = SearchAttributeKey.for_keyword(SearchAttribute.STATE.value)

# The user is watching ⑥ 発行中: a few quick retries, then give up well before the web does
# (``workflows.certificate_client.ISSUANCE_WAIT``), so a late success cannot go unreceived.
SIGN_ATTEMPT_TIMEOUT = timedelta(seconds=10)
SIGN_DEADLINE = timedelta(seconds=30)
SIGN_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=2))
DB_TIMEOUT = timedelta(seconds=30)
DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))

ISSUED = "issued"
REFUSED = "refused"


@workflow.defn(name="IssuanceWorkflow")
class IssuanceWorkflow:
    @workflow.run
    async def run(self, request: IssuanceRequest) -> IssuanceOutcome:
        signing = SigningRequest(request.request_id, request.user_uuid, request.csr_pem, workflow.now())
        try:
            outcome = await workflow.execute_activity_method(
                CertificateActivities.sign_certificate, signing, start_to_close_timeout=SIGN_ATTEMPT_TIMEOUT,
                schedule_to_close_timeout=SIGN_DEADLINE, retry_policy=SIGN_RETRY, summary="資格を確認して署名")
        except ActivityError:
            await workflow.execute_activity_method(
                CertificateActivities.void_issuance, request.request_id, start_to_close_timeout=DB_TIMEOUT,
                retry_policy=DB_RETRY, summary="未配布の証明書を失効")
            raise ApplicationError("the certificate could not be signed", type="SigningFailed",
                                   non_retryable=True) from None
        certificate = outcome.certificate
        if certificate is None:
            workflow.upsert_search_attributes([STATE.value_set(REFUSED)])
            return outcome
        workflow.upsert_search_attributes([STATE.value_set(ISSUED),
                                           CERTIFICATE_SERIAL.value_set(certificate.serial),
                                           ORGANIZATION_CODE.value_set(certificate.organization_code)])
        await asyncio.gather(
            self._start_lifecycle(certificate),
            *(self._tell_renewed(old_serial, certificate.serial) for old_serial in certificate.renews),
            self._notify(certificate),
        )
        return outcome

    async def _start_lifecycle(self, certificate: IssuedCertificate) -> None:
        try:
            await workflow.start_child_workflow(
                CertificateLifecycleWorkflow.run,
                LifecycleInput(certificate.serial, certificate.user_uuid, certificate.organization_code,
                               certificate.not_before),
                id=certificate_workflow_id(certificate.serial),
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                static_summary=lifecycle_summary(certificate.serial),
                search_attributes=TypedSearchAttributes([
                    SearchAttributePair(USER_UUID, certificate.user_uuid),
                    SearchAttributePair(ORGANIZATION_CODE, certificate.organization_code),
                    SearchAttributePair(CERTIFICATE_SERIAL, certificate.serial),
                    SearchAttributePair(STATE, LifecycleState.ACTIVE.value),
                ]),
            )
        except WorkflowAlreadyStartedError:
            pass  # an earlier run of this issuance started it

    async def _tell_renewed(self, old_serial: str, new_serial: str) -> None:
        try:
            await workflow.get_external_workflow_handle(certificate_workflow_id(old_serial)).signal(
                CertificateLifecycleWorkflow.renewed, Renewed(new_serial))
        except FailureError:  # its lifecycle is gone; at its milestones it would see the renewal anyway
            workflow.logger.info("lifecycle of a renewed certificate not found")

    async def _notify(self, certificate: IssuedCertificate) -> None:
        request = NoticeRequest(NoticeKind.CERTIFICATE_ISSUED, certificate.user_uuid, until=certificate.not_after)
        await workflow.start_child_workflow(
            NoticeWorkflow.run, request,
            id=notice_workflow_id(NoticeKind.CERTIFICATE_ISSUED.value, certificate.user_uuid, str(workflow.uuid4())),
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            static_summary="電子証明書発行のお知らせ",
        )
