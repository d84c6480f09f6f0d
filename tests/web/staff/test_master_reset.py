"""パスワード初期化 of a master user by a Rokin administrator (issue 13): from ユーザー検索, a confirmation,
then the printable ご利用開始（変更）のお知らせ that shows the new initial password once; the master goes
through マスターユーザーの初期登録 again and keeps the certificate. Receivers and approvers may not."""

from __future__ import annotations

import re

from domain.roles import StaffRole
from store import audit
from store import users as user_store
from tests.conftest import csrf_token
from tests.web.account.test_account_pages import mails_titled
from tests.web.pages import login, register_login, register_password, text

from ..conftest import MASTER_PASSWORD

PASSWORD = re.compile(r'<span class="credential secret" id="notice-initial-password">([^<]+)</span>')


def registered_master(app, make_organization) -> tuple[str, str]:  # noqa: ANN001
    """A master past 初期登録 and one general user of the organization: their IDs."""
    _, master_id, _ = make_organization(code="RESET1")
    with app.extensions["rokin"].session_factory.begin() as session:
        master = user_store.get_by_user_id(session=session, user_id=master_id)
        user_store.complete_initial_registration(session=session, user=master, new_password=MASTER_PASSWORD,
                                                 email="master@example.jp", actor=audit.Actor.cli())
        user_store.create_general_user(session=session, master=master, user_id="ippan077", display_name="一般 花子",
                                       actor=audit.Actor.cli())
    return master_id, "ippan077"


def reset_path(user) -> str:  # noqa: ANN001
    return f"/staff/accounts/user/{user.uuid}/reset-password"


def test_an_administrator_resets_a_master_and_prints_the_notice_once(app, staff_client, make_organization,
                                                                    find_user, smtp_sink):  # noqa: ANN001
    master_id, general_id = registered_master(app, make_organization)
    master_client = app.test_client()
    assert login(master_client, master_id, MASTER_PASSWORD).status_code == 302
    client, _ = staff_client(StaffRole.ADMINISTRATOR)
    found = text(client.get("/staff/accounts", query_string={"q": "RESET1"}))
    assert f'id="reset-{master_id}"' in found and f'id="reset-{general_id}"' not in found
    master = find_user(master_id)
    assert master_id in text(client.get(reset_path(master)))

    done = client.post(reset_path(master), data={"csrf_token": csrf_token(client, reset_path(master))})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/accounts/user/{master.uuid}/reset-notice")
    notice = text(client.get(done.headers["Location"]))
    assert "ご利用開始（変更）のお知らせ" in notice and master_id in notice
    new_initial = PASSWORD.search(notice).group(1)
    again = text(client.get(done.headers["Location"]))  # shown once: a reload does not show it
    assert PASSWORD.search(again) is None and 'id="notice-no-password"' in again

    assert master_client.get("/employer/").status_code == 302  # the master's session ended
    assert register_login(master_client, "master", master_id, new_initial).status_code == 302
    assert register_password(master_client, "master", "Atarashii26").status_code == 302
    assert login(master_client, master_id, "Atarashii26").status_code == 302  # the same certificate
    [mail] = mails_titled(smtp_sink, "マスターユーザーのパスワード初期化のお知らせ")
    assert mail.recipients == ["master@example.jp"] and new_initial not in mail.body


def test_only_administrators_reset_and_only_master_users(app, staff_client, make_organization, find_user):  # noqa: ANN001
    master_id, general_id = registered_master(app, make_organization)
    master, general = find_user(master_id), find_user(general_id)
    for role in (StaffRole.RECEIVER, StaffRole.APPROVER):
        client, _ = staff_client(role)
        assert f'id="reset-{master_id}"' not in text(client.get("/staff/accounts", query_string={"q": master_id}))
        assert client.get(reset_path(master)).status_code == 403
        assert client.get(f"/staff/accounts/user/{master.uuid}/reset-notice").status_code == 403
    admin, _ = staff_client(StaffRole.ADMINISTRATOR)
    assert admin.get(reset_path(general)).status_code == 403  # a general user: their master resets them
    assert admin.get("/staff/accounts/user/00000000-0000-0000-0000-000000000000/reset-password").status_code == 404
    assert find_user(master_id).status.value == "active"
