"""The daily CRL schedule the worker creates at start (``contract.crl_client.ensure_schedule``)."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta

from contract import crl_client
from contract.names import crl_schedule_id
from tests.fixtures.temporal import product_worker
from tests.pki.conftest import openssl


async def test_the_schedule_is_created_once_runs_at_once_and_daily(dev_server_env, worker_settings,
                                                                   session_dev_pki):
    shutil.copytree(session_dev_pki.directory, worker_settings.pki_dir)
    crl = worker_settings.pki_dir / "crl.der"
    client = dev_server_env.client
    async with product_worker(client, worker_settings):
        assert await crl_client.ensure_schedule(client, worker_settings.task_queue)
        assert not await crl_client.ensure_schedule(client, worker_settings.task_queue)  # a restart
        handle = client.get_schedule_handle(crl_schedule_id(worker_settings.task_queue))
        try:
            for _ in range(200):
                if crl.exists():
                    break
                await asyncio.sleep(0.05)
            parsed = openssl("crl", "-inform", "DER", "-in", str(crl), "-noout", "-CAfile",
                             str(worker_settings.pki_dir / "ca.pem"), "-verify")
            assert parsed.returncode == 0, parsed.stderr
            description = await handle.describe()
            assert [spec.every for spec in description.schedule.spec.intervals] == [timedelta(days=1)]
            assert description.schedule.action.task_queue == worker_settings.task_queue
        finally:
            await handle.delete()
