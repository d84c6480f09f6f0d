"""gunicorn as docker-compose.yml runs it (``-c python:rokin.gunicorn_conf``), for real: every line is
JSON, the web's access lines are its own, the PKI listener's carry no address or query string, and
``/metrics`` adds up the counts of every worker process, recycled ones included."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from core.config import Settings
from tests.fixtures.mail import free_port

from .conftest import ROOT

GUNICORN = Path(sys.executable).parent / "gunicorn"
CONFIG = ["-c", "python:rokin.gunicorn_conf", "--no-control-socket"]  # not the shared ~/.gunicorn


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@contextmanager
def gunicorn(arguments: list[str], settings: Settings, log: Path, **extra_env: str) -> Iterator[str]:
    """gunicorn on a free port while inside; yields its base URL once it answers."""
    port = free_port()
    env = {**{key: value for key, value in os.environ.items() if not key.startswith(("ROKIN_", "PROMETHEUS_"))},
           "ROKIN_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url,
           "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}", "ROKIN_SECRET_KEY": "test-only",
           "ROKIN_PAYLOAD_KEYS": settings.payload_keys or "", **extra_env}
    with log.open("w") as output:
        process = subprocess.Popen([str(GUNICORN), *CONFIG, "--bind", f"127.0.0.1:{port}", *arguments], env=env,
                                   cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                get(f"{base}/crl")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def ocsp_lines(log: Path) -> list[dict]:
    """gunicorn's access lines for /ocsp written so far (complete lines only: it may be writing one)."""
    complete = [line for line in log.read_text().split("\n")[:-1] if '"gunicorn.access"' in line]
    return [entry for entry in map(json.loads, complete) if entry["path"].startswith("/ocsp")]


def json_lines(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]  # fails on any line that is not JSON


def test_the_web_under_gunicorn_counts_every_process_and_logs_json(settings, tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left over from an earlier run")  # emptied at start
    log = tmp_path / "gunicorn.log"
    # One worker that is replaced after every 3 requests: 7 logins screens are served by 3 processes,
    # none of which saw more than 3 of them.
    with gunicorn(["--workers", "1", "--max-requests", "3", "web:create_app()"], settings, log,
                  PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)) as base:
        for _ in range(7):
            assert get(f"{base}/?user_id=Secret01x")[0] == 200
        status, page = get(f"{base}/metrics")
    assert status == 200
    samples = {tuple(sorted(sample.labels.items())): sample.value
               for family in text_string_to_metric_families(page) for sample in family.samples
               if sample.name == "rokin_http_requests_total"}
    assert samples[(("endpoint", "auth.login_screen"), ("method", "GET"), ("status", "200"))] == 7

    lines = json_lines(log)
    access = [line for line in lines if line["logger"] == "rokin.access"]
    assert len([line for line in access if line["endpoint"] == "auth.login_screen"]) == 7
    assert not [line for line in lines if line["logger"] == "gunicorn.access"]
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    assert "Secret01x" not in log.read_text()


def test_the_pki_listeners_access_lines_have_no_client_address_or_query(settings, tmp_path):
    log = tmp_path / "gunicorn.log"
    with gunicorn(["--workers", "1", "--access-logfile", "-", "web.pki_http:create_pki_app()"], settings, log) as base:
        status, _ = get(f"{base}/ocsp/not-base64?serial=Secret01x")
        deadline = time.monotonic() + 10
        while not ocsp_lines(log):  # written once the answer is out
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
    [line] = ocsp_lines(log)
    assert line == {**line, "method": "GET", "path": "/ocsp/not-base64", "status": status}
    assert isinstance(line["duration_ms"], int)
    assert "Secret01x" not in log.read_text() and "127.0.0.1 " not in line["message"]


def test_the_web_without_a_payload_key_does_not_boot_and_says_what_to_set(settings, tmp_path):
    """No key ring: stopping at start beats a web whose every Temporal call (and /readyz) fails later."""
    log = tmp_path / "gunicorn.log"
    env = {**{key: value for key, value in os.environ.items() if not key.startswith("ROKIN_")},
           "ROKIN_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url,
           "ROKIN_SECRET_KEY": "test-only"}
    with log.open("w") as output:
        done = subprocess.run([str(GUNICORN), *CONFIG, "--bind", f"127.0.0.1:{free_port()}", "--workers", "1",
                               "web:create_app()"], env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                              timeout=60, check=False)
    assert done.returncode != 0
    text = log.read_text()
    assert '"exc_type": "ConfigError"' in text and "Worker failed to boot" in text
    assert "no payload encryption key: set ROKIN_PAYLOAD_KEYS or ROKIN_PAYLOAD_KEYS_FILE" in text
