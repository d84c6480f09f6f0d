"""``rokin dev`` end to end: the real Temporal dev server, worker, web and SMTP sink as children."""

from __future__ import annotations

import http.client
import json
import os
import signal
import smtplib
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from domain.names import TASK_QUEUE, SearchAttribute
from pki.devca import DevPki
from store import organizations as org_store
from store.db import make_engine, make_session_factory
from tests.fixtures.mail import free_port

from .conftest import REPO, ROKIN, client_context, https_get, rokin_env, run_rokin

TEMPORAL = ROKIN.parent / "temporal"
STARTUP_SECONDS = 90
LOGIN_SCREEN = "ろうきん賃金控除事務支援システムログイン画面"


@dataclass(frozen=True)
class Ports:
    temporal: int
    ui: int
    web: int
    smtp: int
    pki: int

    @classmethod
    def free(cls) -> Ports:
        chosen: set[int] = set()
        while len(chosen) < 5:
            chosen.add(free_port())
        return cls(*sorted(chosen))

    def flags(self) -> list[str]:
        return ["--temporal-port", str(self.temporal), "--ui-port", str(self.ui),
                "--web-port", str(self.web), "--smtp-port", str(self.smtp), "--pki-port", str(self.pki)]


class DevRun:
    """One ``rokin dev`` process with its output in files (a pipe could fill up and stall it)."""

    def __init__(self, data_dir: Path, ports: Ports, log_dir: Path) -> None:
        self.data_dir, self.ports = data_dir, ports
        log_dir.mkdir(exist_ok=True)
        self.stdout_path, self.stderr_path = log_dir / "stdout.txt", log_dir / "stderr.txt"
        with self.stdout_path.open("w") as stdout, self.stderr_path.open("w") as stderr:
            self.process = subprocess.Popen([str(ROKIN), "dev", *ports.flags()], env=rokin_env(data_dir),
                                            cwd=REPO, stdout=stdout, stderr=stderr)

    @property
    def pki(self) -> DevPki:
        return DevPki.in_data_dir(self.data_dir)

    def output(self) -> str:
        return f"--- stdout\n{self.stdout_path.read_text()}\n--- stderr\n{self.stderr_path.read_text()}"

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not (self._banner_shown() and self._login_screen_answers() and self._temporal_ui_answers()):
            assert self.process.poll() is None, f"rokin dev exited with {self.process.returncode}\n{self.output()}"
            assert time.monotonic() < deadline, f"rokin dev not up within {STARTUP_SECONDS}s\n{self.output()}"
            time.sleep(0.3)

    def _banner_shown(self) -> bool:
        return "Press Ctrl-C to stop." in self.stdout_path.read_text()

    def _login_screen_answers(self) -> bool:
        try:
            status, page = https_get(self.ports.web, "/", client_context(self.pki))
        except (OSError, http.client.HTTPException):
            return False
        return status == 200 and LOGIN_SCREEN in page

    def _temporal_ui_answers(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.ports.ui, timeout=5)
        try:
            connection.request("GET", "/")
            return connection.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    def children(self) -> dict[int, str]:
        """The supervisor's child processes: pid → command line."""
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, IndexError, ValueError):
                continue
            if parent == self.process.pid:
                found[int(entry.name)] = command
        return found

    def stop(self, signum: int = signal.SIGINT) -> int:
        self.process.send_signal(signum)
        return self.process.wait(40)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    try:  # a zombie is dead too
        return status.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, what: str, timeout: float = 20) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def send_mail(port: int, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "no-reply@rokin.example.jp", "m@example.jp", subject
    message.set_content("本文")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)


def fetch_crl(port: int, into: Path) -> bool:
    connection = http.client.HTTPConnection("localhost", port, timeout=10)
    try:
        connection.request("GET", "/crl")
        response = connection.getresponse()
        if response.status != 200 or response.getheader("Content-Type") != "application/pkix-crl":
            return False
        into.write_bytes(response.read())
        return True
    except OSError:
        return False
    finally:
        connection.close()


def worker_polls(ports: Ports) -> bool:
    result = subprocess.run([str(TEMPORAL), "task-queue", "describe", "--task-queue", TASK_QUEUE,
                             "--address", f"127.0.0.1:{ports.temporal}", "-o", "json"],
                            capture_output=True, text=True, timeout=20, check=False)
    return result.returncode == 0 and bool(json.loads(result.stdout).get("pollers"))


def registered_search_attributes(ports: Ports) -> dict[str, str]:
    """Custom attribute name → type as the CLI prints it (``INDEXED_VALUE_TYPE_KEYWORD``)."""
    result = subprocess.run([str(TEMPORAL), "operator", "search-attribute", "list",
                             "--address", f"127.0.0.1:{ports.temporal}", "-o", "json"],
                            capture_output=True, text=True, timeout=20, check=True)
    return json.loads(result.stdout)["customAttributes"]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


def test_rokin_dev_runs_the_stack_keeps_its_data_and_stops_every_child(data_dir: Path, tmp_path: Path) -> None:
    ports = Ports.free()
    first = DevRun(data_dir, ports, tmp_path / "first")
    try:
        first.wait_until_up()
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        for url in (f"https://localhost:{ports.web}", f"http://localhost:{ports.ui}",
                    f"https://localhost:{ports.web}/dev/mailbox", f"http://localhost:{ports.pki}/crl"):
            assert url in first.stdout_path.read_text()
        children = first.children()
        assert len(children) == 5, children
        registered = registered_search_attributes(ports)
        for attribute in SearchAttribute:
            assert registered[attribute.value] == f"INDEXED_VALUE_TYPE_{attribute.type.upper()}", attribute
        wait_until(lambda: worker_polls(ports), "the worker never polled its task queue")

        # The CRL over plain HTTP at the URL written into certificates, signed by the dev CA.
        crl = tmp_path / "crl.der"
        wait_until(lambda: fetch_crl(ports.pki, crl), "no CRL on the PKI listener")
        parsed = subprocess.run(["openssl", "crl", "-inform", "DER", "-in", str(crl), "-noout", "-verify",
                                 "-CAfile", str(first.pki.ca_certificate)], capture_output=True, text=True,
                                check=False)
        assert parsed.returncode == 0 and "verify OK" in parsed.stdout + parsed.stderr, parsed

        # The SMTP sink's Maildir is the one the web's 開発用メールボックス reads.
        send_mail(ports.smtp, "開発スタックのテストメール")
        wait_until(lambda: "開発スタックのテストメール" in https_get(
            ports.web, "/dev/mailbox", client_context(first.pki))[1], "the mail never showed on /dev/mailbox")

        created = run_rokin("admin", "create-org", "--code", "4321", "--name", "テスト労働組合",
                            "--email", "master@example.jp", "--json", env=rokin_env(data_dir))
        assert created.returncode == 0, created.stderr
        ca_before = first.pki.ca_certificate.read_bytes(), first.pki.ca_key.read_bytes()

        assert first.stop(signal.SIGINT) == 0, first.output()
        assert not [pid for pid in children if alive(pid)], children
        assert first.stderr_path.read_text().count("rokin dev:") == 0, first.output()
    finally:
        first.kill()

    second = DevRun(data_dir, ports, tmp_path / "second")
    try:
        second.wait_until_up()
        assert (second.pki.ca_certificate.read_bytes(), second.pki.ca_key.read_bytes()) == ca_before
        engine = make_engine(f"sqlite:///{data_dir / 'rokin.db'}")
        with make_session_factory(engine)() as session:
            assert org_store.get_by_code(session=session, code="4321") is not None
        engine.dispose()
        assert "開発スタックのテストメール" in https_get(ports.web, "/dev/mailbox", client_context(second.pki))[1]

        # A child that dies takes the stack down, saying which one.
        children = second.children()
        [web_pid] = [pid for pid, command in children.items() if " web " in f"{command} "]
        os.kill(web_pid, signal.SIGKILL)
        assert second.process.wait(40) == 1
        assert "rokin dev: the web was killed by signal 9; stopping the others\n" in second.stderr_path.read_text()
        assert not [pid for pid in children if alive(pid)], children
    finally:
        second.kill()


def test_a_port_in_use_is_one_line_and_exit_1(data_dir: Path) -> None:
    ports = Ports.free()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", ports.web))
        busy.listen()
        result = subprocess.run([str(ROKIN), "dev", *ports.flags()], env=rokin_env(data_dir), cwd=REPO,
                                capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr == f"rokin dev: port {ports.web} (web, HTTPS) is already in use\n"
    assert not data_dir.exists()  # nothing was started or created


def test_sigterm_during_startup_still_exits_0_and_leaves_nothing_running(data_dir: Path, tmp_path: Path) -> None:
    run = DevRun(data_dir, Ports.free(), tmp_path / "early")
    try:
        wait_until(lambda: bool(run.children()), "rokin dev never started a child", timeout=30)
        children = run.children()
        assert run.stop(signal.SIGTERM) == 0, run.output()
        assert not [pid for pid in children if alive(pid)], children
    finally:
        run.kill()
