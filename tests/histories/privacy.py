"""What a recorded history may not contain, checked by the recorder before it writes a file and
by ``tests/test_replay.py`` on every committed file: decrypted (``leaks``), no e-mail address or
secret; and, for histories recorded since payloads are encrypted, read without the key
(``readable_without_key``), nothing at all but ciphertext and search attributes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from tests.fixtures.temporal import _decode_payloads
from tests.workflows.lockout_support import GENERAL_PASSWORD

from .stage import FAKE_EMAILS, MASTER_PASSWORD

# The only '@' a history may hold: the Message-ID the mail activity returns (activities.mail).
MESSAGE_ID = re.compile(r"<[0-9a-f]{32}\.notice@[A-Za-z0-9.-]+>")
NEVER_ENCODED = frozenset({"searchAttributes", "patch-data"})
LOCAL_ACTIVITY_MARKER = "core_local_activity"
FIXED_SECRETS = (*FAKE_EMAILS, MASTER_PASSWORD, GENERAL_PASSWORD, "PRIVATE KEY")


def decoded_text(history: dict[str, Any]) -> str:
    """The history with every payload decoded to text (payload data is base64 in the JSON)."""
    return json.dumps(_decode_payloads(history), ensure_ascii=False)


def leaks(history: dict[str, Any], secrets: Iterable[str] = ()) -> list[str]:
    """What should not be there: any e-mail address, a known secret. Empty when the history is clean."""
    text = decoded_text(history)
    found = [secret for secret in (*FIXED_SECRETS, *secrets) if secret and secret in text]
    if "@" in MESSAGE_ID.sub("", text):
        found.append("an '@' outside a Message-ID")
    return found


def payloads(node: Any) -> list[dict[str, Any]]:
    """Every payload of a history's JSON but those no codec sees: search attributes (identifiers the UI
    filters by), the SDK's patch markers (``patch-data``: the ``workflow.patched`` ID) and a local
    activity marker's own ``data`` (the SDK core writes it: sequence number, attempt, activity type and
    times; its ``result`` goes through the codec)."""
    if isinstance(node, dict):
        if isinstance(node.get("metadata"), dict) and set(node) <= {"metadata", "data"}:
            return [node]
        if node.get("markerName") == LOCAL_ACTIVITY_MARKER:
            details = {key: value for key, value in node.get("details", {}).items() if key != "data"}
            return [found for key, value in {**node, "details": details}.items() if key != "markerName"
                    for found in payloads(value)]
        return [found for key, value in node.items() if key not in NEVER_ENCODED for found in payloads(value)]
    if isinstance(node, list):
        return [found for value in node for found in payloads(value)]
    return []


def is_encrypted(payload: dict[str, Any]) -> bool:
    return _decode_payloads(payload, ring=None)["metadata"].get("encoding") == "binary/encrypted"


def readable_without_key(history: dict[str, Any], secrets: Iterable[str] = ()) -> list[str]:
    """What somebody holding the history but not the key could read. Empty when it is all ciphertext."""
    found = [f"an unencrypted payload ({_decode_payloads(payload, ring=None)['metadata'].get('encoding')})"
             for payload in payloads(history) if not is_encrypted(payload)]
    text = json.dumps(_decode_payloads(_ciphertext_left_as_base64(history), ring=None), ensure_ascii=False)
    found += [secret for secret in (*FIXED_SECRETS, "-----BEGIN", *secrets) if secret and secret in text]
    if "@" in text:
        found.append("an '@'")
    return found


def _ciphertext_left_as_base64(node: Any) -> Any:
    """Random bytes read as text hold any character ('@' too): keep ciphertext in its base64."""
    if isinstance(node, dict):
        if isinstance(node.get("metadata"), dict) and set(node) <= {"metadata", "data"} and is_encrypted(node):
            return {"metadata": node["metadata"]}
        return {key: _ciphertext_left_as_base64(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_ciphertext_left_as_base64(value) for value in node]
    return node


def without_identities(node: Any) -> Any:
    """The history with every ``identity`` (``<pid>@<host name>`` of the recording machine's
    workers and clients) replaced: replay does not read them, and a host name can name a person."""
    if isinstance(node, dict):
        return {key: "recorder" if key == "identity" else without_identities(value) for key, value in node.items()}
    if isinstance(node, list):
        return [without_identities(value) for value in node]
    return node
