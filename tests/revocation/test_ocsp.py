"""The OCSP responder (RFC 6960) as OpenSSL sees it: `openssl ocsp` against ``pki.ocsp.respond`` behind a
tiny test-only HTTP server, answering good / revoked (time, reason) / unknown from the database,
signed by the delegated responder certificate or by the CA."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509 import ocsp as x509_ocsp

from domain.revocation import RevocationReason
from pki.ca import load_client_ca
from pki.devca import ensure_dev_pki
from pki.ocsp import CONTENT_TYPE_RESPONSE, NEXT_UPDATE_AFTER, OcspSigner, respond
from pki.ocsp_responder import RESPONDER_CERTIFICATE, ensure_responder, load_signer
from store import certificates as certificate_store
from store import revocation_direct
from store import users as user_store
from tests.fixtures.servers import serving
from tests.pki.conftest import openssl

from .conftest import OCSP_URL, World


class _Responder(BaseHTTPRequestHandler):
    session_factory = None
    signer: OcspSigner | None = None

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.session_factory() as session:
            answer = respond(body, session=session, signer=self.signer)
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE_RESPONSE)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@contextmanager
def ocsp_server(session_factory, signer: OcspSigner) -> Iterator[str]:  # noqa: ANN001
    handler = type("Responder", (_Responder,), {"session_factory": session_factory, "signer": signer})
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}/ocsp"


def pem_file(tmp_path: Path, session_factory, serial: str) -> Path:  # noqa: ANN001
    with session_factory() as session:
        row = certificate_store.get_by_serial(session=session, serial=serial)
    path = tmp_path / f"{serial}.pem"
    path.write_text(row.certificate_pem)
    return path


def ask(url: str, ca: Path, certificate: Path, *, verify_with: Path | None = None) -> str:
    result = openssl("ocsp", "-issuer", str(ca), "-cert", str(certificate), "-url", url,
                     "-CAfile", str(verify_with or ca), "-resp_text")
    return result.stdout + result.stderr


@pytest.fixture
def revoked_general(session_factory, world: World) -> datetime:  # noqa: ANN001
    """The general user's certificate revoked by the master (退職・異動 → affiliationChanged)."""
    with session_factory.begin() as session:
        master = user_store.get_by_uuid(session=session, user_uuid=world.master.uuid)
        at = datetime.now(timezone.utc)
        revocation_direct.revoke_by_master(session=session, master=master, user_uuid=world.general.uuid,
                                           reason=RevocationReason.LEFT, now=at)
    return at


@pytest.mark.parametrize("delegated", [True, False], ids=["delegated-responder", "ca"])
def test_openssl_hears_good_revoked_and_unknown(session_factory, world, revoked_general, revocation_pki, tmp_path,
                                                delegated):
    ca = load_client_ca(revocation_pki.ca_certificate, revocation_pki.ca_key)
    if delegated:
        assert ensure_responder(revocation_pki.directory, ca, datetime.now(timezone.utc))
        signer = load_signer(revocation_pki.directory, ca.certificate)
        assert signer is not None and signer.delegated
    else:
        signer = OcspSigner.by_ca(ca)
    master_pem = pem_file(tmp_path, session_factory, world.master_serial)
    general_pem = pem_file(tmp_path, session_factory, world.general_serial)
    foreign_pem = revocation_pki.dev_client_certificate  # signed by the same CA, never issued by us
    other_ca = ensure_dev_pki(tmp_path / "other")

    with ocsp_server(session_factory, signer) as url:
        good = ask(url, revocation_pki.ca_certificate, master_pem)
        revoked = ask(url, revocation_pki.ca_certificate, general_pem)
        unknown = ask(url, revocation_pki.ca_certificate, foreign_pem)
        other_issuer = ask(url, other_ca.ca_certificate, other_ca.dev_client_certificate)
        wrong_trust = ask(url, revocation_pki.ca_certificate, master_pem, verify_with=other_ca.ca_certificate)

    assert "Response verify OK" in good and f"{master_pem}: good" in good
    assert "WARNING" not in good  # the nonce came back, the times are sane
    assert "Response verify OK" in revoked and f"{general_pem}: revoked" in revoked
    assert "Reason: affiliationChanged" in revoked
    revocation_time = re.search(r"Revocation Time: (.+)", revoked).group(1).strip()
    assert datetime.strptime(revocation_time, "%b %d %H:%M:%S %Y %Z").replace(tzinfo=timezone.utc) \
        == revoked_general.replace(microsecond=0)
    assert f"{foreign_pem}: unknown" in unknown and "Response verify OK" in unknown
    assert f"{other_ca.dev_client_certificate}: unknown" in other_issuer
    # A delegated responder must chain to a trusted CA; a CA-signed answer is trusted through -issuer
    # itself (OpenSSL's direct-issuer rule), its signature is checked in the test below.
    assert ("Response Verify Failure" in wrong_trust) is delegated
    this_update = re.search(r"This Update: (.+)", good).group(1).strip()
    next_update = re.search(r"Next Update: (.+)", good).group(1).strip()
    parsed = [datetime.strptime(text, "%b %d %H:%M:%S %Y %Z") for text in (this_update, next_update)]  # noqa: DTZ007  both GMT
    assert parsed[1] - parsed[0] == NEXT_UPDATE_AFTER
    if delegated:
        assert "Rokin OCSP Responder" in good  # responder ID and the included certificate


def test_a_request_built_by_openssl_gets_a_signed_answer_echoing_its_nonce(session_factory, world, revocation_pki,
                                                                           tmp_path):
    ca = load_client_ca(revocation_pki.ca_certificate, revocation_pki.ca_key)
    request_path = tmp_path / "request.der"
    made = openssl("ocsp", "-issuer", str(revocation_pki.ca_certificate), "-sha256",
                   "-cert", str(pem_file(tmp_path, session_factory, world.master_serial)),
                   "-reqout", str(request_path))
    assert made.returncode == 0, made.stderr
    request = x509_ocsp.load_der_ocsp_request(request_path.read_bytes())
    with session_factory() as session:
        answer = x509_ocsp.load_der_ocsp_response(respond(request_path.read_bytes(), session=session,
                                                          signer=OcspSigner.by_ca(ca)))
    assert answer.response_status is x509_ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status is x509_ocsp.OCSPCertStatus.GOOD
    assert answer.serial_number == int(world.master_serial, 16) and isinstance(answer.hash_algorithm, hashes.SHA256)
    assert answer.extensions.get_extension_for_class(x509.OCSPNonce).value == \
        request.extensions.get_extension_for_class(x509.OCSPNonce).value
    ca.certificate.public_key().verify(answer.signature, answer.tbs_response_bytes, padding.PKCS1v15(),
                                       answer.signature_hash_algorithm)  # raises if not the CA's signature


@pytest.mark.parametrize("body", [b"", b"not an ocsp request", b"\x30" * 20_000])
def test_garbage_gets_malformed_request_unsigned(session_factory, revocation_pki, body):
    ca = load_client_ca(revocation_pki.ca_certificate, revocation_pki.ca_key)
    with session_factory() as session:
        answer = x509_ocsp.load_der_ocsp_response(respond(body, session=session, signer=OcspSigner.by_ca(ca)))
    assert answer.response_status is x509_ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_the_responder_certificate_is_short_lived_for_ocsp_signing_only_and_renewed(revocation_pki, tmp_path):
    ca = load_client_ca(revocation_pki.ca_certificate, revocation_pki.ca_key)
    now = datetime.now(timezone.utc)
    assert ensure_responder(revocation_pki.directory, ca, now) is True
    assert ensure_responder(revocation_pki.directory, ca, now) is False  # kept while usable
    path = revocation_pki.directory / RESPONDER_CERTIFICATE
    text = openssl("x509", "-in", str(path), "-noout", "-text").stdout
    assert "OCSP Signing" in text and "OCSP No Check" in text and "CA:FALSE" in text
    assert openssl("verify", "-CAfile", str(revocation_pki.ca_certificate), str(path)).returncode == 0
    assert oct((revocation_pki.directory / "ocsp.key").stat().st_mode & 0o777) == "0o600"
    before = load_signer(revocation_pki.directory, ca.certificate)
    assert load_signer(revocation_pki.directory, ca.certificate) is before  # read once, not per request
    assert ensure_responder(revocation_pki.directory, ca, now + timedelta(days=24)) is True  # a week before its end
    renewed = load_signer(revocation_pki.directory, ca.certificate)  # the web signs with the new pair at once
    assert renewed.certificate.serial_number != before.certificate.serial_number
    assert renewed.certificate == x509.load_pem_x509_certificate(path.read_bytes())
    assert load_signer(tmp_path / "nowhere", ca.certificate) is None


async def test_new_certificates_name_the_ocsp_responder(world, session_factory, tmp_path):
    uri = openssl("x509", "-in", str(pem_file(tmp_path, session_factory, world.master_serial)), "-noout",
                  "-ocsp_uri").stdout.strip()
    assert uri == OCSP_URL
    certificate = x509.load_pem_x509_certificate(pem_file(tmp_path, session_factory, world.master_serial).read_bytes())
    access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert [item.access_location.value for item in access] == [OCSP_URL]
