"""ろうきん賃金控除事務支援システムログイン画面 and the login / logout round trip.

ログイン is certificate login (tests/web/certificates has its refusals); the ID is typed where no
certificate exists yet: 電子証明書発行 ④ and 初期登録."""

from __future__ import annotations

import re

import pytest

from store.errors import Refusal
from tests.conftest import csrf_token, post_form
from web import messages

from ..client_certificates import certificate_for, present
from ..pages import errors, login, text

BUTTONS = {
    "btn-login": ("ログイン", "/login"),
    "btn-register-master": ("マスターユーザーの初期登録", "/register/master"),
    "btn-register-general": ("一般ユーザーの初期登録", "/register/general"),
    "btn-issue": ("電子証明書発行", "/certificate/issue"),
    "btn-revocation-request": ("電子証明書の失効依頼", "/revocation-request"),
}


def test_login_screen_offers_the_seed_buttons(client):
    page = text(client.get("/"))
    assert "ろうきん賃金控除事務支援システムログイン画面" in page
    for element_id, (label, href) in BUTTONS.items():
        match = re.search(rf'<a [^>]*id="{element_id}" href="([^"]+)">{label}</a>', page)
        assert match, element_id
        if href is not None:
            assert match.group(1) == href


def test_login_page_asks_the_certificates_user_for_the_password_with_the_software_keyboard(app, master):
    client = app.test_client()
    present(client, certificate_for(app, master.user_id))
    page = text(client.get("/login"))
    assert f'<dd id="login-user-id">{master.user_id}</dd>' in page
    assert not re.search(r'<input [^>]*id="user_id"', page)  # the certificate says who
    password = re.search(r'<input [^>]*id="password"[^>]*>', page).group(0)
    assert 'type="password"' in password and "data-softkeyboard" in password


def test_login_page_without_a_certificate_explains_and_offers_issuance(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "電子証明書が選択されていません。" in text(response)
    assert 'href="/certificate/issue"' in text(response) and 'id="password"' not in text(response)


def test_registered_user_logs_in_and_out(client, master):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/login")})
    assert client.get("/employer/").status_code == 302

    response = login(client, master.user_id, master.password)
    assert response.status_code == 302 and response.location.endswith("/employer/")
    assert master.user_id in text(client.get("/employer/"))

    out = client.post("/logout", data={"csrf_token": csrf_token(client, "/login")}, follow_redirects=True)
    assert "ログアウトしました。" in text(out)
    response = client.get("/employer/")
    assert response.status_code == 302 and response.location.startswith("/?next=")


@pytest.mark.parametrize("wrong", ["wrong", "unknown"])
def test_a_wrong_password_and_an_unknown_id_get_the_same_generic_message(client, master, wrong):
    """A wrong password is counted by the lockout workflow (issue 3), an unknown ID never reaches the
    arbiter; both read the same (issue 12: the tries-left count told which IDs exist)."""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/login")})
    if wrong == "wrong":
        response = login(client, master.user_id, "Wrong9999")
    else:  # only 電子証明書発行 ④ and 初期登録 take a typed ID now
        response = post_form(client, "/certificate/issue", {"user_id": "nobody123", "password": master.password})
    assert response.status_code == 200
    assert errors(response) == [messages.render(Refusal.INVALID_CREDENTIALS)]
    assert client.get("/employer/").status_code == 302


def test_before_initial_registration_there_is_no_certificate_to_issue(client, make_organization):
    _, user_id, initial_password = make_organization()
    response = post_form(client, "/certificate/issue", {"user_id": user_id, "password": initial_password})
    assert errors(response) == [messages.render(Refusal.NOT_REGISTERED)]
    assert client.get("/employer/").status_code == 302


def test_user_ids_are_case_sensitive(client, master):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/login")})
    response = post_form(client, "/certificate/issue", {"user_id": master.user_id.swapcase(),
                                                         "password": master.password})
    assert errors(response) == [messages.render(Refusal.INVALID_CREDENTIALS)]
