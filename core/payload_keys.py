"""Where the payload keys come from, and the one data converter every Temporal client, worker and
replayer of the product uses (``data_converter``).

The key ring is text, one key per entry, the current (encrypting) key first::

    # <key ID>:<32 random bytes, base64>
    k2026a:3q2+7w...=
    k2025a:q83vEj...=

Entries are separated by new lines (a file) or commas (an environment variable); ``#`` starts a
comment. ``ROKIN_PAYLOAD_KEYS`` holds the text itself; otherwise it is read from
``ROKIN_PAYLOAD_KEYS_FILE`` (default ``<data_dir>/payload_keys``). Keep the file outside the
repository, readable only by the web and the worker. Nothing here creates a key implicitly: a
production process without one stops with a ``ConfigError`` instead of writing histories that no
other process can read. ``rokin dev`` and the test and benchmark stacks call ``ensure_payload_keys``.

A new key: ``python -m core.payload_keys`` prints one entry; put it first, keep the old ones.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path

from temporalio.converter import DataConverter

from .config import ConfigError, Settings
from .payload_codec import KEY_BYTES, EncryptionCodec, KeyRing, PayloadKeyError

KEYS_FILE_NAME = "payload_keys"


def keys_path(settings: Settings) -> Path:
    return settings.payload_keys_file or settings.data_dir / KEYS_FILE_NAME


def parse_key_ring(text: str, source: str) -> KeyRing:
    """``text`` in the format above; ``source`` names it in the error (never the key itself)."""
    entries = []
    for line in text.splitlines():
        for entry in line.split("#", 1)[0].replace(",", " ").split():
            key_id, _, encoded = entry.partition(":")
            try:
                key = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise ConfigError(f"{source}: payload key {key_id!r} is not base64") from None
            entries.append((key_id, key))
    try:
        return KeyRing.of(entries)
    except PayloadKeyError as error:
        raise ConfigError(f"{source}: {error}") from None


def load_key_ring(settings: Settings) -> KeyRing:
    if settings.payload_keys:
        return parse_key_ring(settings.payload_keys, "ROKIN_PAYLOAD_KEYS")
    path = keys_path(settings)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"no payload encryption key: set ROKIN_PAYLOAD_KEYS or ROKIN_PAYLOAD_KEYS_FILE"
                          f" ({path} does not exist; `rokin dev` creates it in development)") from None
    return parse_key_ring(text, str(path))


def data_converter(settings: Settings) -> DataConverter:
    """The product's data converter: Temporal's default JSON conversion, every payload encrypted."""
    return dataclasses.replace(DataConverter.default, payload_codec=EncryptionCodec(load_key_ring(settings)))


def new_key_entry(now: datetime | None = None) -> str:
    """One new key ring entry; the ID says when it was made (which key is older, at a glance)."""
    made = (now or datetime.now(UTC)).strftime("%Y%m%d")
    key = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
    return f"k{made}-{secrets.token_hex(2)}:{key}"


def ensure_payload_keys(settings: Settings) -> Path | None:
    """Development and test stacks: a key file in the data directory when no key is configured.
    Returns the file's path when it was created (or already there), None when the environment has the key."""
    if settings.payload_keys:
        return None
    path = keys_path(settings)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path
    with os.fdopen(fd, "w") as handle:
        handle.write("# Temporal payload keys (core/payload_keys.py): the first encrypts, all decrypt.\n")
        handle.write(new_key_entry() + "\n")
    return path


if __name__ == "__main__":
    print(new_key_entry())
    sys.exit(0)
