"""The .p12 the user downloads: OpenSSL and NSS open it with the password and only with it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from domain.certificates import friendly_name
from pki.pkcs12 import KDF_ROUNDS, build_p12
from tests.pki.conftest import USER_ID, openssl

PASSWORD = "Rokin2024pw"


@pytest.fixture(scope="module")
def p12_path(issued, tmp_path_factory) -> Path:  # noqa: ANN001
    data = build_p12(key=issued.key_and_csr.key, certificate=issued.certificate, password=PASSWORD, user_id=USER_ID)
    path = tmp_path_factory.mktemp("p12") / f"{USER_ID}.p12"
    path.write_bytes(data)
    return path


def test_openssl_opens_it_with_the_password_and_sees_the_modern_algorithms(p12_path):
    result = openssl("pkcs12", "-info", "-noout", "-in", str(p12_path), "-passin", f"pass:{PASSWORD}")
    assert result.returncode == 0, result.stderr
    report = result.stdout + result.stderr
    assert "MAC: sha256" in report
    assert f"Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration {KDF_ROUNDS}, PRF hmacWithSHA256" in report
    assert f"PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration {KDF_ROUNDS}, PRF hmacWithSHA256" in report
    assert "3DES" not in report and "RC2" not in report and "sha1" not in report.lower()


def test_openssl_refuses_a_wrong_password(p12_path):
    result = openssl("pkcs12", "-info", "-noout", "-in", str(p12_path), "-passin", "pass:Rokin2024pX")
    assert result.returncode != 0
    assert "invalid password" in (result.stdout + result.stderr).lower()


def test_contents_are_the_key_the_certificate_and_the_friendly_name_only(issued, p12_path):
    loaded = pkcs12.load_pkcs12(p12_path.read_bytes(), PASSWORD.encode())
    assert loaded.key is not None and loaded.cert is not None
    assert loaded.key.public_key() == issued.key_and_csr.key.public_key()
    assert loaded.cert.certificate == issued.certificate
    assert loaded.cert.friendly_name == friendly_name(USER_ID).encode("utf-8")
    assert loaded.additional_certs == []  # not the CA: it must not end up among the user's trusted roots


@pytest.mark.skipif(shutil.which("pk12util") is None, reason="NSS tools (Debian libnss3-tools) not installed")
def test_nss_imports_it_into_a_fresh_database(issued, p12_path, tmp_path):
    database = f"sql:{tmp_path}"
    subprocess.run(["certutil", "-N", "-d", database, "--empty-password"], check=True, capture_output=True)
    wrong = subprocess.run(["pk12util", "-i", str(p12_path), "-d", database, "-W", "wrong-pass1"],
                           capture_output=True, text=True)
    assert wrong.returncode != 0
    imported = subprocess.run(["pk12util", "-i", str(p12_path), "-d", database, "-W", PASSWORD],
                              capture_output=True, text=True)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    listing = subprocess.run(["certutil", "-L", "-d", database], capture_output=True, text=True, check=True).stdout
    assert friendly_name(USER_ID) in listing
    keys = subprocess.run(["certutil", "-K", "-d", database], capture_output=True, text=True, check=True).stdout
    assert "rsa" in keys.lower() and friendly_name(USER_ID) in keys
