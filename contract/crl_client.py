"""The CRL's schedule and on-demand regeneration (``workflows.crl_refresh``).

- ``ensure_schedule``: at worker start, create the daily schedule once per task queue (an
  existing one is left alone) and run it at once, so a fresh installation has a CRL.
- ``refresh``: regenerate now and wait (the web, when it has no CRL file to serve yet);
  simultaneous callers share one run.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    WorkflowFailureError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from domain.certificates import CrlPublished
from domain.crl import CrlRefresh

from .names import WorkflowType, crl_schedule_id, crl_workflow_id

EVERY = timedelta(days=1)  # pki.crl.NEXT_UPDATE_AFTER (2 days) leaves a day for a failed run
SUMMARY = "CRL（失効リスト）の定期再生成"


async def ensure_schedule(client: Client, task_queue: str) -> bool:
    """Create the daily CRL schedule for ``task_queue``; False if it existed already."""
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            WorkflowType.CRL_REFRESH, CrlRefresh("schedule"), id=crl_workflow_id(task_queue), task_queue=task_queue,
            static_summary=SUMMARY),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=EVERY)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    try:
        await client.create_schedule(crl_schedule_id(task_queue), schedule, trigger_immediately=True)
    except ScheduleAlreadyRunningError:
        return False
    return True


class CrlRefreshFailed(Exception):
    """No CRL within the wait: no worker polls, or the CA is not usable yet."""


async def refresh(client: Client, task_queue: str, *, wait: timedelta = timedelta(seconds=10)) -> CrlPublished:
    """Regenerate the CRL now and return what was published; raises ``CrlRefreshFailed``."""
    handle = await client.start_workflow(
        WorkflowType.CRL_REFRESH, CrlRefresh("on-demand"), result_type=CrlPublished,
        id=f"{crl_workflow_id(task_queue)}/on-demand", task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE, execution_timeout=wait,
        static_summary="CRL（失効リスト）の再生成（CRLファイルがないため）")
    try:
        published: CrlPublished = await handle.result()
        return published
    except WorkflowFailureError as error:  # timed out (its execution timeout) or failed
        raise CrlRefreshFailed("the CRL could not be regenerated in time") from error
