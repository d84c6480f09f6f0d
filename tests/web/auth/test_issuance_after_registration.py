"""④ ユーザー認証 right after 初期登録 shows the user's ID already filled in (issue 13): the user goes
on to 電子証明書発行 and types only the password."""

from __future__ import annotations

import re

import pytest

from ..conftest import MASTER_PASSWORD
from ..pages import register_login, register_password, text


def _value(page: str, field_id: str) -> str:
    field = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', page)
    assert field, f"no field {field_id}"
    value = re.search(r'value="([^"]*)"', field.group(0))
    return value.group(1) if value else ""


@pytest.mark.parametrize("kind", ["master", "general"])
def test_the_registered_user_id_is_carried_over_to_issuance(app, client, make_organization, add_general_users,
                                                           kind):
    _, master_id, initial = make_organization()
    if kind == "general":
        register_login(client, "master", master_id, initial)
        register_password(client, "master", MASTER_PASSWORD)
        user_id, initial = "ippan001", add_general_users(master_id, "ippan001")["ippan001"]
        client = app.test_client()
    else:
        user_id = master_id
    assert register_login(client, kind, user_id, initial).status_code == 302
    done = register_password(client, kind, "Jibun2024x")
    assert done.status_code == 302 and done.location.endswith("/certificate/issue")

    page = text(client.get("/certificate/issue"))
    assert _value(page, "user_id") == user_id
    assert _value(page, "password") == ""


def test_a_browser_that_did_not_register_gets_an_empty_field(app, client, make_organization):
    _, master_id, initial = make_organization()
    assert register_login(client, "master", master_id, initial).status_code == 302
    register_password(client, "master", "Jibun2024x")
    other = app.test_client()
    assert _value(text(other.get("/certificate/issue")), "user_id") == ""
