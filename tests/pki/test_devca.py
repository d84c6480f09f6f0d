"""The development PKI: files, permissions, idempotency, renewal — and OpenSSL reads what we write."""

from __future__ import annotations

import stat
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509

from pki.certificates import new_ec_key
from pki.devca import SERVER_VALIDITY, DevPki, ensure_dev_pki
from pki.files import load_certificate, write_private_key


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def contents(pki: DevPki) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(pki.directory.iterdir())}


def openssl(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *arguments], capture_output=True, text=True, check=False)


@pytest.fixture
def pki(tmp_path: Path) -> DevPki:
    return ensure_dev_pki(tmp_path / "var" / "pki")


def test_creates_every_file_with_private_keys_readable_by_the_owner_only(pki: DevPki) -> None:
    assert mode(pki.directory) == 0o700
    for key in (pki.ca_key, pki.server_key, pki.dev_client_key):
        assert mode(key) == 0o600, key
    for certificate in (pki.ca_certificate, pki.server_certificate, pki.dev_client_certificate):
        assert mode(certificate) == 0o644, certificate
    assert sorted(path.name for path in pki.directory.iterdir()) == [
        "ca.key", "ca.pem", "dev-client.key", "dev-client.pem", "server.key", "server.pem"]
    assert pki.client_ca_certificate == pki.ca_certificate  # the dev CA is the client CA for now


def test_a_second_run_changes_nothing(pki: DevPki) -> None:
    before = contents(pki)
    ensure_dev_pki(pki.directory)
    assert contents(pki) == before


def test_a_missing_leaf_is_reissued_by_the_same_ca(pki: DevPki) -> None:
    ca_before = pki.ca_certificate.read_bytes(), pki.ca_key.read_bytes()
    client_before = pki.dev_client_certificate.read_bytes()
    pki.server_certificate.unlink()
    ensure_dev_pki(pki.directory)
    assert (pki.ca_certificate.read_bytes(), pki.ca_key.read_bytes()) == ca_before
    assert pki.dev_client_certificate.read_bytes() == client_before
    load_certificate(pki.server_certificate).verify_directly_issued_by(load_certificate(pki.ca_certificate))


def test_a_server_certificate_close_to_expiry_is_renewed_and_the_ca_kept(pki: DevPki) -> None:
    ca_before = pki.ca_certificate.read_bytes()
    old = load_certificate(pki.server_certificate)
    ensure_dev_pki(pki.directory, now=datetime.now(timezone.utc) + SERVER_VALIDITY - timedelta(days=10))
    new = load_certificate(pki.server_certificate)
    assert new.serial_number != old.serial_number
    assert new.not_valid_after_utc > old.not_valid_after_utc
    assert pki.ca_certificate.read_bytes() == ca_before


def test_a_key_that_does_not_match_its_certificate_is_replaced(pki: DevPki) -> None:
    write_private_key(pki.server_key, new_ec_key())  # as if a run died between key and certificate
    ensure_dev_pki(pki.directory)
    assert openssl("x509", "-in", str(pki.server_certificate), "-noout", "-pubkey").stdout == \
        openssl("pkey", "-in", str(pki.server_key), "-pubout").stdout


def test_openssl_verifies_each_certificate_for_its_purpose(pki: DevPki) -> None:
    ca = str(pki.ca_certificate)
    server = openssl("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", ca, str(pki.server_certificate))
    assert server.returncode == 0, server.stdout + server.stderr
    client = openssl("verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", ca, str(pki.dev_client_certificate))
    assert client.returncode == 0, client.stdout + client.stderr
    # Purposes are kept apart: the server certificate cannot log in as a client.
    misuse = openssl("verify", "-purpose", "sslclient", "-CAfile", ca, str(pki.server_certificate))
    assert misuse.returncode != 0


def test_openssl_reads_the_ca_extensions(pki: DevPki) -> None:
    text = openssl("x509", "-in", str(pki.ca_certificate), "-noout", "-text").stdout
    assert "CN = Rokin Development CA" in text
    assert "CA:TRUE, pathlen:0" in text
    assert "Certificate Sign, CRL Sign" in text
    assert "X509v3 Subject Key Identifier" in text


def test_openssl_reads_the_server_names_and_usages(pki: DevPki) -> None:
    text = openssl("x509", "-in", str(pki.server_certificate), "-noout", "-text").stdout
    assert "DNS:localhost" in text
    assert "IP Address:127.0.0.1" in text
    assert "IP Address:0:0:0:0:0:0:0:1" in text
    assert "TLS Web Server Authentication" in text
    assert "CA:FALSE" in text
    assert "X509v3 Authority Key Identifier" in text


def test_openssl_reads_the_dev_client_certificate_and_keys(pki: DevPki) -> None:
    text = openssl("x509", "-in", str(pki.dev_client_certificate), "-noout", "-text").stdout
    assert "CN = dev-client" in text
    assert "TLS Web Client Authentication" in text
    assert "Digital Signature, Key Encipherment" in text
    for key in (pki.ca_key, pki.server_key, pki.dev_client_key):
        assert openssl("pkey", "-in", str(key), "-noout").returncode == 0, key


def test_validity_periods(pki: DevPki) -> None:
    now = datetime.now(timezone.utc)
    ca = load_certificate(pki.ca_certificate)
    server = load_certificate(pki.server_certificate)
    assert ca.not_valid_before_utc <= now <= ca.not_valid_after_utc
    assert server.not_valid_after_utc - server.not_valid_before_utc <= timedelta(days=398)
    assert server.extensions.get_extension_for_class(x509.BasicConstraints).critical
