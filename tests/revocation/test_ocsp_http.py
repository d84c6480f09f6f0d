"""The OCSP endpoint of the plain-HTTP PKI listener (``web.pki_http``), live in a thread, asked by
`openssl ocsp -url` (POST) and by hand (GET /ocsp/<base64>, RFC 6960 A.1)."""

from __future__ import annotations

import base64
import http.client
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import quote

import pytest
from cryptography.x509 import ocsp as x509_ocsp
from werkzeug.serving import make_server

from core.config import Settings
from domain.revocation import RevocationReason
from pki.ca import load_client_ca
from pki.ocsp import CONTENT_TYPE_REQUEST, CONTENT_TYPE_RESPONSE
from pki.ocsp_responder import ensure_responder
from store import revocation_direct
from store import users as user_store
from tests.fixtures.payload_keys import TEST_PAYLOAD_KEYS
from tests.fixtures.servers import serving
from tests.pki.conftest import openssl
from web.pki_http import create_pki_app

from .test_ocsp import ask, pem_file


@pytest.fixture
def pki_url(database_url, revocation_pki, tmp_path) -> Iterator[str]:  # noqa: ANN001
    """The PKI listener over the test's database; its PKI directory is ``revocation_pki``'s."""
    assert revocation_pki.directory == tmp_path / "pki"
    settings = replace(Settings.from_env({}), data_dir=tmp_path, database_url=database_url,
                       temporal_address="127.0.0.1:1", payload_keys=TEST_PAYLOAD_KEYS)
    with serving(make_server("127.0.0.1", 0, create_pki_app(settings), threaded=True)) as server:
        yield f"http://127.0.0.1:{server.port}"


def fetch(url: str, method: str, path: str, body: bytes | None = None,
         content_type: str = CONTENT_TYPE_REQUEST) -> tuple[int, str | None, bytes]:
    connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=30)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": content_type} if body else {})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def revoke_general(session_factory, world) -> None:  # noqa: ANN001
    with session_factory.begin() as session:
        master = user_store.get_by_uuid(session=session, user_uuid=world.master.uuid)
        revocation_direct.revoke_by_master(session=session, master=master, user_uuid=world.general.uuid,
                                           reason=RevocationReason.SUSPECTED_MISUSE, now=datetime.now(timezone.utc))


def test_openssl_asks_the_pki_listener_good_revoked_unknown(session_factory, world, revocation_pki, pki_url,
                                                             tmp_path):
    ca_pem = revocation_pki.ca_certificate
    master_pem = pem_file(tmp_path, session_factory, world.master_serial)
    general_pem = pem_file(tmp_path, session_factory, world.general_serial)

    before = ask(f"{pki_url}/ocsp", ca_pem, master_pem)
    assert "Responder Error: trylater" in before  # the worker has not made the responder certificate yet

    ensure_responder(revocation_pki.directory, load_client_ca(ca_pem, revocation_pki.ca_key),
                     datetime.now(timezone.utc))
    assert f"{general_pem}: good" in ask(f"{pki_url}/ocsp", ca_pem, general_pem)
    revoke_general(session_factory, world)  # in force at once: the answer is read from the database
    revoked = ask(f"{pki_url}/ocsp", ca_pem, general_pem)
    assert "Response verify OK" in revoked and f"{general_pem}: revoked" in revoked
    assert "Reason: keyCompromise" in revoked
    good = ask(f"{pki_url}/ocsp", ca_pem, master_pem)
    assert "Response verify OK" in good and f"{master_pem}: good" in good
    foreign = revocation_pki.dev_client_certificate
    assert f"{foreign}: unknown" in ask(f"{pki_url}/ocsp", ca_pem, foreign)


def test_get_with_base64_and_what_is_not_ocsp(session_factory, world, revocation_pki, pki_url, tmp_path):
    ensure_responder(revocation_pki.directory, load_client_ca(revocation_pki.ca_certificate, revocation_pki.ca_key),
                     datetime.now(timezone.utc))
    request_path = tmp_path / "request.der"
    made = openssl("ocsp", "-issuer", str(revocation_pki.ca_certificate), "-no_nonce",
                   "-cert", str(pem_file(tmp_path, session_factory, world.master_serial)), "-reqout", str(request_path))
    assert made.returncode == 0, made.stderr
    encoded = quote(base64.b64encode(request_path.read_bytes()).decode(), safe="")
    status, content_type, body = fetch(pki_url, "GET", f"/ocsp/{encoded}")
    assert (status, content_type) == (200, CONTENT_TYPE_RESPONSE)
    answer = x509_ocsp.load_der_ocsp_response(body)
    assert answer.response_status is x509_ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status is x509_ocsp.OCSPCertStatus.GOOD
    assert answer.serial_number == int(world.master_serial, 16)

    status, _, body = fetch(pki_url, "GET", "/ocsp/not-base64!")
    assert status == 200
    assert x509_ocsp.load_der_ocsp_response(body).response_status is x509_ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    assert fetch(pki_url, "POST", "/ocsp", b"x", content_type="text/plain")[0] == 415
    assert fetch(pki_url, "POST", "/ocsp", b"\x30" * 20_000)[0] == 413
    assert fetch(pki_url, "GET", "/employer/")[0] == 404  # nothing else over plain HTTP
