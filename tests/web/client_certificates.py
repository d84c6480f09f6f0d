"""Client certificates for the page tests: real ones, signed by the test's CA and recorded in its
database like the signing activity does, presented to the Flask client the way ``rokin web``'s
TLS layer presents them (``environ["SSL_CLIENT_CERT"]``).

Signing here instead of running ④→⑦ each time keeps logins cheap; the issuance pages have tests
of their own (``tests/web/certificates``). The private key does not matter to the Flask client
(no TLS), so every certificate shares one key, made once per run.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask.testing import FlaskClient

from core.serving import CLIENT_CERT_KEY
from pki.ca import load_client_ca
from pki.csr import KeyAndCsr, new_key_and_csr, parse_csr
from pki.issue import (
    CertificateSubject,
    build_client_certificate,
    certificate_pem,
    fingerprint_sha256,
    new_serial,
    serial_hex,
)
from store import certificates as certificate_store
from store import users as user_store
from tests.fixtures.browser import PAGE_TIMEOUT_MS


@functools.cache
def shared_key() -> KeyAndCsr:
    return new_key_and_csr("test")


def sign_certificate(app: Flask, user_id: str, *, issued_at: datetime | None = None) -> str:
    """A new certificate for ``user_id`` issued at ``issued_at`` (default now), recorded; its PEM."""
    settings = app.extensions["rokin"].settings
    ca = load_client_ca(settings.ca_certificate_path, settings.ca_key_path)
    with app.extensions["rokin"].session_factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        assert user is not None, user_id
        certificate = build_client_certificate(
            ca=ca, csr=parse_csr(shared_key().csr_pem),
            subject=CertificateSubject(user.user_id, user.organization.code),
            serial=new_serial(), issued_at=issued_at or datetime.now(timezone.utc), crl_url=settings.crl_url)
        pem = certificate_pem(certificate)
        certificate_store.record_issued(session=session, user=user, new=certificate_store.NewCertificate(
            request_id=str(uuid.uuid4()), serial=serial_hex(certificate.serial_number), certificate_pem=pem,
            fingerprint_sha256=fingerprint_sha256(certificate), not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc))
        return pem


def certificate_for(app: Flask, user_id: str) -> str:
    """The user's newest live certificate, or a new one."""
    with app.extensions["rokin"].session_factory() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        assert user is not None, user_id
        for row in certificate_store.live_certificates(session=session, user_uuid=user.uuid,
                                                       now=datetime.now(timezone.utc)):
            if row.certificate_pem.startswith("-----BEGIN CERTIFICATE-----"):
                return row.certificate_pem
    return sign_certificate(app, user_id)


def present(client: FlaskClient, pem: str | None) -> None:
    """From now on every request of ``client`` comes with ``pem`` (None: with no certificate)."""
    if pem is None:
        client.environ_base.pop(CLIENT_CERT_KEY, None)
    else:
        client.environ_base[CLIENT_CERT_KEY] = pem


# --- Chromium (Playwright's ``client_certificates``) ----------------------------------------


async def browser_context_with(browser, base_url: str, *, pem_files: tuple[Path, Path] | None = None,  # noqa: ANN001, ANN201
                               p12: Path | None = None, password: str | None = None):
    """A fresh Chromium context that presents a client certificate to ``base_url``: PEM certificate
    and key files, or a .p12 with its password (the file ⑦ downloaded)."""
    if p12 is not None:
        certificate = {"origin": base_url, "pfxPath": str(p12), "passphrase": password}
    else:
        assert pem_files is not None
        certificate = {"origin": base_url, "certPath": str(pem_files[0]), "keyPath": str(pem_files[1])}
    context = await browser.new_context(ignore_https_errors=True, locale="ja-JP", client_certificates=[certificate])
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    return context


def certificate_files(app: Flask, user_id: str, directory: Path) -> tuple[Path, Path]:
    """The user's certificate (``certificate_for``) and the shared key, as PEM files in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate, key = directory / f"{user_id}.pem", directory / f"{user_id}.key"
    certificate.write_text(certificate_for(app, user_id))
    key.write_bytes(shared_key().key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
    return certificate, key


def watch_for_errors(page, errors: list[str]) -> None:  # noqa: ANN001
    """Collect console errors (CSP violations included) and script errors of ``page``."""
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
