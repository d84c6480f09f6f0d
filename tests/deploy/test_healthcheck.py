"""``rokin.healthcheck``, the containers' health checks, against a real HTTP server. What the worker's
check reads, its own /healthz, is tested in tests/rokin/test_worker_health.py."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from rokin.healthcheck import http_answers
from tests.fixtures.mail import free_port


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
    assert run("worker") == 2  # gone: the worker answers its own /healthz (ROKIN_WORKER_HEALTH)
