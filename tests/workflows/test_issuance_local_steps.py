"""Issue 14: the issuance signs as a local activity, inside the workflow task the web's update-with-start
brings (``workflows.issuance.LOCAL_STEPS_PATCH``), and answers in that task; the web then records the
delivery itself and signals ``delivered`` (``WEB_RECORDS_DELIVERY_PATCH``), so the lifecycle's start is the
only regular activity. The ``confirm_delivery`` update (the simulator's, and webs' from before) records it
as a local activity in the task that accepts it. Read from the real histories on the dev server with the
product's worker."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from contract import certificate_client
from pki.devca import ensure_dev_pki
from tests.fixtures.temporal import product_worker
from tests.fixtures.users import registered_master
from workflows.issuance import LOCAL_STEPS_PATCH, WEB_RECORDS_DELIVERY_PATCH

from .certificate_support import issue_like_the_web, sign_like_the_web

LOCAL_ACTIVITY_MARKER = "core_local_activity"
PATCH_MARKER = "core_patch"


async def history_events(client: Client, workflow_id: str) -> list:
    return list((await client.get_workflow_handle(workflow_id).fetch_history()).events)


def tasks_completed_before(events: list, index: int) -> int:
    return sum(1 for event in events[:index] if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)


def kinds(events: list, event_type: int) -> list[int]:
    return [index for index, event in enumerate(events) if event.event_type == event_type]


def scheduled_activities(events: list) -> list[str]:
    return [event.activity_task_scheduled_event_attributes.activity_type.name for event in events
            if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]


def local_activities(events: list) -> int:
    return sum(1 for event in events if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
               and event.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER)


def patched(events: list, patch_id: str) -> bool:
    return any(patch_id.encode() in payload.data for event in events
               if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
               and event.marker_recorded_event_attributes.marker_name == PATCH_MARKER
               for details in event.marker_recorded_event_attributes.details.values() for payload in details.payloads)


async def test_signing_runs_inside_the_start_and_the_web_records_the_delivery(dev_server_env, worker_settings):
    ensure_dev_pki(worker_settings.pki_dir)
    user = registered_master(worker_settings.database_url)
    client = dev_server_env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, user)
        events = await history_events(client, delivered.issuance_id)

    assert scheduled_activities(events) == ["start_lifecycle"]  # no sign_certificate, record_ or settle_delivery
    assert local_activities(events) == 1  # the signing
    assert patched(events, LOCAL_STEPS_PATCH) and patched(events, WEB_RECORDS_DELIVERY_PATCH)
    [signed] = kinds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
    assert tasks_completed_before(events, signed) == 1  # the start's own first task signed and answered
    [told] = kinds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
    [lifecycle_scheduled] = kinds(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    assert told < lifecycle_scheduled  # the lifecycle starts on the web's word, not at the deadline
    assert not kinds(events, EventType.EVENT_TYPE_TIMER_FIRED)


async def test_a_confirmation_update_records_inside_the_task_that_accepts_it(dev_server_env, worker_settings):
    ensure_dev_pki(worker_settings.pki_dir)
    user = registered_master(worker_settings.database_url)
    client = dev_server_env.client
    async with product_worker(client, worker_settings):
        signed_only = await sign_like_the_web(client, worker_settings, user)
        await certificate_client.confirm_delivery(client, request_id=signed_only.request_id,
                                                  serial=signed_only.certificate.serial)
        await client.get_workflow_handle(signed_only.issuance_id).result()
        events = await history_events(client, signed_only.issuance_id)

    assert scheduled_activities(events) == ["start_lifecycle"]  # neither sign_certificate nor record_delivery
    assert local_activities(events) == 2
    assert patched(events, LOCAL_STEPS_PATCH)

    completed = kinds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
    accepted = kinds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    signed, confirmed = completed[0], completed[1]
    assert tasks_completed_before(events, signed) == 1  # the start's own first task signed and answered
    # The confirmation: accepted and answered by the same task, which only schedules the lifecycle's
    # start (its answer does not wait for it: the activity starts after the task completed).
    assert tasks_completed_before(events, confirmed) == tasks_completed_before(events, accepted[1])
    lifecycle_started = next(index for index, event in enumerate(events)
                             if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
    assert tasks_completed_before(events, lifecycle_started) == tasks_completed_before(events, confirmed)
