"""The payload codec (``core.payload_codec``) and where its keys come from (``core.payload_keys``):
rotation, unknown keys, tampering, unencrypted payloads passing through, the key ring's format."""

from __future__ import annotations

import base64
import dataclasses
import os
from datetime import UTC, datetime

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter

from core.config import ConfigError, Settings
from core.payload_codec import (
    KEY_ID_METADATA,
    EncryptionCodec,
    KeyRing,
    PayloadKeyError,
    UnknownPayloadKey,
    decrypt,
    encrypt,
)
from core.payload_keys import data_converter, ensure_payload_keys, load_key_ring, new_key_entry, parse_key_ring

OLD = ("k-old", os.urandom(32))
NEW = ("k-new", os.urandom(32))
PERSONAL = "CN=master01, O=8001 / user@example.invalid / -----BEGIN CERTIFICATE-----"


def plain(text: str = PERSONAL) -> Payload:
    return DataConverter.default.payload_converter.to_payloads([text])[0]


def settings_in(tmp_path, **changes) -> Settings:  # noqa: ANN001
    return dataclasses.replace(Settings.from_env({}), data_dir=tmp_path, **changes)


def test_an_encrypted_payload_holds_no_readable_byte_of_the_original_and_names_its_key():
    ring = KeyRing.of([NEW])
    sealed = encrypt(ring, plain())
    assert sealed.metadata["encoding"] == b"binary/encrypted"
    assert sealed.metadata[KEY_ID_METADATA] == b"k-new"
    assert set(sealed.metadata) == {"encoding", KEY_ID_METADATA}  # json/plain is inside, not beside
    for fragment in (b"master01", b"example.invalid", b"-----BEGIN", b"json/plain"):
        assert fragment not in sealed.SerializeToString()
    assert decrypt(ring, sealed) == plain()


def test_rotation_the_old_key_still_decrypts_the_new_key_encrypts():
    before = encrypt(KeyRing.of([OLD]), plain("written last year"))
    rotated = KeyRing.of([NEW, OLD])
    assert decrypt(rotated, before) == plain("written last year")
    assert encrypt(rotated, plain()).metadata[KEY_ID_METADATA] == b"k-new"


def test_a_payload_under_a_key_the_ring_does_not_know_fails_naming_the_key_not_the_data():
    sealed = encrypt(KeyRing.of([OLD]), plain())
    with pytest.raises(UnknownPayloadKey, match=r"'k-old'.*ROKIN_PAYLOAD_KEYS") as refused:
        decrypt(KeyRing.of([NEW]), sealed)
    assert "master01" not in str(refused.value)


def test_a_relabelled_or_altered_payload_does_not_decrypt():
    ring = KeyRing.of([NEW, ("k-other", NEW[1])])
    sealed = encrypt(ring, plain())
    relabelled = Payload(metadata={**sealed.metadata, KEY_ID_METADATA: b"k-other"}, data=sealed.data)
    with pytest.raises(PayloadKeyError, match="does not decrypt"):
        decrypt(ring, relabelled)  # the same key bytes, but the key ID is authenticated
    altered = Payload(metadata=sealed.metadata, data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1]))
    with pytest.raises(PayloadKeyError, match="does not decrypt"):
        decrypt(ring, altered)


def test_payloads_recorded_before_encryption_pass_through_unchanged():
    assert decrypt(KeyRing.of([NEW]), plain()) == plain()


async def test_the_temporal_codec_round_trips_through_the_data_converter():
    converter = dataclasses.replace(DataConverter.default, payload_codec=EncryptionCodec(KeyRing.of([NEW])))
    [sealed] = await converter.encode([{"csr": PERSONAL}])
    assert b"master01" not in sealed.SerializeToString()
    assert await converter.decode([sealed], [dict]) == [{"csr": PERSONAL}]


@pytest.mark.parametrize(("text", "problem"), [
    ("", "no payload key"),
    ("k1:not*base64", "not base64"),
    (f"k1:{base64.b64encode(b'short').decode()}", "5 bytes, not 32"),
    (f"bad/id:{base64.b64encode(bytes(32)).decode()}", "key ID"),
    (f"k1:{base64.b64encode(bytes(32)).decode()},k1:{base64.b64encode(bytes(32)).decode()}", "twice"),
])
def test_a_key_ring_that_cannot_be_used_is_a_config_error_naming_its_source(text: str, problem: str):
    with pytest.raises(ConfigError, match=f"ROKIN_PAYLOAD_KEYS: .*{problem}"):
        parse_key_ring(text, "ROKIN_PAYLOAD_KEYS")


def test_the_key_ring_format_first_entry_current_comments_commas_and_lines():
    one, two = new_key_entry(), new_key_entry(datetime(2025, 4, 1, tzinfo=UTC))
    assert two.startswith("k20250401-")
    ring = parse_key_ring(f"# rotated 2026\n{one}   # current\n{two}\n", "file")
    assert ring.current == one.split(":")[0] and set(ring.keys) == {one.split(":")[0], two.split(":")[0]}
    assert parse_key_ring(f"{one},{two}", "env").keys == ring.keys


def test_keys_come_from_the_environment_before_the_file(tmp_path):
    entry = new_key_entry()
    (tmp_path / "payload_keys").write_text(new_key_entry() + "\n")
    assert load_key_ring(settings_in(tmp_path, payload_keys=entry)).current == entry.split(":")[0]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text(entry)
    assert load_key_ring(settings_in(tmp_path, payload_keys_file=elsewhere)).current == entry.split(":")[0]
    assert Settings.from_env({"ROKIN_PAYLOAD_KEYS": entry, "ROKIN_PAYLOAD_KEYS_FILE": str(elsewhere)}).payload_keys \
        == entry
    assert entry not in repr(Settings.from_env({"ROKIN_PAYLOAD_KEYS": entry}))


def test_without_a_key_a_process_stops_with_a_clear_message_and_creates_none(tmp_path):
    with pytest.raises(ConfigError, match="no payload encryption key: set ROKIN_PAYLOAD_KEYS"):
        data_converter(settings_in(tmp_path))
    assert not (tmp_path / "payload_keys").exists()


def test_the_dev_stack_generates_a_private_key_file_once(tmp_path):
    made = ensure_payload_keys(settings_in(tmp_path))
    assert made == tmp_path / "payload_keys" and made.stat().st_mode & 0o777 == 0o600
    first = made.read_text()
    assert ensure_payload_keys(settings_in(tmp_path)) == made and made.read_text() == first  # kept, not replaced
    assert len(load_key_ring(settings_in(tmp_path)).keys) == 1
    assert ensure_payload_keys(settings_in(tmp_path / "other", payload_keys=new_key_entry())) is None
