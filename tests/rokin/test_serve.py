"""Real TLS handshakes against the serving code of ``rokin web``: optional client certificates."""

from __future__ import annotations

import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID
from flask import Flask, request

from pki import certificates
from pki.devca import DevPki
from pki.files import write_certificate, write_private_key
from pki.tls import server_context
from rokin.serve import CLIENT_CERT_KEY, context_for, make_https_server
from tests.fixtures.mail import free_port
from tests.fixtures.servers import serving

from .conftest import REPO, ROKIN, client_context, https_get, rokin_env

LOGIN_SCREEN = "ろうきん賃金控除事務支援システムログイン画面"
PROBE = "/_test/client-certificate"  # exists only in these tests' app


@pytest.fixture
def probed_app(app: Flask) -> Flask:
    """The product app plus one test-only route that reports what the TLS layer handed over."""

    @app.get(PROBE)
    def _client_certificate() -> str:
        return request.environ.get(CLIENT_CERT_KEY, "absent")

    return app


def start_server(app: Flask, context: ssl.SSLContext) -> Iterator[int]:
    with serving(make_https_server(app, "127.0.0.1", 0, context)) as server:
        yield server.port


@pytest.fixture
def https_port(probed_app: Flask, dev_pki: DevPki) -> Iterator[int]:
    yield from start_server(probed_app, context_for(dev_pki))


def foreign_client(directory: Path) -> tuple[Path, Path]:
    """A client certificate from a CA the web has never heard of, with the same names as ours."""
    now = datetime.now(timezone.utc)
    ca_key = certificates.new_rsa_key()
    ca = certificates.build_ca_certificate(key=ca_key, subject=certificates.subject_name(
        "Rokin Development CA", "Rokin (development)"), now=now, valid_for=timedelta(days=30))
    key = certificates.new_rsa_key()
    certificate = certificates.build_leaf_certificate(
        issuer=ca, issuer_key=ca_key, public_key=key.public_key(),
        subject=certificates.subject_name("dev-client", "Rokin (development)"),
        purpose=ExtendedKeyUsageOID.CLIENT_AUTH, now=now, valid_for=timedelta(days=30))
    directory.mkdir()
    write_certificate(directory / "client.pem", certificate)
    write_private_key(directory / "client.key", key)
    return directory / "client.pem", directory / "client.key"


def test_without_a_client_certificate_the_page_is_served_and_no_certificate_reaches_the_app(
        https_port: int, dev_pki: DevPki) -> None:
    context = client_context(dev_pki)
    status, page = https_get(https_port, "/", context)
    assert status == 200
    assert LOGIN_SCREEN in page
    assert https_get(https_port, PROBE, context) == (200, "absent")


def test_the_dev_client_certificate_reaches_the_app_as_pem(https_port: int, dev_pki: DevPki) -> None:
    context = client_context(dev_pki, dev_pki.dev_client_certificate, dev_pki.dev_client_key)
    status, pem = https_get(https_port, PROBE, context)
    assert status == 200
    assert pem.strip() == dev_pki.dev_client_certificate.read_text().strip()


def test_a_header_cannot_pretend_to_be_the_client_certificate(https_port: int, dev_pki: DevPki) -> None:
    forged = {"SSL-Client-Cert": dev_pki.dev_client_certificate.read_text().replace("\n", "")}
    assert https_get(https_port, PROBE, client_context(dev_pki), headers=forged) == (200, "absent")


def test_a_client_certificate_from_a_foreign_ca_is_refused_and_the_server_keeps_serving(
        https_port: int, dev_pki: DevPki, tmp_path: Path) -> None:
    certificate, key = foreign_client(tmp_path / "foreign")
    with pytest.raises((ssl.SSLError, ConnectionError)):
        https_get(https_port, PROBE, client_context(dev_pki, certificate, key))
    assert https_get(https_port, PROBE, client_context(dev_pki)) == (200, "absent")


def test_a_stalled_handshake_does_not_block_other_clients(https_port: int, dev_pki: DevPki) -> None:
    """A browser waiting in its certificate prompt holds a connection open mid-handshake."""
    with socket.create_connection(("127.0.0.1", https_port)):  # connects, never sends ClientHello
        assert https_get(https_port, "/", client_context(dev_pki))[0] == 200


def test_the_web_needs_the_ca_certificate_but_not_the_ca_key(probed_app: Flask, dev_pki: DevPki,
                                                              tmp_path: Path) -> None:
    web_only = DevPki(tmp_path / "web-pki")
    web_only.directory.mkdir()
    for path in (dev_pki.server_certificate, dev_pki.server_key, dev_pki.ca_certificate):
        shutil.copy(path, web_only.directory / path.name)
    context = client_context(dev_pki, dev_pki.dev_client_certificate, dev_pki.dev_client_key)
    for port in start_server(probed_app, context_for(web_only)):
        assert https_get(port, PROBE, context)[1].startswith("-----BEGIN CERTIFICATE-----")


def test_tls_below_1_2_is_not_offered(dev_pki: DevPki) -> None:
    context = server_context(certificate=dev_pki.server_certificate, key=dev_pki.server_key,
                             client_ca=dev_pki.client_ca_certificate)
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_OPTIONAL


def test_rokin_web_serves_https_and_stops_cleanly_on_sigterm(dev_pki: DevPki, settings) -> None:  # noqa: ANN001
    port = free_port()
    env = rokin_env(settings.data_dir, DATABASE_URL=settings.database_url)
    process = subprocess.Popen([str(ROKIN), "web", "--port", str(port)], env=env, cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = _wait_for_page(port, client_context(dev_pki, dev_pki.dev_client_certificate, dev_pki.dev_client_key))
        assert LOGIN_SCREEN in page
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_rokin_web_without_a_pki_says_so_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run([str(ROKIN), "web", "--port", str(free_port())], env=rokin_env(tmp_path / "var"),
                            cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("rokin web: ") and "rokin dev" in result.stderr


def _wait_for_page(port: int, context: ssl.SSLContext, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, page = https_get(port, "/", context)
            if status == 200:
                return page
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"https://localhost:{port}/ did not answer within {timeout}s")
        time.sleep(0.2)


def test_a_refused_client_certificate_gets_a_log_line_and_a_browser_alert_does_not(
        https_port: int, dev_pki: DevPki, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """`rokin dev`'s terminal: a browser that does not trust the dev CA yet alerts on every connection
    (debug only); a client certificate we refused is what a developer needs to see (info)."""
    caplog.set_level("DEBUG", logger="werkzeug")
    untrusting = ssl.create_default_context()  # no dev CA: the client aborts with an alert of its own
    with pytest.raises(ssl.SSLError):
        https_get(https_port, PROBE, untrusting)
    certificate, key = foreign_client(tmp_path / "foreign")
    with pytest.raises((ssl.SSLError, ConnectionError)):
        https_get(https_port, PROBE, client_context(dev_pki, certificate, key))
    deadline = time.monotonic() + 10
    while len(failures := [(record.levelname, record.getMessage()) for record in caplog.records
                           if "TLS handshake failed" in record.getMessage()]) < 2:  # each on its own thread
        assert time.monotonic() < deadline, failures
        time.sleep(0.05)
    assert [level for level, message in failures if "ALERT_UNKNOWN_CA" in message] == ["DEBUG"]
    assert [level for level, message in failures if "CERTIFICATE_VERIFY_FAILED" in message] == ["INFO"]
