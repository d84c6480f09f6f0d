"""The worker's /healthz and Temporal SDK metrics: the real worker (in-process and as ``python -m
worker``) on the session's Temporal dev server."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable

from temporalio.client import Client

from contract.names import crl_schedule_id, reconciliation_schedule_id
from rokin.worker_health import WorkerHealth, health_server
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import product_worker, worker_process_environment

from .conftest import REPO

WAIT_SECONDS = 30.0


def http_get(url: str) -> tuple[int, str]:
    """Status and body; (0, "") when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


async def eventually(check: Callable[[], object], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while not await asyncio.to_thread(check):
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.2)


async def test_healthz_is_503_until_the_worker_polls_while_temporal_answers_and_after_it_stops(
        dev_server_env, worker_settings):
    client = dev_server_env.client
    address = f"127.0.0.1:{free_port()}"
    url = f"http://{address}/healthz"
    health = WorkerHealth(worker_settings.task_queue)
    async with health_server(address, health):
        assert await asyncio.to_thread(http_get, url) == (503, '{"status": "unavailable"}')  # starting
        health.client = client
        async with product_worker(client, worker_settings) as worker:
            health.worker = worker
            await eventually(lambda: http_get(url)[0] == 200, "healthy once Temporal lists it among the pollers")
            assert await asyncio.to_thread(http_get, url) == (200, '{"status": "ok"}')
            # The same worker, judged through a Temporal that does not answer.
            health.client = await Client.connect(f"127.0.0.1:{free_port()}", lazy=True)
            assert (await asyncio.to_thread(http_get, url))[0] == 503
            health.client = client
            assert (await asyncio.to_thread(http_get, url))[0] == 200
            other_queue = WorkerHealth(f"{worker_settings.task_queue}-other")  # nobody polls that one
            other_queue.client, other_queue.worker = client, worker
            assert not await other_queue.healthy()
        assert (await asyncio.to_thread(http_get, url))[0] == 503  # stopped
        assert (await asyncio.to_thread(http_get, f"http://{address}/metrics"))[0] == 404
    assert await asyncio.to_thread(http_get, url) == (0, "")  # the server is gone with the block


async def test_the_worker_process_serves_temporal_metrics_and_its_health(dev_server_env, worker_settings, dev_pki):
    client = dev_server_env.client
    metrics, health = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    environment = {**worker_process_environment(client, worker_settings), "ROKIN_WORKER_METRICS": metrics,
                   "ROKIN_WORKER_HEALTH": health, "ROKIN_LOG_FORMAT": "json"}
    process = subprocess.Popen([sys.executable, "-m", "worker"], env=environment, cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        await eventually(lambda: http_get(f"http://{health}/healthz")[0] == 200, "the worker process healthy")
        status, page = await asyncio.to_thread(http_get, f"http://{metrics}/metrics")
        assert status == 200
        slots = [line for line in page.splitlines() if line.startswith("temporal_worker_task_slots_available{")]
        assert slots and all(f'task_queue="{worker_settings.task_queue}"' in line for line in slots)
        assert any(line.startswith("temporal_num_pollers{") for line in page.splitlines())
        process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(process.wait, 30) == 0
        assert await asyncio.to_thread(http_get, f"http://{health}/healthz") == (0, "")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        queue = worker_settings.task_queue
        for schedule in (crl_schedule_id(queue), reconciliation_schedule_id(queue)):
            await client.get_schedule_handle(schedule).delete()


def test_a_taken_or_malformed_address_is_one_line_and_exit_2(settings):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for variable, value, says in [
            ("ROKIN_WORKER_HEALTH", f"127.0.0.1:{port}", "cannot listen (Address already in use)"),
            ("ROKIN_WORKER_METRICS", f"127.0.0.1:{port}", "Address already in use"),
            ("ROKIN_WORKER_METRICS", "9464", "must be host:port"),
        ]:
            environment = {"PATH": "/usr/bin:/bin", "ROKIN_DATA_DIR": str(settings.data_dir),
                           "DATABASE_URL": settings.database_url, "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
                           variable: value}
            result = subprocess.run([sys.executable, "-m", "worker"], env=environment, cwd=REPO, capture_output=True,
                                    text=True, timeout=60, check=False)
            assert result.returncode == 2, result.stderr
            assert result.stderr.startswith(f"rokin worker: {variable}") and result.stderr.count("\n") == 1
            assert says in result.stderr
