"""Loading the client CA: the development files, and production's passphrase-protected key."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from pki.ca import CaLoader, CaUnusable, load_client_ca
from pki.certificates import new_rsa_key
from pki.files import load_private_key

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def encrypted_key(dev_pki, tmp_path):  # noqa: ANN001, ANN201
    key = load_private_key(dev_pki.ca_key)
    path = tmp_path / "ca-encrypted.key"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(PASSPHRASE.encode())))
    return path


def test_production_key_with_its_passphrase(dev_pki, encrypted_key):
    ca = load_client_ca(dev_pki.ca_certificate, encrypted_key, PASSPHRASE)
    assert ca.key.public_key() == ca.certificate.public_key()


@pytest.mark.parametrize("passphrase", [None, "wrong passphrase"])
def test_a_wrong_passphrase_is_reported_without_it(dev_pki, encrypted_key, passphrase):
    with pytest.raises(CaUnusable) as raised:
        load_client_ca(dev_pki.ca_certificate, encrypted_key, passphrase)
    assert "passphrase" in str(raised.value) and (passphrase or PASSPHRASE) not in str(raised.value)


def test_mismatched_missing_and_non_ca_files(dev_pki, tmp_path):
    other_key = tmp_path / "other.key"
    other_key.write_bytes(new_rsa_key().private_bytes(serialization.Encoding.PEM,
                                                      serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    with pytest.raises(CaUnusable, match="does not match"):
        load_client_ca(dev_pki.ca_certificate, other_key)
    with pytest.raises(CaUnusable, match="missing"):
        load_client_ca(tmp_path / "nothing.pem", dev_pki.ca_key)
    with pytest.raises(CaUnusable, match="not a CA"):
        load_client_ca(dev_pki.dev_client_certificate, dev_pki.dev_client_key)


def test_the_loader_waits_for_files_that_appear_later(dev_pki, tmp_path):
    certificate, key = tmp_path / "ca.pem", tmp_path / "ca.key"
    loader = CaLoader(certificate, key)
    with pytest.raises(CaUnusable):
        loader.get()
    certificate.write_bytes(dev_pki.ca_certificate.read_bytes())
    key.write_bytes(dev_pki.ca_key.read_bytes())
    assert loader.get() is loader.get()
