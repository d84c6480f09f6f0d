"""Every Temporal Schedule of the product, created idempotently when the worker starts.

- the daily CRL regeneration (``contract.crl_client.ensure_schedule``: runs at once, then daily);
- the daily reconciliation (``workflows.reconciliation``) at 03:00 JST, when nobody logs in.

An existing schedule is left as it is, so restarting or scaling out workers changes nothing.
"""

from __future__ import annotations

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)

from domain.reconciliation import ReconciliationInput, reconciliation_summary

from . import crl_client
from .names import WorkflowType, crl_schedule_id, reconciliation_schedule_id, reconciliation_workflow_id

RECONCILIATION_CRON = "0 3 * * *"
TIME_ZONE = "Asia/Tokyo"


async def ensure_schedules(client: Client, task_queue: str) -> list[str]:
    """Create whatever schedule is missing; returns the IDs of those created now."""
    created = []
    if await crl_client.ensure_schedule(client, task_queue):
        created.append(crl_schedule_id(task_queue))
    if await ensure_reconciliation_schedule(client, task_queue):
        created.append(reconciliation_schedule_id(task_queue))
    return created


async def ensure_reconciliation_schedule(client: Client, task_queue: str) -> bool:
    """Create the daily reconciliation schedule for ``task_queue``; False if it existed already."""
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            WorkflowType.RECONCILIATION, ReconciliationInput("schedule"), id=reconciliation_workflow_id(task_queue),
            task_queue=task_queue, static_summary=reconciliation_summary()),
        spec=ScheduleSpec(cron_expressions=[RECONCILIATION_CRON], time_zone_name=TIME_ZONE),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    try:
        await client.create_schedule(reconciliation_schedule_id(task_queue), schedule)
    except ScheduleAlreadyRunningError:
        return False
    return True
