"""GET /crl over plain HTTP from the PKI listener (``rokin pki-http``'s app), read by OpenSSL."""

from __future__ import annotations

import http.client
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from werkzeug.serving import make_server

from domain.certificates import CrlReason
from domain.roles import CertificateStatus
from store import certificates as certificate_store
from tests.fixtures.servers import serving
from web.pki_http import create_pki_app

from .arrange import record_certificate


def http_get(port: int, path: str) -> tuple[int, str | None, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def serve(app) -> Iterator[int]:  # noqa: ANN001
    with serving(make_server("127.0.0.1", 0, app, threaded=True)) as server:
        yield server.port


@pytest.fixture
def pki_port(app, settings) -> Iterator[int]:  # noqa: ANN001
    """The PKI listener for the test's settings (``app`` keeps the worker polling meanwhile)."""
    yield from serve(create_pki_app(settings))


def read_crl(der: bytes, tmp_path, ca_certificate) -> str:  # noqa: ANN001
    path = tmp_path / "crl.der"
    path.write_bytes(der)
    parsed = subprocess.run(["openssl", "crl", "-inform", "DER", "-in", str(path), "-noout", "-text", "-verify",
                             "-CAfile", str(ca_certificate)], capture_output=True, text=True, check=False)
    assert parsed.returncode == 0, parsed.stderr
    assert "verify OK" in parsed.stdout + parsed.stderr
    return parsed.stdout


def test_the_crl_is_made_when_missing_and_lists_a_superseded_certificate(
        pki_port, master, app, settings, client_ca, tmp_path):
    factory = app.extensions["rokin"].session_factory
    serial = record_certificate(factory, master.user_id, datetime.now(timezone.utc))
    with factory.begin() as session:
        row = certificate_store.get_by_serial(session=session, serial=serial)
        certificate_store.end_certificate(session=session, certificate=row, status=CertificateStatus.SUPERSEDED,
                                          reason=CrlReason.SUPERSEDED, at=datetime.now(timezone.utc))
    assert not (settings.pki_dir / "crl.der").exists()

    status, content_type, body = http_get(pki_port, "/crl")
    assert (status, content_type) == (200, "application/pkix-crl")
    text = read_crl(body, tmp_path, client_ca.ca_certificate)
    assert serial.upper() in text.upper().replace(":", "")
    assert "Superseded" in text
    assert (settings.pki_dir / "crl.der").read_bytes() == body  # the worker's file, served as it is


def test_the_pki_listener_serves_nothing_else(pki_port):
    for path in ("/", "/login", "/certificate/issue", "/employer/", "/staff/login", "/static/css/app.css"):
        status, _, body = http_get(pki_port, path)
        assert (status, body) == (404, b"404\n"), path


def test_without_a_crl_and_without_temporal_the_answer_is_503(settings, client_ca):
    unreachable = replace(settings, temporal_address="127.0.0.1:1")
    for port in serve(create_pki_app(unreachable)):
        assert http_get(port, "/crl")[:2] == (503, "text/plain; charset=utf-8")


def test_the_https_app_serves_the_same_crl(client, pki_port, settings):
    status, _, body = http_get(pki_port, "/crl")
    assert status == 200
    response = client.get("/crl")
    assert response.status_code == 200 and response.data == body
    assert response.headers["Content-Type"] == "application/pkix-crl"
