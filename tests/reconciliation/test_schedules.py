"""The worker's schedules (``contract.schedules``): created once, the reconciliation daily at 03:00 JST."""

from __future__ import annotations

import asyncio

from temporalio.client import ScheduleActionStartWorkflow

from contract import schedules
from contract.names import WorkflowType, crl_schedule_id, reconciliation_schedule_id
from domain.reconciliation import ReconciliationReport
from tests.fixtures.temporal import product_worker


async def test_schedules_are_created_once_and_the_reconciliation_runs_from_its_schedule(
        dev_server_env, reconciliation_settings):
    client, queue = dev_server_env.client, reconciliation_settings.task_queue
    async with product_worker(client, reconciliation_settings):
        try:
            assert await schedules.ensure_schedules(client, queue) == [crl_schedule_id(queue),
                                                                      reconciliation_schedule_id(queue)]
            assert await schedules.ensure_schedules(client, queue) == []  # a restart, a second worker
            handle = client.get_schedule_handle(reconciliation_schedule_id(queue))
            schedule = (await handle.describe()).schedule
            assert schedule.spec.time_zone_name == "Asia/Tokyo"
            [daily] = schedule.spec.calendars  # the server's form of the cron expression
            assert (daily.hour[0].start, daily.minute[0].start, daily.day_of_week[0].end) == (3, 0, 6)
            action = schedule.action
            assert isinstance(action, ScheduleActionStartWorkflow)
            assert (action.workflow, action.task_queue) == (WorkflowType.RECONCILIATION, queue)

            await handle.trigger()
            for _ in range(100):
                if (actions := (await handle.describe()).info.recent_actions):
                    break
                await asyncio.sleep(0.05)
            started = actions[0].action.workflow_id
            report = await client.get_workflow_handle(started, result_type=ReconciliationReport).result()
            assert report.checked == {"certificates": 0, "users": 0, "staff": 0} and report.fixes == []
        finally:
            for schedule_id in (crl_schedule_id(queue), reconciliation_schedule_id(queue)):
                await client.get_schedule_handle(schedule_id).delete()
