"""``python -m worker`` as deployed: configured from the environment, serves, stops on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from tests.fixtures.users import registered_master

from .test_notice import SUBJECT, start_notice


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_worker_process_sends_notices_and_stops_cleanly(dev_server_env, worker_settings, smtp_sink,
                                                              stop_signal):
    user = registered_master(worker_settings.database_url)
    client = dev_server_env.client
    environment = {
        **os.environ,
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": client.namespace,
        "ROKIN_TASK_QUEUE": worker_settings.task_queue,
        "ROKIN_DATA_DIR": str(worker_settings.data_dir),
        "DATABASE_URL": worker_settings.database_url,
        "SMTP_HOST": smtp_sink.host,
        "SMTP_PORT": str(smtp_sink.port),
    }
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "worker", env=environment)
    try:
        handle = await start_notice(client, worker_settings.task_queue, user.uuid)
        assert (await asyncio.wait_for(handle.result(), timeout=30)).sent
        process.send_signal(stop_signal)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    [message] = smtp_sink.messages()
    assert message.subject == SUBJECT
