"""Regenerate the CRL (SPEC.md §2 "Revocation": at least daily), ID ``crl/<task queue>/...``.

Revocations and supersessions regenerate the CRL at once (the lifecycle's ``publish_crl``);
this workflow does it on a schedule, so the CRL's nextUpdate never passes even when nothing is
revoked, and on demand when the web finds no CRL file to serve yet. ``workflows.crl_client``
creates the schedule and starts on-demand runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from domain.certificates import CrlPublished

with workflow.unsafe.imports_passed_through():
    from activities.certificates import CertificateActivities

PUBLISH_TIMEOUT = timedelta(seconds=30)
PUBLISH_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))


@dataclass(frozen=True)
class CrlRefresh:
    reason: str = "schedule"  # "schedule" or "on-demand": shown in the history only


@workflow.defn(name="CrlRefreshWorkflow")
class CrlRefreshWorkflow:
    @workflow.run
    async def run(self, request: CrlRefresh) -> CrlPublished:
        return await workflow.execute_activity_method(
            CertificateActivities.publish_crl, start_to_close_timeout=PUBLISH_TIMEOUT, retry_policy=PUBLISH_RETRY,
            summary="CRLを再生成")
