"""ユーザー検索 and the release of master users and staff accounts by Rokin administrators;
staff login judged by the lockout workflow (issue 3)."""

from __future__ import annotations

import re

import pytest

from domain.lockout import LockoutStatus, ReleaseKind
from domain.lockout_release import Releaser, ReleaseRefusal
from domain.roles import StaffRole
from tests.conftest import csrf_token, post_form
from web import messages

from ..conftest import MASTER_PASSWORD
from ..lockout_support import WRONG, blocked_message, fail_to_lock, uuid_of, wait_for_audit, wait_for_lockout
from ..pages import errors, login
from .conftest import log_in

STAFF_LOCKED = "このログインIDはロックされています。"
STAFF_BLOCKED = "このログインIDは閉塞されています。労金の管理者に閉塞解除を依頼してください。"


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def _row(page: str, login_id: str) -> str:
    match = re.search(rf'<tr id="account-{login_id}">.*?</tr>', page, re.S)
    assert match, f"no row for {login_id}"
    return match.group(0)


def _status(page: str, login_id: str) -> str:
    return re.search(r'<td class="nowrap lockout-status">([^<]*)</td>', _row(page, login_id)).group(1)


def _search(client, query: str) -> str:  # noqa: ANN001
    response = client.get("/staff/accounts", query_string={"q": query})
    assert response.status_code == 200
    return text(response)


def _release(client, account: str, account_uuid: str, kind: ReleaseKind):  # noqa: ANN001, ANN201
    return post_form(client, f"/staff/accounts/{account}/{account_uuid}/{kind.value}", {}, follow_redirects=True)


@pytest.fixture
def organization(app, master, add_general_users):  # noqa: ANN001, ANN201
    """``master``'s organization with one pending general user besides; master's client logged out."""
    add_general_users(master.user_id, "ippan001")
    return master


def test_search_by_user_id_organization_code_or_staff_login(staff_client, organization, make_staff):
    client, account = staff_client(StaffRole.RECEIVER)
    by_code = _search(client, organization.organization_code)
    for user_id in (organization.user_id, "ippan001"):
        assert _status(by_code, user_id) == "正常"
    assert "テスト労働組合" in by_code

    by_id = _search(client, "ippan001")
    assert 'id="account-ippan001"' in by_id and organization.user_id not in by_id
    assert "初期登録待ち" in _row(by_id, "ippan001") and "一般ユーザー" in _row(by_id, "ippan001")

    by_login = _search(client, account.login)
    assert "受付担当者" in _row(by_login, account.login)

    assert 'id="no-accounts"' in _search(client, "IPPAN001")  # IDs are case-sensitive
    assert 'id="no-accounts"' in _search(client, "ippan")  # and matched whole
    empty = client.get("/staff/accounts", query_string={"q": ""})
    assert "入力してください。" in text(empty) and 'id="results"' not in text(empty)
    assert 'id="results"' not in text(client.get("/staff/accounts"))


def test_search_is_in_every_staff_menu_and_only_for_staff(staff_client, employer_client, app):
    for role in StaffRole:
        client, _ = staff_client(role)
        assert 'href="/staff/accounts"' in text(client.get("/staff/"))
    assert employer_client.get("/staff/accounts?q=x").status_code == 403
    anonymous = app.test_client().get("/staff/accounts")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/staff/login")


def test_administrator_unblocks_a_master_user(app, client, organization, staff_client):
    """A master user is released by Rokin: after three locks (unlocked by an administrator in
    between) the master is blocked and told to contact Rokin; an administrator unblocks it."""
    master_id, master_uuid = organization.user_id, uuid_of(app, organization.user_id)
    admin, admin_account = staff_client(StaffRole.ADMINISTRATOR)
    user = app.test_client()
    for _ in range(2):
        fail_to_lock(user, master_id)
        wait_for_lockout(app, master_id, LockoutStatus.LOCKED)
        page = _search(admin, master_id)
        assert _status(page, master_id).startswith("ロック中（")
        assert _release(admin, "user", master_uuid, ReleaseKind.UNLOCK).status_code == 200
    assert errors(fail_to_lock(user, master_id)) == [blocked_message(Releaser.ROKIN)]
    wait_for_lockout(app, master_id, LockoutStatus.BLOCKED)

    page = _search(admin, master_id)
    assert _status(page, master_id) == "閉塞"
    assert f'href="/staff/accounts/user/{master_uuid}/unblock">閉塞解除</a>' in _row(page, master_id)
    confirm = admin.get(f"/staff/accounts/user/{master_uuid}/unblock")
    assert "閉塞解除の確認" in text(confirm) and f'<dd id="release-login-id">{master_id}</dd>' in text(confirm)

    done = _release(admin, "user", master_uuid, ReleaseKind.UNBLOCK)
    assert f"{master_id} の閉塞を解除しました。" in text(done) and _status(text(done), master_id) == "正常"
    assert login(user, master_id, MASTER_PASSWORD).location.endswith("/employer/")
    [entry] = wait_for_audit(app, "lockout.unblock", master_uuid)
    assert (entry.actor_kind, entry.actor_id) == ("staff", admin_account.uuid)


@pytest.mark.parametrize("role", [StaffRole.RECEIVER, StaffRole.APPROVER])
def test_receivers_and_approvers_see_the_state_but_do_not_release(app, organization, staff_client, role):
    master_id, master_uuid = organization.user_id, uuid_of(app, organization.user_id)
    fail_to_lock(app.test_client(), master_id)
    wait_for_lockout(app, master_id, LockoutStatus.LOCKED)
    client, _ = staff_client(role)
    page = _search(client, master_id)
    assert _status(page, master_id).startswith("ロック中（") and "ロック解除" not in _row(page, master_id)
    assert client.get(f"/staff/accounts/user/{master_uuid}/unlock").status_code == 403
    token = csrf_token(client, "/staff/")
    assert client.post(f"/staff/accounts/user/{master_uuid}/unlock", data={"csrf_token": token}).status_code == 403
    assert wait_for_lockout(app, master_id, LockoutStatus.LOCKED)


def test_general_users_are_released_by_their_master_not_by_rokin(app, organization, staff_client):
    user_uuid = uuid_of(app, "ippan001")
    fail_to_lock(app.test_client(), "ippan001", path="/register/general")
    wait_for_lockout(app, "ippan001", LockoutStatus.LOCKED)
    admin, _ = staff_client(StaffRole.ADMINISTRATOR)
    row = _row(_search(admin, "ippan001"), "ippan001")
    assert "ロック解除" not in row and "マスターユーザーが解除します" in row
    assert admin.get(f"/staff/accounts/user/{user_uuid}/unlock").status_code == 403


def test_staff_login_locks_and_blocks_with_login_id_wording(app, make_staff, staff_client):
    """Staff accounts have a lockout workflow too; an administrator releases them."""
    account = make_staff(StaffRole.RECEIVER, login="uketsuke1")
    client = app.test_client()
    admin, admin_account = staff_client(StaffRole.ADMINISTRATOR)
    for _ in range(2):  # two locks, each released by the administrator
        for _ in range(5):
            assert "ログインIDまたはパスワードが正しくありません。" in text(log_in(client, account, password=WRONG))
        assert STAFF_LOCKED in text(log_in(client, account, password=WRONG))
        assert STAFF_LOCKED in text(log_in(client, account))  # the right password, refused while locked
        wait_for_lockout(app, account.login, LockoutStatus.LOCKED, staff=True)
        assert _status(_search(admin, account.login), account.login).startswith("ロック中（")
        done = _release(admin, "staff", account.uuid, ReleaseKind.UNLOCK)
        assert f"{account.login} のロックを解除しました。" in text(done)
    for entry in wait_for_audit(app, "lockout.unlock", account.uuid, count=2):
        assert (entry.actor_kind, entry.actor_id) == ("staff", admin_account.uuid)

    for _ in range(6):
        last = log_in(client, account, password=WRONG)
    assert STAFF_BLOCKED in text(last)
    wait_for_lockout(app, account.login, LockoutStatus.BLOCKED, staff=True)
    _release(admin, "staff", account.uuid, ReleaseKind.UNBLOCK)
    assert log_in(client, account).headers["Location"] == "/staff/password"


def test_nobody_releases_themselves(app, staff_client):
    admin, account = staff_client(StaffRole.ADMINISTRATOR)
    assert 'id="unlock-' not in _search(admin, account.login)
    assert admin.get(f"/staff/accounts/staff/{account.uuid}/unlock").status_code == 403


def test_unknown_accounts_are_not_found(staff_client):
    admin, _ = staff_client(StaffRole.ADMINISTRATOR)
    for path in ("/staff/accounts/user/00000000-0000-0000-0000-000000000000/unlock",
                 "/staff/accounts/staff/not-a-uuid/unblock"):
        assert admin.get(path).status_code == 404


def test_releasing_what_is_not_locked_is_refused_with_a_message(app, organization, staff_client):
    admin, _ = staff_client(StaffRole.ADMINISTRATOR)
    done = _release(admin, "user", uuid_of(app, organization.user_id), ReleaseKind.UNBLOCK)
    assert messages.render(ReleaseRefusal.NOT_BLOCKED) in text(done)
