"""Regenerate the CRL (SPEC.md §2 "Revocation": at least daily), ID ``crl/<task queue>/...``.

Revocations and supersessions regenerate the CRL at once (the lifecycle's ``publish_crl``);
this workflow does it on a schedule, so the CRL's nextUpdate never passes even when nothing is
revoked, and on demand when the web finds no CRL file to serve yet. ``contract.crl_client``
creates the schedule and starts on-demand runs.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

from contract.names import WorkflowType
from contract.policies import DATABASE_RETRY
from domain.certificates import CrlPublished
from domain.crl import CrlRefresh

with workflow.unsafe.imports_passed_through():
    from activities.certificates import CertificateActivities

PUBLISH_TIMEOUT = timedelta(seconds=30)


@workflow.defn(name=WorkflowType.CRL_REFRESH)
class CrlRefreshWorkflow:
    @workflow.run
    async def run(self, request: CrlRefresh) -> CrlPublished:
        return await workflow.execute_activity_method(
            CertificateActivities.publish_crl, start_to_close_timeout=PUBLISH_TIMEOUT, retry_policy=DATABASE_RETRY,
            summary="CRLを再生成")
