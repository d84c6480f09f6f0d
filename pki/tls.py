"""TLS contexts: HTTPS with optional client certificates (certificate login, SPEC.md §1)."""

from __future__ import annotations

import ssl
from pathlib import Path

X509_V_FLAG_NO_CHECK_TIME = 0x200000  # OpenSSL's flag; the ssl module has no name for it


def server_context(*, certificate: Path, key: Path, client_ca: Path) -> ssl.SSLContext:
    """TLS 1.2+; a client certificate is asked for, optional, and must chain to ``client_ca`` when sent.

    The client CA's name goes into the CertificateRequest, so browsers offer only matching certificates.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile=certificate, keyfile=key)
    context.load_verify_locations(cafile=client_ca)
    context.verify_mode = ssl.CERT_OPTIONAL
    # Validity dates are the application's to judge (``domain.certificate_login``): an expired
    # certificate then gets a page that says so instead of a failed handshake. The chain to
    # ``client_ca`` is still verified here.
    context.verify_flags |= X509_V_FLAG_NO_CHECK_TIME
    return context


def peer_certificate_pem(connection: ssl.SSLSocket) -> str | None:
    """The verified client certificate as PEM (what nginx puts in ``$ssl_client_cert``), or None."""
    der = connection.getpeercert(binary_form=True)
    return ssl.DER_cert_to_PEM_cert(der) if der else None
