"""CSRF, security headers, cookie flags, the idle timeout, error pages and the language switch."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from itsdangerous import TimestampSigner

from tests.conftest import csrf_token

from ..pages import login, text

IDLE_TIMEOUT = timedelta(minutes=15)  # the default server-side idle timeout (core.config); the cookie follows it

CSRF_EXPIRED = "画面の有効期限が切れました。もう一度最初から操作してください。"


@pytest.mark.parametrize("path", ["/login", "/register/master", "/register/general", "/logout"])
def test_a_post_without_csrf_token_gets_the_friendly_400_page(client, path):
    response = client.post(path, data={"user_id": "abc123", "password": "abc123"})
    assert response.status_code == 400
    assert CSRF_EXPIRED in text(response)
    assert "CSRF" not in text(response)


def test_a_post_with_a_forged_csrf_token_is_refused(client, master):
    response = client.post("/employer/users", data={"csrf_token": "forged", "user_id": "abcd1234",
                                                    "display_name": "x"})
    assert response.status_code == 400 and CSRF_EXPIRED in text(response)


@pytest.mark.parametrize("path", ["/", "/login", "/register/master", "/nonexistent"])
def test_security_headers_on_every_page(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_have_no_inline_scripts(client):
    for path in ("/", "/login", "/register/master"):
        for tag in re.findall(r"<script[^>]*>", text(client.get(path))):
            assert "src=" in tag, (path, tag)


def test_session_cookie_flags(client, master):
    client.post("/logout", data={"csrf_token": _token(client)})
    response = login(client, master.user_id, master.password)
    cookie = _session_set_cookie(response)
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "secure" in attributes
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=lax"


def _age_session_cookie(app, client, monkeypatch, seconds: float) -> None:  # noqa: ANN001
    """Re-sign the client's session cookie as if its last request was ``seconds`` ago."""
    name = app.config["SESSION_COOKIE_NAME"]
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie(name).value)
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time() - seconds))
        client.set_cookie(name, serializer.dumps(data))


@pytest.mark.parametrize(("idle_minutes", "still_logged_in"), [(14, True), (16, False)])
def test_idle_timeout(app, client, master, monkeypatch, idle_minutes, still_logged_in):
    assert IDLE_TIMEOUT.total_seconds() == 15 * 60
    assert client.get("/employer/").status_code == 200
    _age_session_cookie(app, client, monkeypatch, idle_minutes * 60)
    response = client.get("/employer/")
    if still_logged_in:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response.location.startswith("/?next=")


def test_the_session_cookie_expires_with_the_idle_timeout(client, master):
    cookie = _session_set_cookie(client.get("/employer/"))
    expires = re.search(r"Expires=([^;]+)", cookie).group(1)
    remaining = parsedate_to_datetime(expires).timestamp() - time.time()
    assert IDLE_TIMEOUT.total_seconds() - 60 < remaining <= IDLE_TIMEOUT.total_seconds()


def test_a_static_file_never_sets_the_session_cookie(client, master):
    """A page's late CSS or script response must not put back the session the next page replaced."""
    before_logout = client.get_cookie("rokin_session").value
    client.post("/logout", data={"csrf_token": csrf_token(client, "/employer/")})
    login_page = client.get("/login")
    assert _session_set_cookie(login_page)  # pages renew the cookie
    client.set_cookie("rokin_session", before_logout)  # the request of the page before, still in flight
    late_script = client.get("/static/js/forms.js")
    assert late_script.status_code == 200
    assert not [value for value in late_script.headers.getlist("Set-Cookie") if value.startswith("rokin_session=")]


def test_not_found_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "お探しのページは見つかりませんでした。" in text(response)


def test_method_not_allowed_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "この操作は受け付けられません。" in text(response)


def test_an_unexpected_error_shows_no_traceback(settings):
    from web import create_app

    app = create_app({"TESTING": True}, settings=settings)

    @app.get("/boom")
    def boom():  # noqa: ANN202
        raise RuntimeError("secret detail: master@example.jp")

    response = app.test_client().get("/boom")
    page = text(response)
    assert response.status_code == 500
    assert "システムエラーが発生しました。しばらくしてから再度お試しください。" in page
    for leak in ("Traceback", "RuntimeError", "secret detail", "master@example.jp", "boom()"):
        assert leak not in page


def test_forbidden_page(general):
    response = general.client.post("/employer/users", data={"csrf_token": _token(general.client),
                                                            "user_id": "abcd1234", "display_name": "x"})
    assert response.status_code == 403
    assert "この操作を行う権限がありません。" in text(response)


def test_language_switch(client):
    assert '<html lang="ja">' in text(client.get("/"))
    assert '<html lang="en">' in text(client.get("/?lang=en"))
    assert '<html lang="en">' in text(client.get("/login")), "the choice is remembered in the session"
    assert '<html lang="ja">' in text(client.get("/?lang=ja"))
    assert '<html lang="ja">' in text(client.get("/?lang=fr")), "unknown languages are ignored"


def test_language_choice_survives_login(client, master):
    client.get("/?lang=en")
    client.post("/logout", data={"csrf_token": _token(client)})
    assert '<html lang="en">' in text(client.get("/"))
    login(client, master.user_id, master.password)
    assert '<html lang="en">' in text(client.get("/employer/"))


def test_software_keyboard_labels_are_rendered_for_the_script(client):
    page = text(client.get("/login"))
    labels = re.search(r'<div id="softkeyboard-labels" hidden([^>]*)>', page).group(1)
    for name, label in {"open": "ソフトウェアキーボード", "title": "パスワード用ソフトウェアキーボード",
                        "shift": "大文字/小文字", "backspace": "削除", "clear": "クリア", "close": "閉じる"}.items():
        assert f'data-{name}="{label}"' in labels
    assert '<script src="/static/js/softkeyboard.js" defer></script>' in page


def _token(client) -> str:  # noqa: ANN001
    return csrf_token(client, "/login")


def _session_set_cookie(response) -> str:  # noqa: ANN001
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("rokin_session="))
