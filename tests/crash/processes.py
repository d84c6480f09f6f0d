"""The product as separate processes for crash tests: ``rokin worker`` and ``rokin web`` (HTTPS, optional
client certificates) on a Temporal dev server, with a data directory (development CA, SQLite database)
of the test module's own. Each process can be SIGKILLed, and the web can be started with
ROKIN_TEST_HALT_AT=<step> so that it stops itself (SIGSTOP) at that step of 発行
(``usecases.issuance``): the test then kills it, or the worker, and may SIGCONT it.
"""

from __future__ import annotations

import asyncio
import ctypes
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from tests.web.certificates.tls_client import TlsBrowser
from usecases.issuance import HALT_KEY

DEADLINE_KEY = "ROKIN_DELIVERY_DEADLINE_SECONDS"  # core.config.Settings.delivery_deadline_seconds

ROKIN = Path(sys.executable).parent / "rokin"  # the installed console script, as operators run it
REPO = Path(__file__).resolve().parents[2]
READY_SECONDS = 60.0
POLL_SECONDS = 0.1


def _die_with_parent() -> None:
    """Linux: a child gets SIGKILL when the test run dies, so no server outlives it."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass
class Product:
    client: Client  # the test's own client of the same Temporal server (to see who polls)
    environment: dict[str, str]
    task_queue: str
    web_port: int
    data_dir: Path
    ca_certificate: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"https://localhost:{self.web_port}"

    def browser(self, directory: Path, timeout: float = 120, **client_certificate) -> TlsBrowser:  # noqa: ANN003
        return TlsBrowser(self.base_url, self.ca_certificate, directory, timeout=timeout, **client_certificate)

    # --- starting ------------------------------------------------------------------------------

    async def start_worker(self, *, halt_at: str | None = None) -> None:
        """``rokin worker`` (with a step to stop itself at), once Temporal lists it among the pollers."""
        process = self._spawn("worker", [str(ROKIN), "worker"], {HALT_KEY: halt_at} if halt_at else {})
        await self._until(lambda: self._polls(process), "the worker polls")

    async def start_web(self, *, deadline_seconds: int, halt_at: str | None = None) -> None:
        """``rokin web`` with this delivery deadline (and a step to stop itself at), once it answers."""
        extra = {DEADLINE_KEY: str(deadline_seconds), **({HALT_KEY: halt_at} if halt_at else {})}
        process = self._spawn("web", [str(ROKIN), "web", "--host", "127.0.0.1", "--port", str(self.web_port)], extra)
        probe = self.browser(self.data_dir / "probe", timeout=5)

        async def answers() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"rokin web exited; see {self.data_dir / 'web.log'}")
            try:
                return (await asyncio.to_thread(probe.get, "/healthz")).status == 200
            except OSError:
                return False

        await self._until(answers, "rokin web answers")

    # --- stopping --------------------------------------------------------------------------------

    def kill(self, name: str) -> None:
        """SIGKILL: no cleanup, no graceful shutdown, whatever the process was doing."""
        process = self.processes.pop(name)
        process.kill()
        process.wait()

    def stop(self, name: str) -> None:
        """SIGTERM (the graceful end), SIGKILL if it does not end."""
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGCONT)  # a halted web cannot act on SIGTERM
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    # --- the halt hook ---------------------------------------------------------------------------

    async def until_halted(self, name: str = "web") -> None:
        """Until the process has stopped itself at its ROKIN_TEST_HALT_AT step."""
        pid = self.processes[name].pid

        async def stopped() -> bool:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            return state == "T"

        await self._until(stopped, f"the {name} halts at its step")

    def resume(self, name: str = "web") -> None:
        self.processes[name].send_signal(signal.SIGCONT)

    # --- helpers ---------------------------------------------------------------------------------

    def _spawn(self, name: str, command: list[str], extra: dict[str, str]) -> subprocess.Popen:
        assert name not in self.processes, f"{name} runs already"
        with (self.data_dir / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(command, env={**self.environment, **extra}, cwd=REPO,
                                       stdout=subprocess.DEVNULL, stderr=log,
                                       preexec_fn=_die_with_parent)  # noqa: PLW1509  prctl only
        self.processes[name] = process
        return process

    async def _polls(self, process: subprocess.Popen) -> bool:
        if process.poll() is not None:
            raise AssertionError(f"rokin worker exited; see {self.data_dir / 'worker.log'}")
        response = await self.client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=self.client.namespace, task_queue=TaskQueue(name=self.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
        return any(poller.identity.startswith(f"{process.pid}@") for poller in response.pollers)

    @staticmethod
    async def _until(check, what: str) -> None:  # noqa: ANN001
        deadline = time.monotonic() + READY_SECONDS
        while not await check():
            assert time.monotonic() < deadline, f"not within {READY_SECONDS:g} s: {what}"
            await asyncio.sleep(POLL_SECONDS)
