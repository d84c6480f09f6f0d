"""What a recorded history may not contain, checked by the recorder before it writes a file and
by ``tests/test_replay.py`` on every committed file."""

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


def without_identities(node: Any) -> Any:
    """The history with every ``identity`` (``<pid>@<host name>`` of the recording machine's
    workers and clients) replaced: replay does not read them, and a host name can name a person."""
    if isinstance(node, dict):
        return {key: "recorder" if key == "identity" else without_identities(value) for key, value in node.items()}
    if isinstance(node, list):
        return [without_identities(value) for value in node]
    return node
