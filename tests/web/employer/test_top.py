"""トップ画面: one's own information; the master user's user list and quota."""

from __future__ import annotations

import re

from domain.quotas import MAX_GENERAL_USERS

from ..pages import create_general_user, text


def test_anonymous_visitors_are_sent_to_the_login_screen(client):
    response = client.get("/employer/")
    assert response.status_code == 302 and response.location.startswith("/?next=")


def test_master_sees_own_info_and_the_user_list(client, master):
    page = text(client.get("/employer/"))
    assert f'<dd id="my-user-id">{master.user_id}</dd>' in page
    assert "テスト労働組合" in page and f"<dd>{master.organization_code}</dd>" in page
    assert '<dd id="my-role">マスターユーザー</dd>' in page
    assert "<h2>ユーザー一覧</h2>" in page
    assert f"一般ユーザー 0 / {MAX_GENERAL_USERS}名" in page
    row = _row(page, master.user_id)
    assert "マスターユーザー" in row and "利用中" in row
    assert "削除" not in row, "the master user cannot delete itself"
    assert 'id="logout"' in page


def test_new_general_user_is_listed_as_pending_with_a_delete_button(client, master):
    create_general_user(client, "ippan001", "一般 太郎")
    page = text(client.get("/employer/"))
    row = _row(page, "ippan001")
    assert "一般 太郎" in row and "一般ユーザー" in row and "初期登録待ち" in row
    assert re.search(r'<a class="button danger small" href="/employer/users/[0-9a-f-]{36}/delete">削除</a>', row)
    assert f"一般ユーザー 1 / {MAX_GENERAL_USERS}名" in page


def test_registered_general_user_is_listed_as_active(client, general):
    assert "利用中" in _row(text(client.get("/employer/")), general.account.user_id)


def test_general_user_sees_only_their_own_info(general, master):
    page = text(general.client.get("/employer/"))
    assert f'<dd id="my-user-id">{general.account.user_id}</dd>' in page
    assert '<dd id="my-role">一般ユーザー</dd>' in page
    assert "ユーザー一覧" not in page and master.user_id not in page
    assert 'id="create-user"' not in page
    assert 'id="logout"' in page


def test_users_of_other_organizations_are_not_listed(client, master, other_organization):
    page = text(client.get("/employer/"))
    for user_id in other_organization:
        assert user_id not in page


def _row(page: str, user_id: str) -> str:
    match = re.search(rf'<tr id="user-{user_id}">.*?</tr>', page, re.S)
    assert match, f"no row for {user_id}"
    return match.group(0)
