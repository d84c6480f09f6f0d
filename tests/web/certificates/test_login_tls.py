"""Certificate login over real mutual TLS (``rokin web``'s server in a thread, a Python TLS client
with the certificate and key): good, expired, revoked, superseded, unknown and foreign ones."""

from __future__ import annotations

import html
import ssl
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from domain.certificate_login import CertificateLoginProblem
from domain.certificates import CrlReason
from domain.roles import CertificateStatus
from pki.files import load_private_key
from store import certificates as certificate_store
from tests.rokin.test_serve import foreign_client
from web import messages

from ..client_certificates import shared_key, sign_certificate
from .issuing import issue_certificate
from .tls_client import TlsBrowser

PROBLEM_PAGE = 403


@pytest.fixture
def browser_for(live_server, client_ca, tmp_path):  # noqa: ANN001, ANN201
    """A TLS client presenting ``pem`` with ``key`` (default: the shared test key), or nothing."""
    counter = iter(range(1000))

    def make(pem: str | None = None, key=None) -> TlsBrowser:  # noqa: ANN001
        return TlsBrowser(live_server, client_ca.ca_certificate, tmp_path / f"client{next(counter)}", pem,
                          key or (shared_key().key if pem else None))

    return make


def problem_text(problem: CertificateLoginProblem) -> str:
    return html.escape(messages.render(problem), quote=False)


def end(app, pem: str, status: CertificateStatus, reason: CrlReason) -> None:  # noqa: ANN001
    serial = format(x509.load_pem_x509_certificate(pem.encode()).serial_number, "x")
    with app.extensions["rokin"].session_factory.begin() as session:
        row = certificate_store.get_by_serial(session=session, serial=serial)
        assert certificate_store.end_certificate(session=session, certificate=row, status=status, reason=reason,
                                                 at=datetime.now(timezone.utc))


def test_the_issued_p12_logs_in_and_the_top_screen_shows_the_certificate(client, registered, browser_for):
    issued = issue_certificate(client, registered.user_id, registered.password)
    key, certificate, _ = pkcs12.load_key_and_certificates(issued.p12, registered.password.encode())
    browser = browser_for(certificate.public_bytes(serialization.Encoding.PEM).decode(), key)
    page = browser.get("/login")
    assert page.status == 200 and registered.user_id in page.text and 'id="password"' in page.text
    top = browser.log_in(registered.password)
    assert top.url.endswith("/employer/"), top.text
    assert f'<dd id="my-certificate-serial" class="serial">{issued.serial}</dd>' in top.text
    assert "366日" in top.text and 'id="renewal-banner"' not in top.text


def test_no_certificate_explains_and_links_to_issuance(browser_for):
    page = browser_for().get("/login")
    assert page.status == 200
    assert "電子証明書が選択されていません。" in page.text
    assert 'href="/certificate/issue"' in page.text and 'id="password"' not in page.text


@pytest.mark.parametrize(("arrange", "problem"), [
    ("expired", CertificateLoginProblem.EXPIRED),
    ("revoked", CertificateLoginProblem.REVOKED),
    ("unknown", CertificateLoginProblem.UNKNOWN),
])
def test_a_certificate_that_may_not_log_in_gets_a_page_that_says_why(app, master, browser_for, session_dev_pki,
                                                                     arrange, problem):
    if arrange == "expired":  # issued 366 days ago: its last day was yesterday
        pem = sign_certificate(app, master.user_id, issued_at=datetime.now(timezone.utc) - timedelta(days=367))
    elif arrange == "revoked":
        pem = sign_certificate(app, master.user_id)
        end(app, pem, CertificateStatus.REVOKED, CrlReason.KEY_COMPROMISE)
    else:  # the dev CA's sample client certificate: our CA, but never issued to a user
        browser = browser_for(session_dev_pki.dev_client_certificate.read_text(),
                              load_private_key(session_dev_pki.dev_client_key))
        pem = None
    browser = browser if pem is None else browser_for(pem)
    page = browser.get("/login")
    assert page.status == PROBLEM_PAGE and problem_text(problem) in page.text
    assert 'id="password"' not in page.text


def test_first_use_of_the_renewal_supersedes_the_old_certificate(app, master, browser_for):
    old = sign_certificate(app, master.user_id, issued_at=datetime.now(timezone.utc) - timedelta(days=340))
    old_browser = browser_for(old)
    assert old_browser.log_in(master.password).url.endswith("/employer/")  # the old one works until...
    new = sign_certificate(app, master.user_id)  # renewed (day 341: inside the window)
    assert old_browser.get("/employer/").status == 200
    assert browser_for(new).log_in(master.password).url.endswith("/employer/")  # ...the new one is used
    # The old certificate's session ends at its next request, and it cannot log in again.
    after = old_browser.get("/employer/")
    assert after.url.endswith("/") and problem_text(CertificateLoginProblem.SUPERSEDED) in after.text
    page = old_browser.get("/login")
    assert page.status == PROBLEM_PAGE and problem_text(CertificateLoginProblem.SUPERSEDED) in page.text


def test_a_revocation_ends_the_session_at_the_next_request(app, master, browser_for):
    pem = sign_certificate(app, master.user_id)
    browser = browser_for(pem)
    assert browser.log_in(master.password).url.endswith("/employer/")
    end(app, pem, CertificateStatus.REVOKED, CrlReason.KEY_COMPROMISE)
    after = browser.get("/employer/")
    assert after.url.endswith("/") and problem_text(CertificateLoginProblem.REVOKED) in after.text
    assert browser.get("/employer/").url.endswith("/?next=%2Femployer%2F")


def test_a_foreign_ca_certificate_fails_the_handshake(browser_for, tmp_path):
    certificate, key_path = foreign_client(tmp_path / "foreign")
    browser = browser_for(certificate.read_text(), load_private_key(key_path))
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        browser.get("/login")
