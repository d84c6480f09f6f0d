"""The development CA as the product's client CA, and a certificate issued by it (real keys, real files)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography import x509

from pki.ca import ClientCa, load_client_ca
from pki.csr import KeyAndCsr, new_key_and_csr, parse_csr
from pki.devca import DevPki, ensure_dev_pki
from pki.issue import CertificateSubject, build_client_certificate, certificate_pem, new_serial

USER_ID = "abc123XY"
ORGANIZATION_CODE = "4321"
CRL_URL = "https://rokin.example.jp/crl"


def openssl(*arguments: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *arguments], capture_output=True, text=True, check=False, input=input)


@dataclass(frozen=True)
class Issued:
    pki: DevPki
    ca: ClientCa
    key_and_csr: KeyAndCsr
    certificate: x509.Certificate
    pem_path: Path


@pytest.fixture(scope="module")
def dev_pki(tmp_path_factory) -> DevPki:  # noqa: ANN001
    return ensure_dev_pki(tmp_path_factory.mktemp("var") / "pki")


@pytest.fixture(scope="module")
def client_ca(dev_pki: DevPki) -> ClientCa:
    return load_client_ca(dev_pki.ca_certificate, dev_pki.ca_key)


def issue(
    ca: ClientCa, *, issued_at: datetime | None = None, user_id: str = USER_ID
) -> tuple[KeyAndCsr, x509.Certificate]:
    key_and_csr = new_key_and_csr(user_id)
    certificate = build_client_certificate(
        ca=ca, csr=parse_csr(key_and_csr.csr_pem), subject=CertificateSubject(user_id, ORGANIZATION_CODE),
        serial=new_serial(), issued_at=issued_at or datetime.now(timezone.utc), crl_url=CRL_URL)
    return key_and_csr, certificate


@pytest.fixture(scope="module")
def issued(dev_pki: DevPki, client_ca: ClientCa, tmp_path_factory) -> Issued:  # noqa: ANN001
    key_and_csr, certificate = issue(client_ca)
    path = tmp_path_factory.mktemp("issued") / "client.pem"
    path.write_text(certificate_pem(certificate))
    return Issued(dev_pki, client_ca, key_and_csr, certificate, path)
