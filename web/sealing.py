"""Sealing a short-lived secret for the browser to carry back: encrypted, authenticated, timed.

Some secrets must cross one page boundary without being stored anywhere: the master user's
initial password between 団体登録 and its notice (``web.staff.one_time``), the password typed
at 電子証明書発行 ④ until the 発行 POST of ⑤ builds the .p12 with it (``web.certificates``).
They travel as Fernet tokens (AES-128-CBC + HMAC-SHA256, with their creation time) under a key
derived from the app's SECRET_KEY with HKDF and a purpose label, so a token sealed for one
purpose never opens for another, and whoever holds the cookie or the page reads only ciphertext.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def seal(purpose: str, payload: dict[str, Any]) -> str:
    """``payload`` (JSON-serialisable) as an opaque token for ``purpose``."""
    return _fernet(purpose).encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode("ascii")


def unseal(purpose: str, token: str, *, max_age_seconds: int) -> dict[str, Any] | None:
    """The payload, or None when the token is forged, altered, sealed for another purpose or older
    than ``max_age_seconds``."""
    try:
        data = _fernet(purpose).decrypt(token.encode("ascii"), ttl=max_age_seconds)
    except (InvalidToken, UnicodeEncodeError):
        return None
    payload = json.loads(data)
    return payload if isinstance(payload, dict) else None


def _fernet(purpose: str) -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"rokin {purpose}".encode()).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))
