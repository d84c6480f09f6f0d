"""``rokin admin sample-data`` refuses in one line when the development stack is not there.
(What it makes, and the README queries that find it: ``test_visibility.py``.)"""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.mail import free_port

from .conftest import rokin_env, run_rokin


def only_line(stderr: str) -> str:
    [line] = [line for line in stderr.splitlines() if line.startswith("rokin")]
    assert "Traceback" not in stderr
    return line


def test_without_temporal_it_says_where_it_looked(tmp_path: Path):
    address = f"127.0.0.1:{free_port()}"
    result = run_rokin("admin", "sample-data", env=rokin_env(tmp_path / "var", TEMPORAL_ADDRESS=address))
    assert result.returncode == 1 and result.stdout == ""
    assert only_line(result.stderr) == (f"rokin admin sample-data: no Temporal server answers at {address} "
                                        "(start `rokin dev`, and set TEMPORAL_ADDRESS when it uses another port)")


def test_without_a_worker_it_says_to_start_the_stack(dev_server_env, task_queue, tmp_path: Path):
    address = dev_server_env.client.service_client.config.target_host
    result = run_rokin("admin", "sample-data", env=rokin_env(tmp_path / "var", TEMPORAL_ADDRESS=address,
                                                             ROKIN_TASK_QUEUE=task_queue))
    assert result.returncode == 1 and result.stdout == ""
    assert only_line(result.stderr) == (f"rokin admin sample-data: no worker polls task queue {task_queue!r} at "
                                        f"{address}: start `rokin dev` first")
