"""Signing a user's client certificate (SPEC.md §2 "Certificates", issue 4 "Certificate contents").

- subject: O=<organization code>, CN=<user ID> — opaque identifiers, not personal data;
- serial: 159 random bits from the OS CSPRNG (positive, at most 20 octets, RFC 5280 §4.1.2.2);
- notBefore: the issue time; notAfter: 23:59:59 JST of the issue date + 365 days (``domain.validity``);
- basicConstraints CA:false, keyUsage digitalSignature (critical), extendedKeyUsage clientAuth,
  subject and authority key identifiers, the CRL distribution point, and (issue 5) the OCSP
  responder in an authority information access extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from domain.validity import calendar_for

from .ca import ClientCa

CLIENT_KEY_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
    key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
)


@dataclass(frozen=True)
class CertificateSubject:
    user_id: str
    organization_code: str

    def name(self) -> x509.Name:
        return x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organization_code),
            x509.NameAttribute(NameOID.COMMON_NAME, self.user_id),
        ])


def new_serial() -> int:
    return x509.random_serial_number()


def serial_hex(serial: int) -> str:
    """How the database, workflow IDs and search attributes spell a serial."""
    return format(serial, "x")


def build_client_certificate(
    *,
    ca: ClientCa,
    csr: x509.CertificateSigningRequest,
    subject: CertificateSubject,
    serial: int,
    issued_at: datetime,
    crl_url: str,
    ocsp_url: str | None = None,
) -> x509.Certificate:
    """Sign a client certificate for the key of ``csr`` (checked by ``pki.csr.parse_csr``); the
    CSR's own subject and extensions are ignored."""
    public_key = csr.public_key()
    calendar = calendar_for(issued_at)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject.name())
        .issuer_name(ca.certificate.subject)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(calendar.issued_at)
        .not_valid_after(calendar.not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(CLIENT_KEY_USAGE, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca.subject_key_identifier),
            critical=False)
        .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
    )
    if ocsp_url:
        builder = builder.add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))]), critical=False)
    return builder.sign(ca.key, hashes.SHA256())


def certificate_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def fingerprint_sha256(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()
