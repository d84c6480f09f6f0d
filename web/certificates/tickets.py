"""The issuance ticket: what ④ ユーザー認証 hands to ⑤ 発行 so that no secret is stored anywhere.

SPEC.md §5: the .p12 is protected by the password the user just typed at ④, and the web keeps
nothing secret. ⑤ has only キャンセル and 発行, so ④'s response puts into ⑤'s form a sealed
ticket (``web.sealing``): the user's UUID, the password, a request ID (the issuance's
idempotency key) and a nonce that is also put into this browser's session. The 発行 POST opens
it, takes the nonce out of the session (one issuance per authentication) and checks the
password against the current hash again, so a password changed in the meantime is refused.
A ticket is good for ``LIFETIME_SECONDS``.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

from flask import session

from .. import sealing

PURPOSE = "certificate issuance ticket"
LIFETIME_SECONDS = 5 * 60
SESSION_KEY = "issuance_nonce"


@dataclass(frozen=True)
class Ticket:
    user_uuid: str
    request_id: str
    password: str = field(repr=False)


def issue_ticket(user_uuid: str, password: str) -> str:
    """Seal a ticket for the user who just authenticated, bound to this browser's session."""
    nonce = secrets.token_urlsafe(16)
    session[SESSION_KEY] = nonce
    return sealing.seal(PURPOSE, {"u": user_uuid, "r": str(uuid.uuid4()), "n": nonce, "p": password})


def redeem_ticket(token: str) -> Ticket | None:
    """The ticket, once per authentication; None when stale, forged or from another session."""
    nonce = session.pop(SESSION_KEY, None)
    sealed = sealing.unseal(PURPOSE, token, max_age_seconds=LIFETIME_SECONDS)
    if sealed is None or nonce is None or not secrets.compare_digest(str(sealed.get("n", "")), nonce):
        return None
    return Ticket(user_uuid=str(sealed["u"]), request_id=str(sealed["r"]), password=str(sealed["p"]))
