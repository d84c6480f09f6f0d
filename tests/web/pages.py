"""Driving the employer pages with the Flask test client, as a browser would."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from tests.conftest import csrf_token, post_form

from .client_certificates import certificate_for, present

FIELD_ERROR = re.compile(r'<p class="error" role="alert">([^<]*)</p>')
FORM_ERROR = re.compile(r'<p class="error form-error" role="alert">([^<]*)</p>')
INITIAL_PASSWORD = re.compile(r'<span class="secret" id="initial-password">([^<]+)</span>')


@dataclass(frozen=True)
class Account:
    organization_code: str
    user_id: str
    password: str


def errors(response) -> list[str]:  # noqa: ANN001
    """Every field and form error shown on the page, in order."""
    page = text(response)
    found = FIELD_ERROR.findall(page) + FORM_ERROR.findall(page)
    return [html.unescape(message) for message in found]


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def login(client, user_id: str, password: str):  # noqa: ANN001, ANN201
    """ログイン as the browser does it: the user's certificate (``client_certificates``) comes with every
    request of ``client`` from now on, and the password goes into the form."""
    present(client, certificate_for(client.application, user_id))
    return post_form(client, "/login", {"password": password})


def register_login(client, kind: str, user_id: str, password: str):  # noqa: ANN001, ANN201
    """初期登録's first step: the ID and initial password."""
    return post_form(client, f"/register/{kind}", {"user_id": user_id, "password": password})


def register_password(client, kind: str, new_password: str, *, confirm: str | None = None,  # noqa: ANN001, ANN201
                      email: str = "user@example.jp", email_confirm: str | None = None):
    """初期登録's second step: one's own password and e-mail."""
    return post_form(client, f"/register/{kind}/password", {
        "new_password": new_password,
        "new_password_confirm": new_password if confirm is None else confirm,
        "email": email,
        "email_confirm": email if email_confirm is None else email_confirm,
    })


def register(client, kind: str, user_id: str, initial_password: str, new_password: str):  # noqa: ANN001, ANN201
    """初期登録 (it ends at 電子証明書発行, not logged in), then certificate login with the new password."""
    first = register_login(client, kind, user_id, initial_password)
    assert first.status_code == 302, errors(first)
    second = register_password(client, kind, new_password)
    assert second.status_code == 302 and second.location.endswith("/certificate/issue"), errors(second)
    logged_in = login(client, user_id, new_password)
    assert logged_in.status_code == 302 and logged_in.location.endswith("/employer/"), errors(logged_in)
    return logged_in


def create_general_user(client, user_id: str, display_name: str = "労金 太郎"):  # noqa: ANN001, ANN201
    """POST the master's create form; the result page comes back directly (status 200)."""
    token = csrf_token(client, "/employer/")
    return client.post("/employer/users", data={"csrf_token": token, "user_id": user_id,
                                                "display_name": display_name})


def delete_general_user(client, user_uuid: str):  # noqa: ANN001, ANN201
    token = csrf_token(client, "/employer/")
    return client.post(f"/employer/users/{user_uuid}/delete", data={"csrf_token": token})


def initial_password(response) -> str:  # noqa: ANN001
    match = INITIAL_PASSWORD.search(text(response))
    assert match, "no initial password on the page"
    return match.group(1)


def error_under(response, field: str) -> str | None:  # noqa: ANN001
    """The first error message rendered inside the field block of ``field`` (see render_field)."""
    block = re.search(rf'<div class="field field-error">\s*<label for="{field}">.*?</div>', text(response), re.S)
    if block is None:
        return None
    message = FIELD_ERROR.search(block.group(0))
    return html.unescape(message.group(1)) if message else None
