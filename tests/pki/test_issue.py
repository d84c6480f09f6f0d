"""The client certificate as OpenSSL reads it: contents, chain, purpose; and the CSR checks."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from pki.csr import InvalidCsr, new_key_and_csr, parse_csr
from pki.devca import ensure_dev_pki
from pki.issue import CertificateSubject, build_client_certificate, new_serial, serial_hex
from tests.pki.conftest import CRL_URL, ORGANIZATION_CODE, USER_ID, issue, openssl


def test_openssl_reads_the_contents(issued):
    text = openssl("x509", "-in", str(issued.pem_path), "-noout", "-text").stdout
    assert f"Subject: O = {ORGANIZATION_CODE}, CN = {USER_ID}" in text
    assert re.search(r"X509v3 Basic Constraints: critical\s+CA:FALSE", text)
    assert re.search(r"X509v3 Key Usage: critical\s+Digital Signature\n", text)  # and nothing else
    assert re.search(r"X509v3 Extended Key Usage:\s*\n\s+TLS Web Client Authentication\n", text)
    assert f"URI:{CRL_URL}" in text
    assert "X509v3 Subject Key Identifier" in text and "X509v3 Authority Key Identifier" in text
    assert "Public-Key: (2048 bit)" in text and "sha256WithRSAEncryption" in text


def test_validity_is_the_jst_calendar(client_ca):
    issued_at = datetime(2027, 3, 1, 0, 30, 15, 123456, tzinfo=timezone.utc)  # 09:30:15 JST
    _, certificate = issue(client_ca, issued_at=issued_at)
    assert certificate.not_valid_before_utc == issued_at.replace(microsecond=0)
    # 2028-02-29 23:59:59 JST: issue date + 365 days across the leap day
    assert certificate.not_valid_after_utc == datetime(2028, 2, 29, 14, 59, 59, tzinfo=timezone.utc)


def test_openssl_verifies_the_chain_for_client_authentication(issued):
    result = openssl("verify", "-purpose", "sslclient", "-CAfile", str(issued.pki.ca_certificate),
                     str(issued.pem_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(": OK")


def test_openssl_refuses_it_as_a_server_certificate_and_under_another_ca(issued, tmp_path):
    as_server = openssl("verify", "-purpose", "sslserver", "-CAfile", str(issued.pki.ca_certificate),
                        str(issued.pem_path))
    assert as_server.returncode != 0
    other = ensure_dev_pki(tmp_path / "other")
    foreign = openssl("verify", "-purpose", "sslclient", "-CAfile", str(other.ca_certificate), str(issued.pem_path))
    assert foreign.returncode != 0 and "unable to get local issuer certificate" in foreign.stderr


def test_identifiers_link_to_the_ca_and_the_key(issued):
    certificate = issued.certificate
    aki = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == issued.ca.subject_key_identifier.digest
    ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(issued.key_and_csr.key.public_key())
    assert certificate.public_key() == issued.key_and_csr.key.public_key()


def test_serials_are_random_positive_and_at_most_20_octets(client_ca):
    serials = {issue(client_ca)[1].serial_number for _ in range(5)}
    assert len(serials) == 5
    for serial in serials:
        assert 0 < serial < 2**159
        assert len(serial_hex(serial)) <= 40 and serial_hex(serial) == serial_hex(serial).lower()


def test_the_csr_subject_is_ignored(client_ca):
    """The CA writes the subject from the database, whatever the CSR claims."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = (x509.CertificateSigningRequestBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "administrator")]))
              .sign(key, hashes.SHA256()))
    csr = parse_csr(forged.public_bytes(serialization.Encoding.PEM).decode())
    certificate = build_client_certificate(ca=client_ca, csr=csr, subject=CertificateSubject(USER_ID, "4321"),
                                           serial=new_serial(), issued_at=datetime.now(timezone.utc),
                                           crl_url=CRL_URL)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == USER_ID


def _csr_pem(key) -> str:  # noqa: ANN001
    return (x509.CertificateSigningRequestBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")]))
            .sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode())


def test_csr_checks():
    good = new_key_and_csr(USER_ID)
    assert good.key.key_size == 2048
    assert parse_csr(good.csr_pem).public_key() == good.key.public_key()
    der = bytearray(x509.load_pem_x509_csr(good.csr_pem.encode()).public_bytes(serialization.Encoding.DER))
    der[-10] ^= 0xFF  # a byte of the signature: proof of possession fails
    tampered = x509.load_der_x509_csr(bytes(der)).public_bytes(serialization.Encoding.PEM).decode()
    for pem in ["not a csr",
                _csr_pem(ec.generate_private_key(ec.SECP256R1())),
                _csr_pem(rsa.generate_private_key(public_exponent=65537, key_size=3072)),
                tampered]:
        with pytest.raises(InvalidCsr):
            parse_csr(pem)
