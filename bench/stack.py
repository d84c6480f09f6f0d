"""The product as ``rokin dev`` runs it, for benchmarks: one process each, on free loopback ports.

    with running_stack() as stack:          # Temporal dev server (SQLite file), SMTP sink, worker, web
        stack.web_url                       # https://127.0.0.1:<port>, the real ``rokin web`` server
        stack.settings                      # database URL, task queue, Temporal address, data dir...
        stack.bridge()                      # a Temporal client for this (bench) process, as the web's
        stack.pid("worker")                 # "temporal", "smtp", "worker", "web"
        stack.restart("temporal")           # same port, same SQLite file: workflows and timers survive
        stack.wait_for_worker()             # ...until the worker polls it again

Everything lives in a throwaway data directory (``data_dir`` to choose it; removed on exit unless
chosen): the development PKI, the application's SQLite database (migrated), the Temporal dev
server's SQLite file ``temporal.db`` and each process's log in ``logs/<name>.log``. The children
are the product's own commands (``python -m rokin worker|web|mailsink`` and ``temporal server
start-dev``); they die with this process, even when it is killed.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.config import Settings
from domain.names import TASK_QUEUE
from rokin import search_attributes
from rokin.devstack import dynamic_config_flags, port_answers

from .common import ROOT, TOPOLOGIES

LOOPBACK = "127.0.0.1"
TEMPORAL = Path(sys.prefix) / "bin" / "temporal"
READY_TIMEOUT_SECONDS = 90.0
STOP_GRACE_SECONDS = 30.0  # the worker drains its tasks, the dev server closes its SQLite file
POLL_SECONDS = 0.1
PRODUCT_PROCESSES = ("temporal", "smtp", "worker", "web")  # start order; stopped in reverse
# docker-compose.yml's topology as processes (bench.production): two workers, the web and the PKI
# listener under gunicorn, nginx in front; "web" is the web's gunicorn, clients reach nginx.
PRODUCTION_PROCESSES = ("temporal", "smtp", "worker", "worker-2", "pki", "web", "nginx")


class StackError(RuntimeError):
    """A process did not come up (the message names it and its log)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def reserved_port() -> socket.socket:
    """A port held bound (not listening) until the process that listens on it starts: the Temporal
    dev server picks free ports of its own at start-up (HTTP API, metrics, its internal services),
    and could take one chosen for the web that was only probed as free, so that clients reached it."""
    reservation = socket.socket()
    reservation.bind((LOOPBACK, 0))
    return reservation


@dataclass
class Stack:
    data_dir: Path
    settings: Settings
    ports: dict[str, int]
    temporal_args: Sequence[str] = ()
    environment: Mapping[str, str] = field(default_factory=dict)  # product settings a bench changes
    topology: str = "dev"  # or "production" (bench.production)
    _processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _commands: dict[str, list[str]] = field(default_factory=dict)
    _ready: dict[str, Callable[[subprocess.Popen], bool]] = field(default_factory=dict)
    _process_environment: dict[str, dict[str, str]] = field(default_factory=dict)  # one process's own settings
    _bridge: object | None = None
    reservations: dict[str, socket.socket] = field(default_factory=dict)  # ports no process listens on yet

    def __post_init__(self) -> None:
        self._define_product()
        if self.topology == "production":
            self._define_production()

    @property
    def processes(self) -> tuple[str, ...]:
        """This topology's processes in start order."""
        return PRODUCTION_PROCESSES if self.topology == "production" else PRODUCT_PROCESSES

    @property
    def workers(self) -> tuple[str, ...]:
        """The ``rokin worker`` processes: one, or the production topology's replicas."""
        return tuple(name for name in self.processes if name.startswith("worker"))

    # --- where things are -------------------------------------------------------------------

    @property
    def web_url(self) -> str:
        return f"https://{LOOPBACK}:{self.ports['web']}"

    @property
    def temporal_address(self) -> str:
        return self.settings.temporal_address

    @property
    def ca_certificate(self) -> Path:
        """The development CA: it signed the web's server certificate and is the product's client CA."""
        return self.settings.ca_certificate_path

    @property
    def temporal_db(self) -> Path:
        return self.data_dir / "temporal.db"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    def pid(self, name: str) -> int:
        return self._processes[name].pid

    def bridge(self):  # noqa: ANN201  (usecases.bridge.TemporalBridge, imported late)
        """A Temporal client for this process, used from threads exactly as the web uses its own."""
        if self._bridge is None:
            from usecases.bridge import TemporalBridge

            self._bridge = TemporalBridge.for_settings(self.settings)  # the stack's address and payload key
        return self._bridge

    # --- processes --------------------------------------------------------------------------

    def spawn(self, name: str, command: list[str], ready: Callable[[subprocess.Popen], bool]) -> None:
        """Start ``command`` with the stack's environment and wait until ``ready(process)``."""
        self._commands[name], self._ready[name] = command, ready
        self.start(name)

    def start(self, name: str) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        for port_name in self._listens_on(name):
            reservation = self.reservations.pop(port_name, None)
            if reservation is not None:
                reservation.close()
        with (self.logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(self._commands[name], env=self._environment(name), cwd=ROOT,
                                       stdout=log, stderr=subprocess.STDOUT, process_group=0,
                                       preexec_fn=_die_with_parent)  # noqa: PLW1509  before threads matter
        self._processes[name] = process
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not self._ready[name](process):
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop(name)
                raise StackError(f"{name} did not come up; see {self.logs / f'{name}.log'}")
            time.sleep(POLL_SECONDS)

    def stop(self, name: str) -> None:
        """SIGTERM (the product's graceful shutdown), SIGKILL after a grace period."""
        process = self._processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self, name: str) -> None:
        self.stop(name)
        self.start(name)

    def wait_for_worker(self) -> None:
        """Until every running worker polls again (after ``restart("temporal")``, say)."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        for name in self.workers:
            process = self._processes.get(name)
            while process is not None and not self._worker_polls(process):
                if time.monotonic() > deadline:
                    raise StackError(f"{name} does not poll; see {self.logs / f'{name}.log'}")
                time.sleep(POLL_SECONDS)

    def close(self) -> None:
        for name in reversed(list(self._processes)):
            self.stop(name)
        for reservation in self.reservations.values():
            reservation.close()
        self.reservations.clear()

    def _listens_on(self, name: str) -> tuple[str, ...]:
        """The names (keys of ``ports``) of the ports process ``name`` listens on."""
        if self.topology == "production":
            production = {"web": ("web-upstream",), "pki": ("pki-upstream",), "nginx": ("web", "pki")}
            if name in production:
                return production[name]
        return (name,) if name in ("temporal", "smtp", "web") else ()

    def _environment(self, name: str = "") -> dict[str, str]:
        inherited = {key: value for key, value in os.environ.items()
                     if not key.startswith(("ROKIN_", "TEMPORAL_", "SMTP_")) and key != "DATABASE_URL"}
        return {
            **inherited,
            "ROKIN_DATA_DIR": str(self.data_dir),
            "DATABASE_URL": self.settings.database_url,
            "TEMPORAL_ADDRESS": self.temporal_address,
            "TEMPORAL_NAMESPACE": self.settings.temporal_namespace,
            "ROKIN_TASK_QUEUE": self.settings.task_queue,
            "SMTP_HOST": self.settings.smtp_host,
            "SMTP_PORT": str(self.settings.smtp_port),
            "ROKIN_PUBLIC_URL": self.web_url,
            "PYTHONUNBUFFERED": "1",
            **({"ROKIN_PKI_URL": self.settings.pki_url} if self.topology == "production" else {}),
            **self.environment,
            **self._process_environment.get(name, {}),
        }

    # --- the product's processes ------------------------------------------------------------

    def _define_product(self) -> None:
        rokin = [sys.executable, "-m", "rokin"]
        temporal = [str(TEMPORAL), "server", "start-dev", "--ip", LOOPBACK, "--port", str(self.ports["temporal"]),
                    "--headless", "--db-filename", str(self.temporal_db), "--log-level", "error",
                    *search_attributes.dev_server_flags(), *dynamic_config_flags(), *self.temporal_args]
        self._commands.update({
            "temporal": temporal,
            "smtp": [*rokin, "mailsink", "--host", LOOPBACK, "--port", str(self.ports["smtp"]),
                     "--maildir", str(self.data_dir / "mail")],
            "worker": [*rokin, "worker"],
            "web": [*rokin, "web", "--host", LOOPBACK, "--port", str(self.ports["web"])],
        })
        self._ready.update({
            "temporal": lambda _process: self._temporal_ready(),
            "smtp": lambda _process: port_answers(self.ports["smtp"]),
            "worker": self._worker_polls,
            "web": lambda _process: port_answers(self.ports["web"]),
        })

    def _define_production(self) -> None:
        """docker-compose.yml's web, PKI listener, worker replicas and nginx (``bench.production``)."""
        from . import production

        nginx = production.nginx_binary()
        if nginx is None:
            raise StackError("nginx is not installed (Debian: apt-get install nginx-light; scripts/test does)")
        pki = self.settings.pki_dir
        conf = production.prepare_nginx(
            self.data_dir / "nginx", tls_port=self.ports["web"], http_port=self.ports["pki"],
            web_upstream=self.ports["web-upstream"], pki_upstream=self.ports["pki-upstream"],
            files=production.NginxFiles(certificate=pki / "server.pem", key=pki / "server.key",
                                        client_ca=self.ca_certificate, prefix=self.data_dir / "nginx"))
        self._commands.update({
            "worker-2": self._commands["worker"],
            "web": production.gunicorn_command("web", bind=f"{LOOPBACK}:{self.ports['web-upstream']}"),
            "pki": production.gunicorn_command("pki", bind=f"{LOOPBACK}:{self.ports['pki-upstream']}"),
            "nginx": [nginx, "-p", str(conf.parent), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
        })
        self._ready.update({
            "worker-2": self._worker_polls,
            "web": lambda _process: port_answers(self.ports["web-upstream"]),
            "pki": lambda _process: port_answers(self.ports["pki-upstream"]),
            "nginx": lambda _process: port_answers(self.ports["web"]) and port_answers(self.ports["pki"]),
        })
        web = production.compose_environment("web")
        self._process_environment.update({
            "web": {**web, "ROKIN_TRUSTED_PROXY": production.PROXY_ADDRESS,
                    "PROMETHEUS_MULTIPROC_DIR": str(self.data_dir / "metrics")},
            "pki": production.compose_environment("pki"),
        })

    def _temporal_ready(self) -> bool:
        """gRPC answers and the namespace takes operator calls (what a worker needs next)."""
        if not port_answers(self.ports["temporal"]):
            return False
        command = [str(TEMPORAL), "operator", "namespace", "describe", "--namespace",
                   self.settings.temporal_namespace, "--address", self.temporal_address]
        try:
            return subprocess.run(command, capture_output=True, timeout=10, check=False).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def _worker_polls(self, process: subprocess.Popen) -> bool:
        return self.polls(process, self.settings.task_queue)

    def polls(self, process: subprocess.Popen, task_queue: str) -> bool:
        """Whether worker ``process`` (its identity starts with its PID) polls ``task_queue`` now."""
        try:
            pollers = task_queue_pollers(self, task_queue)
        except Exception:  # noqa: BLE001  the server is still coming up: not yet
            return False
        return any(identity.startswith(f"{process.pid}@") for identity in pollers)


def task_queue_pollers(stack: Stack, task_queue: str) -> list[str]:
    """Identities of the workers that polled ``task_queue`` for workflow tasks lately."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    async def describe(client) -> list[str]:  # noqa: ANN001
        response = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
        return [poller.identity for poller in response.pollers]

    return stack.bridge().call(describe)


@contextmanager
def running_stack(*, data_dir: Path | None = None, processes: Sequence[str] | None = None,
                  task_queue: str = TASK_QUEUE, temporal_args: Sequence[str] = (),
                  environment: Mapping[str, str] | None = None, topology: str = "dev") -> Iterator[Stack]:
    """The product's processes (``processes``, default all of the topology's, in its order) while inside.

    ``topology``: "dev" (what ``rokin dev`` runs: ``rokin web`` serving TLS itself, one worker, SQLite)
    or "production" (docker-compose.yml's, ``bench.production``: nginx, gunicorn, two workers, PostgreSQL).

    ``data_dir``: kept afterwards (default: a temporary directory, removed). ``temporal_args``:
    extra ``temporal server start-dev`` flags, e.g. ``["--dynamic-config-value", "K=V"]``.
    ``environment``: product settings for every process, e.g. ``{"ROKIN_THROTTLE_ADDRESS_FAILURES": "1000"}``.
    """
    from core.payload_keys import ensure_payload_keys
    from pki.devca import ensure_dev_pki
    from store.migrate import upgrade

    if topology not in TOPOLOGIES:
        raise ValueError(f"topology {topology!r}: one of {', '.join(TOPOLOGIES)}")
    throwaway = data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="rokin-bench-")) if throwaway else data_dir.resolve()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    names = ("temporal", "smtp", "web") + (("web-upstream", "pki", "pki-upstream") if topology == "production" else ())
    reservations = {name: reserved_port() for name in names}
    ports = {name: reservation.getsockname()[1] for name, reservation in reservations.items()}
    settings = replace(Settings.from_env({"ROKIN_DATA_DIR": str(data_dir)}), task_queue=task_queue,
                       temporal_address=f"{LOOPBACK}:{ports['temporal']}", smtp_host=LOOPBACK,
                       smtp_port=ports["smtp"])
    ensure_dev_pki(settings.pki_dir)
    ensure_payload_keys(settings)  # <data_dir>/payload_keys, read by every process of the stack
    with ExitStack() as resources:
        if topology == "production":
            from .production import fresh_postgres_database

            settings = replace(settings, database_url=resources.enter_context(fresh_postgres_database()),
                               pki_url=f"http://{LOOPBACK}:{ports['pki']}")
        upgrade(settings.database_url)
        stack = Stack(data_dir, settings, ports, temporal_args, dict(environment or {}), topology,
                      reservations=reservations)
        try:
            for name in stack.processes:
                if processes is None or name in processes:
                    stack.start(name)
            yield stack
        finally:
            stack.close()
            if throwaway:
                shutil.rmtree(data_dir, ignore_errors=True)


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when the bench dies, even by SIGKILL (no orphaned servers)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
