"""The CRL as OpenSSL reads it: signed by the CA, each serial with its RFC 5280 reason."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from cryptography import x509

from domain.certificates import CrlReason
from pki.crl import CRL_DER, CRL_PEM, NEXT_UPDATE_AFTER, RevokedEntry, build_crl, crl_number_for, write_crl
from pki.devca import ensure_dev_pki
from pki.issue import new_serial
from tests.pki.conftest import openssl

NOW = datetime.now(timezone.utc).replace(microsecond=0)
SUPERSEDED = RevokedEntry(new_serial(), NOW - timedelta(hours=2), CrlReason.SUPERSEDED)
COMPROMISED = RevokedEntry(new_serial(), NOW - timedelta(hours=1), CrlReason.KEY_COMPROMISE)
UNSPECIFIED = RevokedEntry(new_serial(), NOW - timedelta(minutes=5), CrlReason.UNSPECIFIED)


def openssl_serial(serial: int) -> str:
    text = format(serial, "X")
    return text if len(text) % 2 == 0 else "0" + text


def test_openssl_verifies_and_lists_each_serial_with_its_reason(client_ca, dev_pki, tmp_path):
    crl = build_crl(ca=client_ca, entries=[SUPERSEDED, COMPROMISED, UNSPECIFIED], now=NOW,
                    crl_number=crl_number_for(NOW))
    der = write_crl(tmp_path, crl)
    assert der == tmp_path / CRL_DER and (tmp_path / CRL_PEM).exists()

    verified = openssl("crl", "-in", str(tmp_path / CRL_PEM), "-CAfile", str(dev_pki.ca_certificate), "-noout")
    assert verified.returncode == 0 and "verify OK" in verified.stdout + verified.stderr
    text = openssl("crl", "-inform", "DER", "-in", str(der), "-noout", "-text").stdout
    entries = dict(re.findall(r"Serial Number: ([0-9A-F]+)\n\s+Revocation Date: .*\n(?:\s+CRL entry extensions:\s*\n"
                              r"\s+X509v3 CRL Reason Code:\s*\n\s+(.+)\n)?", text))
    assert entries == {openssl_serial(SUPERSEDED.serial): "Superseded",
                       openssl_serial(COMPROMISED.serial): "Key Compromise",
                       openssl_serial(UNSPECIFIED.serial): ""}  # unspecified: no reason extension
    assert "X509v3 CRL Number" in text and "X509v3 Authority Key Identifier" in text


def test_another_ca_does_not_verify_it(client_ca, tmp_path):
    write_crl(tmp_path, build_crl(ca=client_ca, entries=[SUPERSEDED], now=NOW, crl_number=1))
    other = ensure_dev_pki(tmp_path / "other")
    result = openssl("crl", "-in", str(tmp_path / CRL_PEM), "-CAfile", str(other.ca_certificate), "-noout")
    assert "verify OK" not in result.stdout + result.stderr


def test_times_and_number(client_ca):
    crl = build_crl(ca=client_ca, entries=[], now=NOW, crl_number=crl_number_for(NOW))
    assert crl.last_update_utc == NOW and crl.next_update_utc == NOW + NEXT_UPDATE_AFTER
    assert crl.is_signature_valid(client_ca.certificate.public_key())
    later = crl_number_for(NOW + timedelta(milliseconds=1))
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number < later
