"""The issuance ticket: what ④ ユーザー認証 hands to ⑤ 発行 so that no secret is stored anywhere.

SPEC.md §5: the .p12 is protected by the password the user just typed at ④, and the web keeps
nothing secret. ⑤ has only キャンセル and 発行, so ④'s response puts into ⑤'s form a sealed
ticket (``web.sealing``): the user's UUID, the password, a request ID (the issuance's
idempotency key) and a nonce that is also put into this browser's session. The 発行 POST opens
it, takes the nonce out of the session (one issuance per authentication) and checks that the
password is still the user's without hashing it again (issue 14): the ticket also carries a keyed
fingerprint (HMAC under a key derived from the app's SECRET_KEY) of the stored hash ④ checked —
not the hash — and a password changed or reset in the meantime no longer matches it. A ticket
sealed before fingerprints (none in it) falls back to the argon2id check.
A ticket is good for ``LIFETIME_SECONDS``.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, session

from .. import sealing

PURPOSE = "certificate issuance ticket"
LIFETIME_SECONDS = 5 * 60
SESSION_KEY = "issuance_nonce"
FINGERPRINT_PURPOSE = b"rokin issuance ticket: password-hash fingerprint"


@dataclass(frozen=True)
class Ticket:
    user_uuid: str
    request_id: str
    password: str = field(repr=False)
    password_fingerprint: str | None = field(default=None, repr=False)  # None: sealed before issue 14


def fingerprint_key() -> bytes:
    """The key of the password-hash fingerprint, derived from the app's SECRET_KEY (HKDF, own label)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=FINGERPRINT_PURPOSE).derive(secret)


def issue_ticket(user_uuid: str, password: str, password_fingerprint: str) -> str:
    """Seal a ticket for the user who just authenticated, bound to this browser's session and to the
    stored hash ④ checked (``password_fingerprint``, under ``fingerprint_key``)."""
    nonce = secrets.token_urlsafe(16)
    session[SESSION_KEY] = nonce
    return sealing.seal(PURPOSE, {"u": user_uuid, "r": str(uuid.uuid4()), "n": nonce, "p": password,
                                  "h": password_fingerprint})


def redeem_ticket(token: str) -> Ticket | None:
    """The ticket, once per authentication; None when stale, forged or from another session."""
    nonce = session.pop(SESSION_KEY, None)
    sealed = sealing.unseal(PURPOSE, token, max_age_seconds=LIFETIME_SECONDS)
    if sealed is None or nonce is None or not secrets.compare_digest(str(sealed.get("n", "")), nonce):
        return None
    fingerprint = sealed.get("h")
    return Ticket(user_uuid=str(sealed["u"]), request_id=str(sealed["r"]), password=str(sealed["p"]),
                  password_fingerprint=None if fingerprint is None else str(fingerprint))
