"""``python -m worker`` as deployed: configured from the environment, serves, stops on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import signal
import sys

import pytest

from tests.fixtures.temporal import worker_process_environment
from tests.fixtures.users import registered_master

from .test_notice import SUBJECT, start_notice


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_worker_process_sends_notices_and_stops_cleanly(dev_server_env, worker_settings, smtp_sink,
                                                              stop_signal):
    user = registered_master(worker_settings.database_url)
    client = dev_server_env.client
    environment = worker_process_environment(client, worker_settings)
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
