"""Issuance as a saga, under SIGKILL (issue 11, SPEC.md §2): real ``rokin web`` (HTTPS) and ``rokin worker``
processes on the Temporal dev server, 発行 driven over HTTPS like a browser, and the web halted at each
step of its 発行 POST (``usecases.issuance``: before signing, after signing, after the .p12
is built = just before the confirmation) to kill it there — or to kill the worker there and let it come
back. Whatever dies, afterwards:

- no certificate is ACTIVE unless its delivery was confirmed (``delivered_at`` and the audit say so);
- every signed certificate nobody received is REVOKED (cessationOfOperation) and on the CRL, by the
  issuance's own deadline (a few seconds here, ROKIN_DELIVERY_DEADLINE_SECONDS);
- the user ends with exactly one usable certificate: the .p12 the last 発行 handed over opens with
  the password and logs in over mutual TLS.
"""

from __future__ import annotations

import asyncio
import html
import http.client
import shutil
import time
import uuid
from base64 import b64decode
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy import select

from activities.certificates import HALT_AFTER_SIGNING
from contract.names import crl_schedule_id, reconciliation_schedule_id
from domain.certificates import CrlReason
from domain.roles import CertificateStatus
from pki.crl import CRL_DER
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from store.models import AuditEntry, Certificate
from tests.fixtures.mail import SINK_HOST, SmtpSink, free_port
from tests.fixtures.users import MadeUser, registered_master
from tests.pki.conftest import openssl
from tests.rokin.conftest import rokin_env
from tests.web.certificates.issuing import AUTHENTICATE, CSRF, DOWNLOAD, ISSUE, SERIAL, STOPPED, TICKET
from tests.web.certificates.tls_client import Page, TlsBrowser
from web import messages

from .processes import Product

SHORT_DEADLINE = 3  # seconds: the scenarios that wait for an undelivered certificate's end
# A worker killed by SIGKILL leaves its workflows on its sticky queue until Temporal gives up on it
# (10 s); the confirmation must not lose that race where it should not.
LONG_DEADLINE = 60
STEPS = ("before_sign", "after_sign", "before_confirm")
VOID_WAIT_SECONDS = SHORT_DEADLINE + 30
CRL_SETTLE_SECONDS = 10  # a revocation committed just now is on the CRL the worker publishes next
PREVIOUS_VOIDED = "前回の電子証明書発行は完了しなかったため"
LOGIN_ATTEMPTS = 3


@pytest.fixture(scope="module")
async def product(dev_server_env, session_dev_pki, tmp_path_factory):  # noqa: ANN001, ANN201
    """The web and the worker as processes on their own data directory; the worker runs from the start."""
    data_dir = tmp_path_factory.mktemp("crash") / "var"
    shutil.copytree(session_dev_pki.directory, data_dir / "pki")
    database_url = f"sqlite:///{data_dir / 'rokin.db'}"
    upgrade(database_url)
    sink = SmtpSink(SINK_HOST, free_port(), data_dir / "mail")
    sink.start()
    client = dev_server_env.client
    task_queue = f"crash-{uuid.uuid4().hex}"
    environment = rokin_env(data_dir, DATABASE_URL=database_url, ROKIN_TASK_QUEUE=task_queue,
                            TEMPORAL_ADDRESS=client.service_client.config.target_host,
                            TEMPORAL_NAMESPACE=client.namespace, SMTP_HOST=sink.host, SMTP_PORT=str(sink.port),
                            ROKIN_LOG_FORMAT="text")
    running = Product(client, environment, task_queue, free_port(), data_dir, data_dir / "pki" / "ca.pem")
    try:
        await running.start_worker()
        yield running
    finally:
        running.close()
        sink.stop()
        for schedule_id in (crl_schedule_id(task_queue), reconciliation_schedule_id(task_queue)):
            await client.get_schedule_handle(schedule_id).delete()


@pytest.fixture
async def user(product: Product) -> MadeUser:
    """A master user of a new organization, past 初期登録; the worker is up, no web runs yet."""
    if "worker" not in product.processes:
        await product.start_worker()
    yield registered_master(product.environment["DATABASE_URL"])
    product.stop("web")


@pytest.mark.parametrize("step", STEPS)
async def test_the_web_killed_at_a_step_of_issuance(product: Product, user: MadeUser, step: str, tmp_path: Path):
    await product.start_web(deadline_seconds=SHORT_DEADLINE, halt_at=step)
    browser = product.browser(tmp_path / "browser")
    form = await asyncio.to_thread(authenticate, browser, user)
    pressing = asyncio.create_task(asyncio.to_thread(press_issue, browser, form))
    await product.until_halted()
    product.kill("web")
    assert await pressing is None  # the browser got no answer, let alone a file

    await product.start_web(deadline_seconds=SHORT_DEADLINE)
    # The browser sends the same 発行 again (its session still holds the ticket, as after a reload).
    again = await asyncio.to_thread(press_issue, browser, form)
    if step == "before_sign":  # nothing was signed: this is the issuance
        final = again
    else:  # the first 発行 signed a certificate nobody received: the same answer as any second 発行
        assert again is not None and again.status == 409 and DOWNLOAD.search(again.text) is None
        assert "既に処理されました" in stopped_message(again)
        await until_nothing_pending(product, user)
        confirm = await asyncio.to_thread(authenticate_page, browser, user)
        assert PREVIOUS_VOIDED in confirm.text  # ⑤ says why a second issuance is needed
        final = await asyncio.to_thread(press_issue, browser, issue_form(confirm))
    await assert_one_usable_certificate(product, user, final, tmp_path)
    assert_nothing_stranded(product)


@pytest.mark.parametrize("step", STEPS)
async def test_the_worker_killed_at_a_step_of_issuance(product: Product, user: MadeUser, step: str, tmp_path: Path):
    """The web goes on while no worker runs; a new worker finishes the same 発行, which delivers."""
    await product.start_web(deadline_seconds=LONG_DEADLINE, halt_at=step)
    browser = product.browser(tmp_path / "browser")
    form = await asyncio.to_thread(authenticate, browser, user)
    pressing = asyncio.create_task(asyncio.to_thread(press_issue, browser, form))
    await product.until_halted()
    product.kill("worker")
    product.resume()
    await product.start_worker()
    final = await pressing
    await assert_one_usable_certificate(product, user, final, tmp_path)
    assert_nothing_stranded(product)


async def test_the_worker_killed_between_signing_and_its_workflow_task_signs_no_second_certificate(
        product: Product, user: MadeUser, tmp_path: Path):
    """Issue 14: signing is a local activity inside the issuance's workflow task. A worker killed after
    the certificate is committed but before that task completed: the next worker runs the task — and
    the signing — again, gets the recorded certificate back, and the same 発行 delivers it."""
    product.stop("worker")
    await product.start_worker(halt_at=HALT_AFTER_SIGNING)
    await product.start_web(deadline_seconds=LONG_DEADLINE)
    browser = product.browser(tmp_path / "browser")
    form = await asyncio.to_thread(authenticate, browser, user)
    pressing = asyncio.create_task(asyncio.to_thread(press_issue, browser, form))
    await product.until_halted("worker")
    [signed] = rows(product, owner_uuid=uuid.UUID(user.uuid))  # committed, pending delivery
    assert signed.status is CertificateStatus.PENDING_DELIVERY
    product.kill("worker")
    await product.start_worker()
    final = await pressing
    await assert_one_usable_certificate(product, user, final, tmp_path)
    [only] = rows(product, owner_uuid=uuid.UUID(user.uuid))
    assert only.serial == signed.serial  # signed once: the retry found it
    assert_nothing_stranded(product)


async def test_the_worker_away_past_the_deadline_still_delivers_and_the_lifecycle_starts_when_it_is_back(
        product: Product, user: MadeUser, tmp_path: Path):
    """Issue 14: the web records the delivery itself. Halted with the .p12 built and nothing recorded, the
    worker killed, the deadline passed meanwhile: nobody voided the certificate, so the web delivers it; the
    worker, back, finds it ACTIVE at the issuance's deadline and keeps it (its lifecycle starts)."""
    await product.start_web(deadline_seconds=SHORT_DEADLINE, halt_at="before_confirm")
    browser = product.browser(tmp_path / "browser")
    form = await asyncio.to_thread(authenticate, browser, user)
    pressing = asyncio.create_task(asyncio.to_thread(press_issue, browser, form))
    await product.until_halted()
    product.kill("worker")
    await asyncio.sleep(SHORT_DEADLINE + 1)  # the deadline passes while no worker runs
    product.resume()
    final = await pressing
    await product.start_worker()
    await until_nothing_pending(product, user)
    await assert_one_usable_certificate(product, user, final, tmp_path)
    assert_nothing_stranded(product)


# --- 発行 over HTTPS -------------------------------------------------------------------------------


def authenticate_page(browser: TlsBrowser, user: MadeUser) -> Page:
    """④ ユーザー認証 → ⑤."""
    return browser.post(AUTHENTICATE, {"user_id": user.user_id, "password": user.passwords[-1]})


def authenticate(browser: TlsBrowser, user: MadeUser) -> dict[str, str]:
    return issue_form(authenticate_page(browser, user))


def issue_form(page: Page) -> dict[str, str]:
    """⑤ as the browser holds it: the CSRF token and the sealed ticket."""
    ticket, csrf = TICKET.search(page.text), CSRF.search(page.text)
    assert page.status == 200 and ticket and csrf, page.text
    return {"csrf_token": csrf.group(1), "ticket": ticket.group(1)}


def press_issue(browser: TlsBrowser, form: dict[str, str]) -> Page | None:
    """⑤ [発行]; None when the connection died without an answer (the web was killed)."""
    try:
        return browser.send(ISSUE, form, referer=AUTHENTICATE)
    except (OSError, http.client.HTTPException):
        return None


def stopped_message(page: Page) -> str:
    match = STOPPED.search(page.text)
    assert match, page.text
    return html.unescape(match.group(1))


# --- what must hold afterwards ---------------------------------------------------------------------


def rows(product: Product, **where) -> list[Certificate]:  # noqa: ANN003
    engine = make_engine(product.environment["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(Certificate).filter_by(**where)))
    finally:
        engine.dispose()


def delivered_serials(product: Product) -> set[str]:
    """Certificates whose delivery the issuance recorded (after the web confirmed it)."""
    engine = make_engine(product.environment["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            return set(session.scalars(select(AuditEntry.target_id).where(AuditEntry.action == "certificate.deliver")))
    finally:
        engine.dispose()


async def until_nothing_pending(product: Product, user: MadeUser) -> None:
    """Until no certificate of the user awaits delivery — each was delivered, or revoked by its
    issuance and published on the CRL (the database first, then the CRL)."""
    owner = uuid.UUID(user.uuid)
    for _ in range(int(VOID_WAIT_SECONDS / 0.2)):
        revoked = rows(product, owner_uuid=owner, status=CertificateStatus.REVOKED)
        if not rows(product, owner_uuid=owner, status=CertificateStatus.PENDING_DELIVERY) \
                and all(current_crl(product).get_revoked_certificate_by_serial_number(int(row.serial, 16))
                        for row in revoked):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"a certificate still awaits delivery, or the CRL, after {VOID_WAIT_SECONDS} s")


def current_crl(product: Product) -> x509.CertificateRevocationList:
    """The CRL the worker published last, its signature checked against the CA."""
    crl = x509.load_der_x509_crl((product.data_dir / "pki" / CRL_DER).read_bytes())
    ca = x509.load_pem_x509_certificate(product.ca_certificate.read_bytes())
    assert crl.is_signature_valid(ca.public_key())
    return crl


def assert_nothing_stranded(product: Product) -> None:
    """No ACTIVE certificate that was never delivered; every undelivered one revoked and, once the
    revocation's CRL is out (the worker publishes it right after; allow it ``CRL_SETTLE_SECONDS``), on it."""
    delivered = delivered_serials(product)
    for row in rows(product, status=CertificateStatus.ACTIVE):
        assert row.delivered_at is not None and row.serial in delivered, row.serial
    revoked = rows(product, status=CertificateStatus.REVOKED)
    for row in revoked:
        assert row.delivered_at is None and row.revocation_reason == CrlReason.CESSATION_OF_OPERATION.value
    deadline = time.monotonic() + CRL_SETTLE_SECONDS
    while missing := [row.serial for row in revoked
                      if current_crl(product).get_revoked_certificate_by_serial_number(int(row.serial, 16)) is None]:
        assert time.monotonic() < deadline, f"{missing} not on the CRL after {CRL_SETTLE_SECONDS} s"
        time.sleep(0.2)
    assert {row.status for row in rows(product)} <= {CertificateStatus.ACTIVE, CertificateStatus.REVOKED}


async def assert_one_usable_certificate(product: Product, user: MadeUser, final: Page | None, tmp_path: Path) -> None:
    """⑦ handed over a .p12 that opens with the password, and it is the user's one ACTIVE certificate,
    which logs in over mutual TLS at once."""
    assert final is not None and final.status == 200, final and final.text
    download, serial = DOWNLOAD.search(final.text), SERIAL.search(final.text)
    assert download and serial, final.text
    p12 = tmp_path / download.group(2)
    p12.write_bytes(b64decode(download.group(1)))
    opened = openssl("pkcs12", "-in", str(p12), "-passin", f"pass:{user.passwords[-1]}", "-noout")
    assert opened.returncode == 0, opened.stderr
    [active] = rows(product, owner_uuid=uuid.UUID(user.uuid), status=CertificateStatus.ACTIVE)
    assert active.serial == serial.group(1)

    key, certificate, _ = pkcs12.load_key_and_certificates(p12.read_bytes(), user.passwords[-1].encode())
    browser = product.browser(tmp_path / "login", timeout=30, key=key,
                              certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode())
    for _ in range(LOGIN_ATTEMPTS):
        top = await asyncio.to_thread(browser.log_in, user.passwords[-1])
        # After a SIGKILLed worker, the user's lockout workflow waits on that worker's sticky queue
        # until Temporal gives up on it (10 s), longer than the web waits for the arbiter (8 s):
        # the page says "try again later", and the user does.
        if messages.LOCKOUT_UNAVAILABLE not in top.text:
            break
    assert top.url.endswith("/employer/") and active.serial in top.text, top.text
