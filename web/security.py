"""Security headers and cookie settings applied to every response (SPEC.md §5)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

COOKIE_SETTINGS = {
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "rokin_session",
    "SESSION_REFRESH_EACH_REQUEST": True,
    "REMEMBER_COOKIE_DURATION": timedelta(0),
}


def fresh_session() -> None:
    """Drop everything in the session (no fixation) but the language the user chose."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


class PageSessionInterface(SecureCookieSessionInterface):
    """The session cookie, renewed by pages only: a static file's response never sets it.

    A page's CSS and scripts are still loading when the user goes on, and each of those requests
    carries the cookie as it was when it left; renewing it on their responses would put back a
    session the next page has replaced (its CSRF token lost: 「画面の有効期限が切れました」).
    """

    def save_session(self, app, session, response) -> None:  # noqa: ANN001
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def init_app(app: Flask, *, idle: timedelta) -> None:
    """``idle``: the server-side session's idle timeout (``store.sessions``); the cookie, renewed by
    every request, expires with it, so the browser forgets what the server would refuse anyway."""
    # Flask's config already holds its own (insecure) defaults for these keys, so setdefault would
    # change nothing: replace the values still at Flask's default, keep any the app chose.
    for key, value in {**COOKIE_SETTINGS, "PERMANENT_SESSION_LIFETIME": idle}.items():
        if app.config.get(key) == app.default_config.get(key):
            app.config[key] = value
    app.session_interface = PageSessionInterface()

    @app.before_request
    def _permanent_session() -> None:
        session.permanent = True

    @app.after_request
    def _headers(response):  # noqa: ANN001, ANN202
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: Flask-WTF refuses HTTPS form posts without a same-host Referer.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.endpoint != "static":
            headers.setdefault("Cache-Control", "no-store")
        return response
