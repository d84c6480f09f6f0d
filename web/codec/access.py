"""How the Temporal UI's requests carry the staff member's session to the codec server.

The UI (``rokin dev``: http://localhost:8233) and the web (https://localhost:8443) are different
*sites* to a browser (the scheme counts), so the ``SameSite=Lax`` session cookie never travels with
the UI's requests. ``GET /codec/`` — a normal visit by a signed-in staff member — therefore hands
out a second cookie for the codec paths only: ``SameSite=None; Secure; HttpOnly; Path=/codec``,
holding the same server-side session ID, signed. The codec server resumes the session from it
exactly as from the session cookie, so logout, a password change, a block or the session's expiry
end the UI's access too. In a deployment where the UI shares the web's site the session cookie
itself arrives and this cookie is merely redundant.
"""

from __future__ import annotations

from flask import Request, current_app
from flask_login import UserMixin
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from ..principals import principal_for

COOKIE = "rokin_codec"
PATH = "/codec"
SALT = "rokin-codec-access"  # a session cookie's signature is not valid here, nor this one there


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def hand_out(response: Response, session_token: str) -> None:
    response.set_cookie(COOKIE, _serializer().dumps(session_token), path=PATH, secure=True, httponly=True,
                        samesite="None")  # a browser-session cookie: gone with the browser, or the session


def principal_from_cookie(request: Request) -> UserMixin | None:
    """The principal the session cookie would give, from the codec cookie."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        token = _serializer().loads(value)
    except BadSignature:
        return None
    return principal_for(token) if isinstance(token, str) else None  # the session cookie's own check

