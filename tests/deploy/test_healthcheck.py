"""``rokin.healthcheck``, the containers' health checks, against a real HTTP server and a real
Temporal dev server with the product's worker."""

from __future__ import annotations

import asyncio
import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from rokin.healthcheck import http_answers, worker_polls
from tests.fixtures.mail import free_port
from tests.fixtures.temporal import product_worker


class _Status(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_response(int(self.path.strip("/")))
        self.end_headers()

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@pytest.fixture
def status_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_http_check_accepts_any_answer_below_500(status_server):
    assert http_answers(f"{status_server}/200") and http_answers(f"{status_server}/404")
    assert not http_answers(f"{status_server}/503")
    assert not http_answers(f"http://127.0.0.1:{free_port()}/")  # nothing listens


def test_the_command_exits_0_when_healthy_and_1_when_not(status_server):
    def run(*argv: str) -> int:
        return subprocess.run([sys.executable, "-m", "rokin.healthcheck", *argv], capture_output=True).returncode

    assert run("http", f"{status_server}/200") == 0
    assert run("http", f"{status_server}/500") == 1
    assert run("nonsense") == 2


async def test_worker_check_sees_this_hosts_worker_on_its_task_queue_only(dev_server_env, worker_settings):
    client = dev_server_env.client
    settings = replace(worker_settings, temporal_address=client.service_client.config.target_host)
    assert not await worker_polls(settings)  # nobody polls this fresh queue
    async with product_worker(client, settings):
        for _ in range(50):  # the first polls reach the server within moments
            if await worker_polls(settings):
                break
            await asyncio.sleep(0.1)
        assert await worker_polls(settings)
        assert not await worker_polls(settings, host="another-container")
        assert not await worker_polls(replace(settings, task_queue=f"{settings.task_queue}-other"))
