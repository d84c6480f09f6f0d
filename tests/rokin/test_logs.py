"""``core.logs``: the formats, and what ``rokin web`` and the worker really write — one JSON object
per line with request IDs and Temporal IDs, and nothing personal — while users register and fail
their passwords over HTTPS against the real worker on the Temporal dev server."""

from __future__ import annotations

import io
import json
import logging
import re
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from core.config import Settings
from core.logs import DropWerkzeugAccessLines, JsonFormatter, RedactPersonalData, TextFormatter, redact, request_id_var
from pki.devca import DevPki
from store import audit
from store import organizations as org_store
from store import users as user_store
from store.db import make_engine, make_session_factory
from tests.fixtures.mail import free_port

from .conftest import REPO, ROKIN, client_context, rokin_env, run_rokin

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
REQUEST_ID = re.compile(r"[0-9a-f]{32}")
WAIT_SECONDS = 30.0


# --- the formats ----------------------------------------------------------------------------


def formatted(formatter: logging.Formatter, emit: Callable[[logging.Logger], None]) -> str:
    """What ``formatter`` makes of the records ``emit`` writes to a logger of its own."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"test.core.logs.{id(buffer)}")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    emit(logger)
    return buffer.getvalue()


def test_a_json_line_has_time_level_logger_message_and_the_context():
    token = request_id_var.set("0123456789abcdef0123456789abcdef")
    try:
        line = formatted(JsonFormatter(), lambda log: log.warning("lock of %s", "lockout/u-1", extra={"status": 403}))
    finally:
        request_id_var.reset(token)
    entry = json.loads(line)
    assert entry.pop("timestamp").endswith("Z")
    assert entry == {"level": "WARNING", "logger": entry["logger"], "message": "lock of lockout/u-1",
                     "request_id": "0123456789abcdef0123456789abcdef", "status": 403}
    assert line.count("\n") == 1


def test_temporal_context_becomes_fields_of_the_line():
    """The dicts the SDK's ``workflow.logger`` / ``activity.logger`` put on the record."""
    workflow = {"attempt": 1, "namespace": "default", "run_id": "r-1", "task_queue": "rokin",
                "workflow_id": "lockout/u-1", "workflow_type": "LockoutWorkflow"}
    activity = {"activity_id": "3", "activity_type": "send_notice", "attempt": 2, "namespace": "default",
                "task_queue": "rokin", "workflow_id": "notice/lock/u-1/e-1", "workflow_run_id": "r-2",
                "workflow_type": "NoticeWorkflow"}
    text = formatted(JsonFormatter(), lambda log: (log.info("w", extra={"temporal_workflow": workflow}),
                                                   log.info("a", extra={"temporal_activity": activity})))
    first, second = map(json.loads, text.splitlines())
    assert {key: first[key] for key in ("workflow_id", "workflow_type", "run_id")} == {
        "workflow_id": "lockout/u-1", "workflow_type": "LockoutWorkflow", "run_id": "r-1"}
    assert {key: second[key] for key in ("workflow_id", "workflow_type", "run_id", "activity_type", "attempt")} == {
        "workflow_id": "notice/lock/u-1/e-1", "workflow_type": "NoticeWorkflow", "run_id": "r-2",
        "activity_type": "send_notice", "attempt": 2}
    assert "namespace" not in first and "temporal_workflow" not in first


def test_json_keeps_an_exceptions_type_and_stack_but_not_its_message():
    address = "@".join(("taro.rokin", "example.jp"))  # not in the source line the stack shows

    def fail(log: logging.Logger) -> None:
        try:
            raise ValueError(f"recipient {address} refused")
        except ValueError:
            log.exception("sending failed")

    entry = json.loads(formatted(JsonFormatter(), fail))
    assert entry["exc_type"] == "ValueError" and "in fail" in entry["stack"]
    assert "taro.rokin" not in json.dumps(entry)
    assert "taro.rokin@example.jp" in formatted(TextFormatter(), fail)  # a developer's terminal only


def test_text_lines_are_readable_with_the_context_at_the_end():
    line = formatted(TextFormatter(), lambda log: log.info("GET / 200", extra={"endpoint": "auth.login_screen"}))
    assert re.fullmatch(r"\S+ \S+ INFO test\.core\.logs\.\d+: GET / 200 \[endpoint=auth\.login_screen\]\n", line)


def test_werkzeugs_request_lines_are_dropped_and_its_other_lines_kept():
    keep = DropWerkzeugAccessLines()
    access = logging.makeLogRecord({"name": "werkzeug", "msg": '127.0.0.1 - - [date] "%s" %s %s',
                                    "args": ("GET /?user=x HTTP/1.1", "200", "-")})
    other = logging.makeLogRecord({"name": "werkzeug", "msg": "127.0.0.1 - - [date] TLS handshake failed: %s"})
    assert not keep.filter(access) and keep.filter(other)


def test_bad_log_settings_are_one_line_and_exit_2(tmp_path: Path):
    for variable, value in (("ROKIN_LOG_FORMAT", "xml"), ("ROKIN_LOG_LEVEL", "LOUD"),
                            ("ROKIN_METRICS_ALLOW", "127.0.0.1 everyone")):
        result = run_rokin("migrate", env=rokin_env(tmp_path / "var", **{variable: value}))
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith(f"rokin: {variable}") and repr(value.split()[-1]) in result.stderr


# --- rokin web and the worker, for real -------------------------------------------------------


MASTER_EMAIL = "hanako.rokin@example.jp"
MASTER_PASSWORD = "Hanako2024pw"
WRONG_PASSWORD = "Guess9876zz"
ORGANIZATION_NAME = "ログ確認労働組合"
GENERAL_NAME = "記録 一郎"


class Browser:
    """Cookies, CSRF tokens and the Referer, as a browser sends them; remembers every X-Request-ID."""

    def __init__(self, port: int, pki: DevPki) -> None:
        self.base = f"https://localhost:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=client_context(pki)),
                                                  urllib.request.HTTPCookieProcessor())
        self.request_ids: list[str] = []

    def open(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=30) as response:
                status, headers, body = response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read().decode()
        self.request_ids.append(headers["X-Request-ID"])
        return status, body

    def submit(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        """GET the form for its CSRF token, then POST it."""
        _, page = self.open(path)
        return self.open(path, {"csrf_token": CSRF.search(page).group(1), **form})


@contextmanager
def running(command: list[str], environment: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as stderr:
        process = subprocess.Popen(command, env=environment, cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def json_lines(log: Path, allowed: tuple[str, ...] = ()) -> list[dict]:
    """Every line of ``log``, each one JSON object (but the ``allowed`` banner lines)."""
    entries = []
    for line in log.read_text().splitlines():
        if line.startswith(allowed) and allowed:
            continue
        entries.append(json.loads(line))  # fails on any line that is not JSON
    return entries


@pytest.fixture
def organization(settings: Settings) -> tuple[str, str]:
    """A new organization (its master has not registered yet): master ID and initial password."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            created = org_store.create_organization(session=session, code="7788", name=ORGANIZATION_NAME,
                                                    email=MASTER_EMAIL, actor=audit.Actor.cli())
            return created.master.user_id, created.initial_password
    finally:
        engine.dispose()


def add_general_user(settings: Settings, master_id: str) -> tuple[str, str]:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            master = user_store.get_by_user_id(session=session, user_id=master_id)
            user, password = user_store.create_general_user(session=session, master=master, user_id="kiroku01",
                                                            display_name=GENERAL_NAME, actor=audit.Actor.cli())
            return user.user_id, password
    finally:
        engine.dispose()


def test_web_and_worker_write_json_lines_with_request_and_workflow_ids_and_nothing_personal(
        settings, dev_pki, dev_server_env, smtp_sink, task_queue, organization, tmp_path):
    client = dev_server_env.client
    master_id, master_initial = organization
    port = free_port()
    environment = rokin_env(settings.data_dir, DATABASE_URL=settings.database_url, ROKIN_LOG_FORMAT="json",
                            TEMPORAL_ADDRESS=client.service_client.config.target_host,
                            TEMPORAL_NAMESPACE=client.namespace, ROKIN_TASK_QUEUE=task_queue,
                            SMTP_HOST=smtp_sink.host, SMTP_PORT=str(smtp_sink.port))
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    browser = Browser(port, dev_pki)
    with running([str(ROKIN), "worker"], environment, worker_log), \
            running([str(ROKIN), "web", "--port", str(port)], environment, web_log) as web:
        wait_until(lambda: web.poll() is None and _answers(Browser(port, dev_pki)), "rokin web answers")
        # マスターユーザーの初期登録: ID and initial password, then one's own password and e-mail.
        assert browser.submit("/register/master", {"user_id": master_id, "password": master_initial})[0] == 200
        status, _ = browser.submit("/register/master/password", {
            "new_password": MASTER_PASSWORD, "new_password_confirm": MASTER_PASSWORD,
            "email": MASTER_EMAIL, "email_confirm": MASTER_EMAIL})
        assert status == 200 and smtp_sink.wait_for(1)  # the worker sent the completion notice
        # A general user without an e-mail address fails 6 times: locked, and the lock notice
        # cannot be sent (the worker logs that, inside its activity).
        general_id, general_initial = add_general_user(settings, master_id)
        _, page = browser.open("/register/general")
        token = CSRF.search(page).group(1)
        for _ in range(6):
            browser.open("/register/general", {"csrf_token": token, "user_id": general_id, "password": WRONG_PASSWORD})
        browser.open(f"/?lang=en&user_id={general_id}")
        assert browser.open(f"/{MASTER_EMAIL}")[0] == 404
        wait_until(lambda: "not sent: no e-mail address on file" in worker_log.read_text(), "the lock notice's line")

    web_lines = json_lines(web_log, allowed=("rokin web: serving",))
    worker_lines = json_lines(worker_log)
    access = [line for line in web_lines if line["logger"] == "rokin.access"]
    failures = [line for line in access if line["path"] == "/register/general" and line["method"] == "POST"]
    assert len(failures) == 6 and {line["status"] for line in failures} == {200}
    assert all(line["endpoint"] == "auth.register_login" and line["duration_ms"] > 0 for line in failures)
    # Every response's X-Request-ID is on its access line (redirects followed add lines of their own).
    assert set(browser.request_ids) <= {line["request_id"] for line in access}
    assert all(REQUEST_ID.fullmatch(line["request_id"]) for line in access)
    assert len({line["request_id"] for line in access}) == len(access)
    [unrouted] = [line for line in access if line["status"] == 404]
    assert unrouted["path"] is None

    [not_sent] = [line for line in worker_lines if "not sent" in line["message"]]
    assert not_sent["activity_type"] == "send_notice" and not_sent["workflow_type"] == "NoticeWorkflow"
    assert not_sent["workflow_id"].startswith("notice/") and not_sent["run_id"] and not_sent["task_queue"] == task_queue
    assert "{" not in not_sent["message"]  # the SDK's own copy of the context is not appended

    written = web_log.read_text() + worker_log.read_text()
    for secret in (master_id, master_initial, MASTER_PASSWORD, MASTER_EMAIL, general_id, general_initial,
                   WRONG_PASSWORD, ORGANIZATION_NAME, GENERAL_NAME, "127.0.0.1 - -"):
        assert secret not in written, secret


def _answers(browser: Browser) -> bool:
    try:
        return browser.open("/healthz")[0] == 200
    except OSError:
        return False


@pytest.fixture
def settings(settings: Settings, task_queue: str) -> Settings:
    return replace(settings, task_queue=task_queue)


@pytest.mark.parametrize(("raw", "redacted"), [
    ("user taro2024 failed", "user [redacted] failed"),  # a user ID's shape (letters and digits, 6–12)
    ("password Kumiai2024", "password [redacted]"),
    ("to boss@example.jp", "to [email]"),
    ("GET /employer/users?q=abc&x=1 200", "GET /employer/users?[query] 200"),
    # identifiers stay: UUIDs, serials, request numbers, codes, states, words
    ("user 4f3a2b1c-1234-4abc-9def-0123456789ab", "user 4f3a2b1c-1234-4abc-9def-0123456789ab"),
    ("serial 3f2a9c0d1e2b3c4d5e6f70819a2b3c4d", "serial 3f2a9c0d1e2b3c4d5e6f70819a2b3c4d"),
    ("R-2027-000001 of 8001: locked_now, TypeError", "R-2027-000001 of 8001: locked_now, TypeError"),
])
def test_redaction_removes_what_looks_personal_and_keeps_identifiers(raw: str, redacted: str):
    assert redact(raw) == redacted


def test_the_redacting_filter_covers_arguments_and_exception_messages_not_the_code():
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RedactPersonalData())
    handler.setFormatter(TextFormatter())
    log = logging.getLogger(f"test.redaction.{id(buffer)}")
    log.addHandler(handler)
    user_id, password, address = "taro2024", "Secret2024", "taro@example.jp"  # data, not in the source lines below
    try:
        try:
            raise ValueError(f"recipient {address} refused")
        except ValueError as error:
            raise KeyError(password) from error
    except KeyError:
        log.exception("login of %s failed", user_id)
    written = buffer.getvalue()
    assert "login of [redacted] failed" in written
    assert "ValueError: recipient [email] refused" in written and "KeyError: '[redacted]'" in written
    assert "direct cause" in written and "test_the_redacting_filter_covers" in written  # frames stay
    assert not any(secret in written for secret in (user_id, password, address))
