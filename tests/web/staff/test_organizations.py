"""団体登録 → ご利用開始のお知らせ (initial password shown once) → the master's 初期登録; 団体一覧."""

from __future__ import annotations

import re

import pytest

from domain.roles import StaffRole
from tests.conftest import post_form

from .conftest import NEW_BRANCH, audit_entries, organization_codes

FORM = "/staff/organizations/new"
VALID = {"code": "1234", "name": "東京労働組合", "email": "master@example.jp", "email_confirm": "master@example.jp",
         "branch": NEW_BRANCH}
PASSWORD_CELL = re.compile(r'id="notice-initial-password">([^<]+)<')
MASTER_ID_CELL = re.compile(r'id="notice-master-id">([^<]+)<')


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


@pytest.fixture
def admin(staff_client):  # noqa: ANN001, ANN201
    return staff_client(StaffRole.ADMINISTRATOR)


def register(client, **changes):  # noqa: ANN001, ANN201
    return post_form(client, FORM, {**VALID, **changes})


def test_registration_shows_the_notice_with_the_initial_password_once(app, admin):
    client, _ = admin
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/organizations/1234/notice"

    notice = text(client.get(response.headers["Location"]))
    assert "ご利用開始のお知らせ" in notice and "東京労働組合" in notice and "様" in notice
    assert app.extensions["rokin"].settings.public_url in notice
    assert 'id="notice-code">1234<' in notice
    master_id = MASTER_ID_CELL.search(notice).group(1)
    initial_password = PASSWORD_CELL.search(notice).group(1)
    for step in ("システムURLへアクセス", "マスターユーザーの初期登録", "電子証明書発行"):
        assert step in notice
    assert "初期登録の際に必ずご自身のパスワードへ変更" in notice and "大切に保管" in notice
    assert 'data-print' in notice and "js/print.js" in notice and "<script>" not in notice

    again = text(client.get(response.headers["Location"]))
    assert master_id in again and initial_password not in again
    assert PASSWORD_CELL.search(again) is None and 'id="notice-no-password"' in again

    # The master user logs in to 初期登録 with what the notice said.
    master = app.test_client()
    login = post_form(master, "/register/master", {"user_id": master_id, "password": initial_password})
    assert login.status_code == 302 and login.headers["Location"] == "/register/master/password"
    assert master_id in text(master.get("/register/master/password"))


def test_a_replayed_old_session_cookie_does_not_show_the_password_again(admin):
    client, _ = admin
    register(client)
    with client.session_transaction() as session:
        held = dict(session)  # the cookie as the browser had it right after the registration POST
    first = text(client.get("/staff/organizations/1234/notice"))
    password = PASSWORD_CELL.search(first).group(1)
    with client.session_transaction() as session:
        session.update(held)
    replayed = text(client.get("/staff/organizations/1234/notice"))
    assert password not in replayed and PASSWORD_CELL.search(replayed) is None


def test_the_password_is_not_in_the_session_cookie_in_clear(admin):
    client, _ = admin
    register(client)
    with client.session_transaction() as session:
        held = session["staff_initial_password"]
    notice = text(client.get("/staff/organizations/1234/notice"))
    password = PASSWORD_CELL.search(notice).group(1)
    assert held["code"] == "1234" and password not in str(held)


def test_the_password_is_shown_only_for_the_organization_just_registered(admin, make_organization):
    client, _ = admin
    make_organization(code="OTHER1")
    register(client)
    other = text(client.get("/staff/organizations/OTHER1/notice"))
    assert PASSWORD_CELL.search(other) is None
    assert PASSWORD_CELL.search(text(client.get("/staff/organizations/1234/notice"))) is None  # taken is taken


def test_the_initial_password_is_never_logged(admin, caplog):
    client, _ = admin
    caplog.set_level("DEBUG")
    register(client)
    password = PASSWORD_CELL.search(text(client.get("/staff/organizations/1234/notice"))).group(1)
    assert password not in caplog.text and "master@example.jp" not in caplog.text


def test_registration_is_audited_with_the_staff_member_as_actor(admin, app_session):
    client, account = admin
    register(client)
    client.get("/staff/organizations/1234/notice")
    for action in ("organization.create", "user.create", "organization.initial_password_shown"):
        [entry] = audit_entries(app_session, action)
        assert (entry.actor_kind, entry.actor_id, entry.client_address) == ("staff", account.uuid, "127.0.0.1")
    [created] = audit_entries(app_session, "organization.create")
    assert created.target_id == "1234"


@pytest.mark.parametrize(("changes", "message"), [
    ({"code": ""}, "団体コードを入力してください。"),
    ({"code": "12"}, "団体コードは半角の数字または英大文字4〜10桁で入力してください。"),
    ({"code": "abcd"}, "団体コードは半角の数字または英大文字4〜10桁で入力してください。"),
    ({"code": "１２３４"}, "団体コードは半角の数字または英大文字4〜10桁で入力してください。"),
    ({"code": "12345678901"}, "団体コードは半角の数字または英大文字4〜10桁で入力してください。"),
    ({"name": "  "}, "団体名を入力してください。"),
    ({"name": "労" * 101}, "団体名は100文字以内で入力してください。"),
    ({"email": "", "email_confirm": ""}, "メールアドレスを入力してください。"),
    ({"email": "master@", "email_confirm": "master@"}, "メールアドレスの形式が正しくありません。"),
    ({"email_confirm": "other@example.jp"}, "確認用のメールアドレスが一致しません。"),
])
def test_registration_explains_each_problem(admin, app_session, changes, message):
    client, _ = admin
    response = register(client, **changes)
    assert response.status_code == 200
    assert message in text(response)
    assert organization_codes(app_session) == []


def test_a_taken_code_is_refused(admin, make_organization, app_session):
    client, _ = admin
    make_organization(code="1234")
    response = register(client)
    assert response.status_code == 200
    assert "この団体コードは既に登録されています。" in text(response)
    assert organization_codes(app_session) == ["1234"]
    assert audit_entries(app_session, "organization.create")[-1].actor_kind == "cli"  # nothing by staff


def test_surrounding_spaces_are_ignored(admin, app_session):
    client, _ = admin
    response = register(client, code=" 1234 ", name=" 東京労働組合 ")
    assert response.headers["Location"] == "/staff/organizations/1234/notice"
    assert organization_codes(app_session) == ["1234"]


def test_list_shows_each_organization_and_reprints_without_password(admin, make_organization):
    client, _ = admin
    register(client)
    client.get("/staff/organizations/1234/notice")  # the one display with the password
    make_organization(code="5678")
    page = text(client.get("/staff/organizations"))
    assert page.index('id="org-1234"') < page.index('id="org-5678"')
    row = page[page.index('id="org-1234"'):page.index('id="org-5678"')]
    assert "東京労働組合" in row and "未登録" in row and '<td class="number">0</td>' in row
    assert 'href="/staff/organizations/1234/notice"' in row
    reprint = text(client.get("/staff/organizations/1234/notice"))
    assert PASSWORD_CELL.search(reprint) is None and "ご利用開始のお知らせ" in reprint


def test_list_counts_general_users_and_shows_registration(app, admin, make_organization):
    from store import audit
    from store import users as user_store

    client, _ = admin
    _code, master_id, _ = make_organization(code="5678")
    factory = app.extensions["rokin"].session_factory
    with factory.begin() as session:
        master = user_store.get_by_user_id(session=session, user_id=master_id)
        user_store.complete_initial_registration(session=session, user=master, new_password="Master2024",
                                                 email="m@example.jp", actor=audit.Actor.cli())
        for user_id in ("general01", "general02"):
            user_store.create_general_user(session=session, master=master, user_id=user_id,
                                           display_name="一般", actor=audit.Actor.cli())
    row = text(client.get("/staff/organizations")).split('id="org-5678"')[1].split("</tr>")[0]
    assert master_id in row and "初期登録済み" in row and '<td class="number">2</td>' in row
    reprint = text(client.get("/staff/organizations/5678/notice"))
    assert "初期登録済みのため" in reprint


def test_unknown_organization_notice_is_404(admin):
    client, _ = admin
    assert client.get("/staff/organizations/NOPE99/notice").status_code == 404
