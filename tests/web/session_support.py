"""Server-side sessions seen from outside (issue 12): a browser's cookie copied to another client,
what the cookie holds, and the session rows behind it."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from store.sessions import LoginSession, hash_token

from .client_certificates import certificate_for, present

COOKIE = "rokin_session"
OPAQUE_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
# What Flask's signed cookie may hold besides the session ID: nothing that authenticates.
HARMLESS_KEYS = {"_fresh", "_permanent", "csrf_token", "lang", "_flashes"}


def copy_cookie(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another client (another machine) holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None, "not logged in"
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def cookie_contents(app: Flask, client: FlaskClient) -> dict:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def session_row(app: Flask, client: FlaskClient) -> LoginSession:
    """The server-side row behind ``client``'s cookie."""
    token = cookie_contents(app, client)["_user_id"]
    with app.extensions["rokin"].session_factory() as session:
        row = session.scalar(select(LoginSession).where(LoginSession.token_sha256 == hash_token(token)))
    assert row is not None
    return row


def copied_with_certificate(app: Flask, logged_in: FlaskClient, user_id: str) -> FlaskClient:
    """An employer's cookie copied to another client that also presents the user's certificate (the
    attacker holds both); the copy works while the session lives."""
    thief = copy_cookie(app, logged_in)
    present(thief, certificate_for(app, user_id))
    assert thief.get("/employer/").status_code == 200
    return thief


def is_anonymous_employer(client: FlaskClient) -> bool:
    response = client.get("/employer/")
    return response.status_code == 302 and not response.headers["Location"].startswith("/employer")
