"""NoticeWorkflow end to end: real Temporal server, the product's worker, SQLite, an SMTP sink."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import replace

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from contract.names import notice_workflow_id
from domain.names import SearchAttribute
from domain.notices import NoticeKind, NoticeRequest, NoticeResult
from tests.fixtures.temporal import history_json, product_worker
from tests.fixtures.users import pending_general_user, registered_master

SUBJECT = "【ろうきん賃金控除事務支援システム】初期登録完了のお知らせ"


async def start_notice(client: Client, task_queue: str, user_uuid: str) -> WorkflowHandle:
    """Start the workflow by name, as ``contract.notice_client.start_notice`` does."""
    request = NoticeRequest(NoticeKind.REGISTRATION_COMPLETE, user_uuid)
    return await client.start_workflow(
        "NoticeWorkflow", request, id=notice_workflow_id(request.kind.value, user_uuid, str(uuid.uuid4())),
        task_queue=task_queue, result_type=NoticeResult,
    )


async def test_registration_notice_reaches_the_user(time_skipping_env, worker_settings, smtp_sink):
    user = registered_master(worker_settings.database_url)
    client = time_skipping_env.client
    async with product_worker(client, worker_settings):
        handle = await start_notice(client, worker_settings.task_queue, user.uuid)
        result = await handle.result()

    assert result.sent and result.message_id
    [message] = smtp_sink.messages()
    assert message.recipients == [user.email]
    assert message.subject == SUBJECT
    assert f"ユーザーID：{user.user_id}" in message.body
    assert "電子証明書発行" in message.body and "\r" not in message.body
    for password in user.passwords:
        assert password not in message.body

    history = await history_json(client, handle.id)
    assert user.uuid in history  # the input is decoded, so the checks below can fail
    assert result.message_id in history
    for secret in (user.email, user.user_id, *user.passwords):
        assert secret not in history


async def test_user_without_email_gets_no_notice(time_skipping_env, worker_settings, smtp_sink):
    master = registered_master(worker_settings.database_url)
    general = pending_general_user(worker_settings.database_url, master)
    client = time_skipping_env.client
    async with product_worker(client, worker_settings):
        result = await (await start_notice(client, worker_settings.task_queue, general.uuid)).result()
        unknown = await (await start_notice(client, worker_settings.task_queue, str(uuid.uuid4()))).result()

    assert result == NoticeResult(sent=False)
    assert unknown == NoticeResult(sent=False)
    assert smtp_sink.messages() == []


async def first_attempt_failed(handle: WorkflowHandle, timeout: float = 20.0) -> str:
    """Wait until the send activity has failed once; returns the failure message it recorded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        description = await handle.describe()
        pending = description.raw_description.pending_activities
        if pending and pending[0].attempt >= 2:
            return pending[0].last_failure.message
        await asyncio.sleep(0.1)
    raise AssertionError("the send activity never failed")


async def test_mail_server_down_then_up_delivers_exactly_once(
    time_skipping_env, settings, task_queue, stopped_smtp_sink
):
    worker_settings = replace(settings, task_queue=task_queue, smtp_host=stopped_smtp_sink.host,
                              smtp_port=stopped_smtp_sink.port)
    user = registered_master(settings.database_url)
    client = time_skipping_env.client
    async with product_worker(client, worker_settings):
        handle = await start_notice(client, task_queue, user.uuid)
        failure = await first_attempt_failed(handle)
        assert failure.startswith("SMTP delivery failed: ConnectionRefusedError")
        stopped_smtp_sink.start()
        result = await handle.result()  # the test server skips the retry backoff

    assert result.sent
    [message] = stopped_smtp_sink.messages()
    assert message.recipients == [user.email]
    history = await history_json(client, handle.id)
    assert user.email not in history


async def test_the_gateway_starts_a_notice_through_a_bridge_and_the_mail_arrives(
        time_skipping_env, worker_settings, smtp_sink):
    """What the use-cases call (``TemporalGateway.send_notice``) over a ``TemporalBridge``, as the web does."""
    from usecases.bridge import TemporalBridge
    from usecases.gateway import TemporalGateway

    address = time_skipping_env.client.service_client.config.target_host
    gateway = TemporalGateway(TemporalBridge.for_settings(replace(worker_settings, temporal_address=address,
                                                                  temporal_namespace="default")))
    user = registered_master(worker_settings.database_url)
    async with product_worker(time_skipping_env.client, worker_settings):
        notice = NoticeRequest(NoticeKind.REGISTRATION_COMPLETE, user.uuid)
        await asyncio.to_thread(gateway.send_notice, notice)
        [message] = await smtp_sink.async_wait_for(1)
    assert message.subject == SUBJECT


async def test_operators_find_notices_by_user_uuid(dev_server_env: WorkflowEnvironment, worker_settings, smtp_sink):
    user = registered_master(worker_settings.database_url)
    client = dev_server_env.client
    async with product_worker(client, worker_settings):
        handle = await start_notice(client, worker_settings.task_queue, user.uuid)
        await handle.result()

    query = f'{SearchAttribute.USER_UUID.value} = "{user.uuid}"'
    deadline = time.monotonic() + 10
    while not (found := [execution.id async for execution in client.list_workflows(query)]):
        assert time.monotonic() < deadline, "visibility never listed the notice"
        await asyncio.sleep(0.2)
    assert found == [handle.id]
