"""Workflow payloads encrypted with AES-256-GCM before they leave the process (issue 12, point 5).

Every payload a client or worker sends to Temporal — workflow and activity inputs and results,
signals, updates, queries, failures' details, memos and the static summaries the Web UI shows —
goes through ``EncryptionCodec``: the whole serialized payload becomes the ciphertext of a new one
whose metadata says ``encoding: binary/encrypted`` and names the key (``encryption-key-id``), so a
history read without the key holds no CSR, certificate, user ID or address. Search attributes do not
pass through a codec: they stay readable and hold identifiers only.

Keys rotate: the ring encrypts with its current key and decrypts with any key it knows, so a new
key goes first and the old ones stay until no history that uses them is still needed. A payload
without the encrypted encoding (histories recorded before encryption) passes through unchanged.
A key ID the ring does not know fails loudly (``UnknownPayloadKey``), never silently.

The codec itself is synchronous underneath (``encrypt``/``decrypt``) so the web's codec server
(``web/codec``) uses the same code without an event loop.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce: random per payload
KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class PayloadKeyError(ValueError):
    """The key ring cannot be built, or a payload cannot be decrypted with it; the message says why."""


class UnknownPayloadKey(PayloadKeyError):
    """A payload names a key this process was not given."""


@dataclass(frozen=True)
class KeyRing:
    """The current key (encrypts) and every key still accepted for decryption, by key ID."""

    current: str
    keys: Mapping[str, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise PayloadKeyError(f"the current payload key {self.current!r} is not in the ring")
        for key_id, key in self.keys.items():
            if not KEY_ID.fullmatch(key_id):
                raise PayloadKeyError(f"payload key ID {key_id!r}: use 1-64 of A-Z a-z 0-9 . _ -")
            if len(key) != KEY_BYTES:
                raise PayloadKeyError(f"payload key {key_id!r} has {len(key)} bytes, not {KEY_BYTES}")

    @classmethod
    def of(cls, entries: Sequence[tuple[str, bytes]]) -> KeyRing:
        """The first entry is the current key; the rest decrypt only."""
        if not entries:
            raise PayloadKeyError("no payload key")
        ids = [key_id for key_id, _ in entries]
        if len(set(ids)) != len(ids):
            raise PayloadKeyError("a payload key ID appears twice")
        return cls(current=entries[0][0], keys=dict(entries))


def encrypt(ring: KeyRing, payload: Payload) -> Payload:
    nonce = os.urandom(NONCE_BYTES)
    key_id = ring.current.encode()
    # The key ID is authenticated data: a payload relabelled with another key ID fails to decrypt.
    sealed = AESGCM(ring.keys[ring.current]).encrypt(nonce, payload.SerializeToString(), key_id)
    return Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: key_id}, data=nonce + sealed)


def is_encrypted(payload: Payload) -> bool:
    return payload.metadata.get("encoding") == ENCODING


def decrypt(ring: KeyRing, payload: Payload) -> Payload:
    """The original payload; one that was never encrypted comes back as it is."""
    if not is_encrypted(payload):
        return payload
    key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode("utf-8", errors="replace")
    key = ring.keys.get(key_id)
    if key is None:
        raise UnknownPayloadKey(f"payload encrypted with key {key_id!r}, which is not among the configured"
                                " payload keys (ROKIN_PAYLOAD_KEYS / ROKIN_PAYLOAD_KEYS_FILE)")
    nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
    try:
        plain = AESGCM(key).decrypt(nonce, sealed, key_id.encode())
    except InvalidTag:
        raise PayloadKeyError(f"payload under key {key_id!r} does not decrypt: altered, or a different key"
                              " with the same ID") from None
    return Payload.FromString(plain)


class EncryptionCodec(PayloadCodec):
    """The Temporal side of the same functions; ``core.payload_keys.data_converter`` installs it."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [encrypt(self.ring, payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [decrypt(self.ring, payload) for payload in payloads]
