"""One certificate issuance (seed 001 ⑤ 発行 → ⑥ 発行中 → ⑦ 発行結果), ID ``issuance/<request ID>``.

The web made the key pair and the CSR in memory and waits for this workflow's result: the
certificate PEM, from which it builds the .p12 with the user's password. Only public data
passes through here — the CSR, the certificate, UUIDs and serials.

1. ``sign_certificate`` checks eligibility again with the organization locked and signs,
   idempotently per request ID; a refusal is a normal result, not a failure.
2. Then, together: the certificate's lifecycle workflow starts (it sends the 発行 e-mail), and
   the lifecycles of the certificates it renews hear ``renewed``.

If signing fails for good (the CA is unusable past the deadline, say), ``void_issuance``
revokes whatever a lost attempt may have recorded, so no certificate exists that nobody
received, and the workflow fails: the web shows its "try again later" page.

No child workflows: the lifecycle is started by an activity and so has no parent.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

from domain.certificates import (
    IssuanceOutcome,
    IssuanceRequest,
    IssuedCertificate,
    LifecycleInput,
    Renewed,
    SigningRequest,
)
from domain.names import SearchAttribute, certificate_workflow_id

with workflow.unsafe.imports_passed_through():
    from activities.certificates import CertificateActivities

    from .certificate_lifecycle import CertificateLifecycleWorkflow

ORGANIZATION_CODE = SearchAttributeKey.for_keyword(SearchAttribute.ORGANIZATION_CODE.value)
CERTIFICATE_SERIAL = SearchAttributeKey.for_keyword(SearchAttribute.CERTIFICATE_SERIAL.value)
STATE = SearchAttributeKey.for_keyword(SearchAttribute.STATE.value)

# The user is watching ⑥ 発行中: a few quick retries, then give up well before the web does
# (``workflows.certificate_client.ISSUANCE_WAIT``), so a late success cannot go unreceived.
# An attempt takes milliseconds; a worker that died mid-attempt is noticed after ATTEMPT_TIMEOUT.
ATTEMPT_TIMEOUT = timedelta(seconds=5)
SIGN_DEADLINE = timedelta(seconds=30)
QUICK_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=2))
STEP_TIMEOUT = timedelta(seconds=30)
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
                CertificateActivities.sign_certificate, signing, start_to_close_timeout=ATTEMPT_TIMEOUT,
                schedule_to_close_timeout=SIGN_DEADLINE, retry_policy=QUICK_RETRY, summary="資格を確認して署名")
        except ActivityError:
            await workflow.execute_activity_method(
                CertificateActivities.void_issuance, request.request_id, start_to_close_timeout=STEP_TIMEOUT,
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
        )
        return outcome

    async def _start_lifecycle(self, certificate: IssuedCertificate) -> None:
        await workflow.execute_activity_method(
            CertificateActivities.start_lifecycle,
            LifecycleInput(certificate.serial, certificate.user_uuid, certificate.organization_code,
                           certificate.not_before),
            start_to_close_timeout=ATTEMPT_TIMEOUT, retry_policy=QUICK_RETRY, summary="ライフサイクルを開始")

    async def _tell_renewed(self, old_serial: str, new_serial: str) -> None:
        try:
            await workflow.get_external_workflow_handle(certificate_workflow_id(old_serial)).signal(
                CertificateLifecycleWorkflow.renewed, Renewed(new_serial))
        except FailureError:  # its lifecycle is gone; at its milestones it would see the renewal anyway
            workflow.logger.info("lifecycle of a renewed certificate not found")
