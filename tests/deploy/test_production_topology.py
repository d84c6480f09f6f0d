"""The production topology run as processes (``bench.production``, issue 14): nginx with the committed
``deploy/nginx.conf``, the web and the PKI listener under gunicorn with the compose file's command
lines, two ``rokin worker`` replicas, PostgreSQL, the Temporal dev server. Chromium walks 電子証明書発行
and the certificate login through nginx, which verifies the .p12's certificate and hands it to the web;
one worker replica is killed on the way and the other carries on."""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Iterator

import pytest
from temporalio.api.enums.v1 import EventType

from bench.production import nginx_binary
from bench.stack import Stack, running_stack
from contract.names import lockout_workflow_id
from store import audit
from store import organizations as org_store
from store import users as user_store
from store.db import make_engine, make_session_factory
from tests.conftest import postgres_reachable
from tests.fixtures.browser import PAGE_TIMEOUT_MS
from tests.pki.conftest import openssl
from tests.web.client_certificates import browser_context_with, watch_for_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed (scripts/test installs it)"),
]
PASSWORD = "Prod2026pass"


@pytest.fixture(scope="module")
def production() -> Iterator[Stack]:
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    with running_stack(topology="production") as stack:
        yield stack


def registered_master(stack: Stack) -> tuple[str, str]:
    """An organization whose master user finished 初期登録 (arranged through the store); its user ID and UUID."""
    engine = make_engine(stack.settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            created = org_store.create_organization(session=session, code="7001", name="本番構成労働組合",
                                                    email="master@example.jp", actor=audit.Actor.cli())
            user_store.complete_initial_registration(session=session, user=created.master, new_password=PASSWORD,
                                                     email="master@example.jp", actor=audit.Actor.cli())
            return created.master.user_id, str(created.master.uuid)
    finally:
        engine.dispose()


def lockout_worker(stack: Stack, user_uuid: str) -> str:
    """Which of the stack's worker processes ran the last task of the user's lockout workflow."""
    async def last_identity(client) -> str:  # noqa: ANN001
        history = await client.get_workflow_handle(lockout_workflow_id(user_uuid)).fetch_history()
        return [event.workflow_task_started_event_attributes.identity for event in history.events
                if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED][-1]

    pid = int(stack.bridge().call(last_identity).split("@")[0])
    [name] = [name for name in ("worker", "worker-2") if stack.pid(name) == pid]
    return name


def test_the_stack_is_the_compose_files(production: Stack):
    assert production.settings.database_url.startswith("postgresql+psycopg://")
    assert {"nginx", "web", "pki", "worker", "worker-2"} <= set(production.processes)
    web_command = production._commands["web"]
    assert web_command[web_command.index("--workers") + 1] == "2"  # docker-compose.yml's web command
    assert "web:create_app()" in web_command and "python:rokin.gunicorn_conf" in web_command


async def test_issue_through_nginx_then_log_in_with_the_p12_after_a_worker_dies(browser, production: Stack,
                                                                                 tmp_path):
    user_id, user_uuid = registered_master(production)
    base = production.web_url
    context = await browser.new_context(ignore_https_errors=True, locale="ja-JP")
    context.set_default_timeout(PAGE_TIMEOUT_MS * 3)
    errors: list[str] = []
    try:
        page = await context.new_page()
        watch_for_errors(page, errors)
        await page.goto(base + "/")
        await page.click("#btn-issue")
        await page.wait_for_url("**/certificate/issue")
        await page.fill("#user_id", user_id)
        await page.fill("#password", PASSWORD)
        await page.click("#submit")
        await page.wait_for_selector("#issue")
        await page.wait_for_load_state("load")
        async with page.expect_download() as download_info:
            await page.click("#issue")
        download = await download_info.value
        serial = await page.text_content("#issued-serial")
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
    finally:
        await context.close()
    assert re.fullmatch(rf"{user_id}\d{{14}}\.p12", saved.name), saved.name
    assert openssl("pkcs12", "-in", str(saved), "-passin", f"pass:{PASSWORD}", "-noout").returncode == 0

    # Kill the replica that has the user's lockout arbiter cached (④ ran it): the login's update waits for
    # its sticky queue to time out, then the other replica takes it — within the web's deadline.
    holder = lockout_worker(production, user_uuid)
    production._processes[holder].send_signal(signal.SIGKILL)
    production._processes[holder].wait(timeout=10)

    context = await browser_context_with(browser, base, p12=saved, password=PASSWORD)
    context.set_default_timeout(PAGE_TIMEOUT_MS * 3)
    try:
        login = await context.new_page()
        watch_for_errors(login, errors)
        await login.goto(base + "/")
        await login.click("#btn-login")
        assert await login.text_content("#login-user-id") == user_id
        await login.fill("#password", PASSWORD)
        await login.click("#submit")
        await login.wait_for_url(re.compile(r"/employer/$"))
        assert await login.text_content("#my-certificate-serial") == serial
    finally:
        await context.close()
    assert errors == []

    # nginx verified the certificate it passed on (its JSON access line), and no other kind got through.
    lines = [json.loads(line) for line in (production.data_dir / "nginx" / "access.log").read_text().splitlines()]
    assert {line["client_verify"] for line in lines} <= {"NONE", "SUCCESS"}
    assert any(line["client_verify"] == "SUCCESS" and line["status"] == 302 and line["method"] == "POST"
               for line in lines)
