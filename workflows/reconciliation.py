"""The daily reconciliation (``domain.reconciliation``), ID ``reconciliation/<task queue>/...``.

Walks the certificates, then the users, then the staff accounts, one page per activity call
(the activity checks and repairs), adds up a report, regenerates the CRL if a repair ended a
certificate in the database, and logs one line of counts. A long walk continues as new with
its position and the report so far.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from contract.names import WorkflowType
from domain.reconciliation import (
    PageRequest,
    ReconciliationInput,
    ReconciliationReport,
    Repair,
    Scan,
)

with workflow.unsafe.imports_passed_through():
    from activities.certificates import CertificateActivities
    from activities.reconciliation import ReconciliationActivities

PAGE_TIMEOUT = timedelta(minutes=5)
PAGE_HEARTBEAT = timedelta(minutes=1)
RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5),
                    maximum_attempts=10)  # tomorrow's run tries again
SCANS = list(Scan)


@workflow.defn(name=WorkflowType.RECONCILIATION)
class ReconciliationWorkflow:
    @workflow.run
    async def run(self, input: ReconciliationInput) -> ReconciliationReport:
        report, after = input.report, input.after
        for scan in SCANS[SCANS.index(input.scan):]:
            workflow.set_current_details(f"照合中：{scan.value}")
            while True:
                page = await workflow.execute_activity_method(
                    ReconciliationActivities.reconcile_page, PageRequest(scan, after, workflow.now(), input.page_size),
                    start_to_close_timeout=PAGE_TIMEOUT, heartbeat_timeout=PAGE_HEARTBEAT, retry_policy=RETRY,
                    summary=f"{scan.value}: 照合と修復")
                report = report.add(scan, page)
                if page.next_after is None:
                    break
                after = page.next_after
                if workflow.info().is_continue_as_new_suggested():
                    workflow.continue_as_new(ReconciliationInput(input.reason, scan, after, report, input.page_size))
            after = ""
        if report.count(Repair.RECORD_ENDING) or report.count(Repair.VOID_UNDELIVERED):  # more ended ones to list
            await workflow.execute_activity_method(
                CertificateActivities.publish_crl, start_to_close_timeout=PAGE_TIMEOUT, retry_policy=RETRY,
                summary="CRLを更新")
        workflow.logger.info(report.summary())
        workflow.set_current_details(report.summary())
        return report
